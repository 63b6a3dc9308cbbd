"""Sets of recent keys that forget after a while: which Slack events were handled, which threads the
assistant talks in.

One Rasa server keeps them in its own memory (`RecentInMemory`). Several servers behind a load balancer
must share them, or Slack's retry of an event that lands on another server is answered twice and a
reply in a thread that another server started is ignored: with a Redis configured (ACTS_REDIS_URL) the
set lives there (`RecentInRedis`), and `SET key 1 NX EX ttl` makes "the first to add a key" true for
exactly one caller on any server. `recent()` picks the one the settings ask for.

A Redis that is down must not stop a learner's message: the Redis set then falls back to its own
in-memory set for a while (one warning per outage), so each server still answers once, as a single
server would, and at worst a retry that lands on another server is answered twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

import redis

from bot import settings

log = logging.getLogger(__name__)

# A Redis that does not answer at once is treated as down: the learner waits on it, and Redis answers a
# SET in well under a millisecond when it is up.
REDIS_TIMEOUT_SECONDS = 0.5
# After a failure, how long to use the in-memory set before trying Redis again: each message would
# otherwise wait for the timeout while Redis is down.
RETRY_REDIS_SECONDS = 30.0


class Recent(Protocol):
    def add(self, key: Any) -> bool: ...

    def __contains__(self, key: Any) -> bool: ...


class RecentInMemory:
    """A bounded set that forgets after `ttl` seconds, in this process only."""

    def __init__(self, ttl: float, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self._seen: OrderedDict[Any, float] = OrderedDict()

    def add(self, key: Any) -> bool:
        """True if `key` is new (and remembers it)."""
        now = self.clock()
        while self._seen and (len(self._seen) >= self.capacity or now - next(iter(self._seen.values())) > self.ttl):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    def __contains__(self, key: Any) -> bool:
        seen = self._seen.get(key)
        return seen is not None and self.clock() - seen <= self.ttl


class RecentInRedis:
    """The same set in Redis, shared by every server that names the same Redis and namespace.

    Keys are hashed (a tuple of Slack ids becomes one fixed-length name, whatever characters the ids
    hold, and no channel or user id is readable in Redis) under `namespace:`; Redis forgets them
    after `ttl` seconds, so no capacity is needed.
    """

    def __init__(
        self,
        client: redis.Redis,
        namespace: str,
        ttl: float,
        fallback: RecentInMemory | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client, self.namespace, self.ttl, self.clock = client, namespace, ttl, clock
        # Where keys go while Redis is down; it is asked too when Redis is back, so a key added during
        # the outage is still known on this server.
        self.fallback = fallback or RecentInMemory(ttl, 50_000, clock)
        self._down_until: float | None = None
        self._lock = threading.Lock()

    def key(self, key: Any) -> str:
        encoded = json.dumps(key, separators=(",", ":"), default=str).encode()
        return f"{self.namespace}:{hashlib.sha256(encoded).hexdigest()}"

    def add(self, key: Any) -> bool:
        """True for the first caller on any server to add `key` (and remembers it)."""
        if key in self.fallback:
            return False
        if self._redis_usable():
            try:
                # Milliseconds: a ttl under a second (tests) still expires; SET NX is the one atomic step.
                added = self.client.set(self.key(key), 1, nx=True, px=max(1, round(self.ttl * 1000)))
            except redis.RedisError as error:
                self._went_down(error)
            else:
                self._came_back()
                return bool(added)
        return self.fallback.add(key)

    def __contains__(self, key: Any) -> bool:
        if key in self.fallback:
            return True
        if not self._redis_usable():
            return False
        try:
            found = self.client.exists(self.key(key))
        except redis.RedisError as error:
            self._went_down(error)
            return False
        self._came_back()
        return bool(found)

    def _redis_usable(self) -> bool:
        with self._lock:
            return self._down_until is None or self.clock() >= self._down_until

    def _went_down(self, error: Exception) -> None:
        with self._lock:
            first = self._down_until is None
            self._down_until = self.clock() + RETRY_REDIS_SECONDS
        if first:  # once per outage, not once per message
            log.warning(
                "Redis unavailable for %s (%s): remembering in this process only until it answers again",
                self.namespace,
                type(error).__name__,
            )

    def _came_back(self) -> None:
        with self._lock:
            was_down, self._down_until = self._down_until is not None, None
        if was_down:
            log.warning("Redis answers again for %s", self.namespace)


_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def _client(url: str) -> redis.Redis:
    """One client (one connection pool, thread-safe) per URL for the whole process."""
    with _clients_lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(
                url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
        return _clients[url]


def recent(namespace: str, ttl: float, capacity: int, clock: Callable[[], float] = time.monotonic) -> Recent:
    """The set in the shared Redis when one is configured (several servers), else in this process."""
    url = settings.shared_redis_url()
    if url:
        return RecentInRedis(_client(url), namespace, ttl, RecentInMemory(ttl, capacity, clock), clock)
    return RecentInMemory(ttl, capacity, clock)
