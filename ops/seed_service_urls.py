"""Write the service URLs from configuration (SERVICE_URLS) into MongoDB; drop Redis copies."""

import argparse
import asyncio
import sys

from servicekit.cache import RedisCache, create_redis
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ConfigError, ServiceSettings, load_settings


async def seed(settings: ServiceSettings) -> dict[str, str]:
    mongo = MongoEngine(settings.mongo_url, settings.mongo_db, settings.mongo_timeout_ms)
    redis = create_redis(settings.redis_url, settings.redis_timeout_s)
    try:
        urls = ServiceUrlCache(mongo.db, RedisCache(redis), settings.service_url_ttl_s)
        for service, url in settings.service_urls.items():
            await urls.register(service, url)
        return dict(settings.service_urls)
    finally:
        await redis.aclose()
        await mongo.close()


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m ops.seed_service_urls", description=__doc__).parse_args(
        argv
    )
    try:
        settings = load_settings(ServiceSettings)
        seeded = asyncio.run(seed(settings))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except Exception as error:
        print(
            f"Could not seed the service URLs (is the stack up? `make up`): {error}",
            file=sys.stderr,
        )
        return 1
    for service, url in seeded.items():
        print(f"  {service:<18} {url}")
    print(f"Seeded {len(seeded)} service URLs into {settings.mongo_db}.service_urls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
