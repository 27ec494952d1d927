"""Time as the services store it."""

from datetime import UTC, datetime


def now_ms() -> datetime:
    """The current UTC time to the millisecond, as MongoDB stores it: an order computed in
    memory, cached in Redis and read back from MongoDB shows the same times."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
