"""`python -m devstack up|down|status`: the local stack in the background."""

import argparse
import os
import signal
import sys
import time

from devstack.parts import infrastructure
from devstack.stack import Stack, StartFailed


def _stack() -> Stack:
    # A MONGO_URL in the environment means "use that MongoDB": we do not start our own.
    return Stack(infrastructure(with_mongo=not os.environ.get("MONGO_URL")))


def _run_foreground(stack: Stack) -> int:
    """Start the stack, show where things are, and stop what we started on Ctrl-C."""
    print("Starting the local stack (state and logs in .state/):", flush=True)
    try:
        started = stack.up()
    except StartFailed as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    print(
        "\nRunning. Logs: .state/logs/. RabbitMQ management: http://127.0.0.1:15672 (guest/guest)"
    )
    print("Press Ctrl-C to stop.", flush=True)
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        print("\nStopping what this run started:")
    finally:
        stack.down(started)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "run"])
    args = parser.parse_args(argv)
    stack = _stack()
    if args.command == "run":
        return _run_foreground(stack)
    if args.command == "up":
        began = time.monotonic()
        print("Starting the local stack (state and logs in .state/):", flush=True)
        try:
            stack.up()
        except StartFailed as error:
            print(f"\nFAILED: {error}", file=sys.stderr)
            return 1
        print(f"Stack ready in {time.monotonic() - began:.1f} s.")
    elif args.command == "down":
        print("Stopping the local stack:")
        stack.down()
    else:
        for name, state, pid in stack.status():
            print(f"  {name:<28} {state:<5} {pid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
