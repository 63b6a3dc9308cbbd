"""How much one conversation, or one place, may send: a sliding one-minute window per key.

A website client can send as fast as it likes and make up conversation ids, so the REST channel
limits messages per conversation and per source (bot.identity). The limits are generous
for a person typing and stop a script; they live in memory, per Rasa server process.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

from bot.settings import messages_per_conversation_per_minute, messages_per_source_per_minute

MESSAGES_PER_CONVERSATION_PER_MINUTE = 30
MESSAGES_PER_SOURCE_PER_MINUTE = 300  # a campus behind one address holds many learners
WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000


def conversation_limit() -> int:
    return messages_per_conversation_per_minute(MESSAGES_PER_CONVERSATION_PER_MINUTE)


def source_limit() -> int:
    return messages_per_source_per_minute(MESSAGES_PER_SOURCE_PER_MINUTE)


class SlidingWindow:
    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Counts a message for `key`; False once `key` has sent `limit` in the last window."""
        now = self.clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        allowed = len(hits) < self.limit
        if allowed:
            hits.append(now)
        self._hits[key] = hits  # most recent last, so the oldest keys go first when there are too many
        while len(self._hits) > MAX_KEYS:
            self._hits.popitem(last=False)
        return allowed
