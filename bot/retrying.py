"""How long to wait before the next try of something that failed: the outboxes' shared backoff."""

from __future__ import annotations

from datetime import timedelta


def backoff(attempt: int, first: timedelta, cap: timedelta, retry_after: float | None = None) -> timedelta:
    """The wait after failed try number `attempt`: `first`, doubling each try, at most `cap`, and never
    shorter than the Retry-After the other side asked for."""
    delay = min(cap, first * 2 ** min(attempt - 1, 20))
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
