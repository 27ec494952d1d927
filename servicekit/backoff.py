"""How long to wait before the next try of something that failed."""


def backoff_s(attempt: int, max_s: float, first_s: float = 0.5) -> float:
    """Doubling from `first_s` at attempt 0 up to `max_s` (attempt 1 waits 2 * first_s)."""
    return min(max_s, first_s * 2 ** min(max(attempt, 0), 20))
