"""`python -m bench [floor|workload|micro|soak] ...`: which benchmark runs (the whole one by
default)."""

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a part's own command line, or run the whole benchmark."""
    argv = sys.argv[1:] if argv is None else argv
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "floor":
        from bench.floor.cli import main as run
    elif command == "workload":
        from bench.workload.cli import main as run
    elif command == "micro":
        from bench.micro import main as run
    elif command == "soak":
        from bench.soak.cli import main as run
    else:
        from bench.suite.cli import main as run

        rest = argv
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
