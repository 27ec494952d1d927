"""Remove cached service URLs from Redis (all registered services, or the ones named); the next
lookup reads MongoDB again."""

import argparse

from ops.common import fail, run, settings
from servicekit.cache import RedisCache, create_redis
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.clear_service_url_cache", description=__doc__
    )
    parser.add_argument("services", nargs="*", help="service names (default: all registered)")
    args = parser.parse_args(argv)
    config = settings()
    mongo = MongoEngine(config.mongo_url, config.mongo_db, timeout_ms=2000)
    redis = create_redis(config.redis_url, timeout_s=2)
    try:
        await redis.ping()
        urls = ServiceUrlCache(mongo.db, RedisCache(redis), config.service_url_ttl_s)
        cleared = await urls.clear_cache(args.services or None)
    except Exception as error:
        fail(f"Redis or MongoDB is not reachable ({error!r}); is the stack running? (make up)")
    finally:
        await redis.aclose()
        await mongo.close()
    print(f"Cleared cached URLs of: {', '.join(cleared) or 'nothing registered'}")
    return 0


if __name__ == "__main__":
    run(main)
