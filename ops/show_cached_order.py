"""Show an order as cached in Redis (key order:<id>), or say that it is not cached."""

import argparse

import ujson
from redis.exceptions import RedisError

from ops.common import fail, run, settings, show
from servicekit.cache import create_redis


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.show_cached_order", description=__doc__)
    parser.add_argument("order_id")
    args = parser.parse_args(argv)
    config = settings()
    redis = create_redis(config.redis_url, timeout_s=2)
    try:
        raw = await redis.get(f"order:{args.order_id}")
        ttl = await redis.ttl(f"order:{args.order_id}")
    except (RedisError, OSError) as error:
        fail(f"Redis is not reachable ({error!r}); is the stack running? (make up)")
    finally:
        await redis.aclose()
    if raw is None:
        print(f"order {args.order_id} is not in the cache")
        return 1
    print(show(ujson.loads(raw)))
    print(f"(expires in {ttl} s)")
    return 0


if __name__ == "__main__":
    run(main)
