"""`python -m devstack up|down|status|run`: the whole local stack (`run` stays in the foreground
and stops what it started on Ctrl-C)."""

import argparse
import asyncio
import os
import signal
import sys
import time

from devstack.parts import configured_size, infrastructure, monitoring, services
from devstack.stack import Stack, StartFailed


def _infrastructure() -> Stack:
    # A MONGO_URL in the environment means "use that MongoDB": we do not start our own.
    return Stack(infrastructure(with_mongo=not os.environ.get("MONGO_URL")))


def _seed_service_urls() -> None:
    from ops.seed_service_urls import seed
    from servicekit.settings import ServiceSettings, load_settings

    seeded = asyncio.run(seed(load_settings(ServiceSettings, service_name="devstack")))
    print(f"  {'service URLs':<28} seeded ({len(seeded)}) into MongoDB")


def _banner(began: float) -> None:
    from servicekit.settings import ServiceSettings, load_settings

    key = load_settings(ServiceSettings).service_api_key.get_secret_value()
    print(f"\nStack ready in {time.monotonic() - began:.1f} s.\n")
    for part in services():
        print(f"  {part.name:<16} http://127.0.0.1:{part.port}/docs")
    print(f"  {'RabbitMQ UI':<16} http://127.0.0.1:15672  (guest/guest)")
    for part in monitoring():
        # Debian's package has Prometheus' classic web pages only (/classic/...).
        print(f"  {'Prometheus':<16} {part.where()}  (alerts: {part.where()}/classic/alerts)")
    print(f"  {'Logs':<16} .state/logs/<part>.log")
    print(f"  {'API key':<16} {key}  (X-API-Key header, from .env)\n")
    print("Place an order:")
    print(
        f"  curl -s -X POST http://127.0.0.1:8000/v1/orders -H 'X-API-Key: {key}' \\\n"
        "    -H 'Content-Type: application/json' \\\n"
        '    -d \'{"customer_id": "f2861560-e9ed-4463-955f-0c55c3b416fb", '
        '"items": [{"product": "Lasagna", "quantity": 1}]}\''
    )
    print("Then follow it: GET /v1/orders/<id>; drive it: `make demo` or the scripts in ops/.")


def up(foreground: bool) -> int:
    began = time.monotonic()
    print("Starting the local stack (state and logs in .state/):", flush=True)
    infra, apps, watch = _infrastructure(), Stack(services()), Stack(monitoring())
    started = []
    try:
        started += infra.up()
        _seed_service_urls()
        started += apps.up()
        started += watch.up()
    except StartFailed as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        Stack(started).down()
        return 1
    _banner(began)
    if not foreground:
        print("\nStop it with `make down`.")
        return 0
    print("\nPress Ctrl-C to stop.", flush=True)
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        print("\nStopping what this run started:")
    finally:
        Stack(started).down()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "run"])
    args = parser.parse_args(argv)
    try:
        configured_size()
    except ValueError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 2
    if args.command in ("up", "run"):
        return up(foreground=args.command == "run")
    everything = Stack([*_infrastructure().parts, *services(), *monitoring()])
    if args.command == "down":
        print("Stopping the local stack:")
        everything.down()
    else:
        for name, state, pid in everything.status():
            print(f"  {name:<28} {state:<5} {pid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
