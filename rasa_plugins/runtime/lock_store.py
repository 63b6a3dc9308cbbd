"""A Redis lock store whose tickets are issued and checked atomically, for several Rasa servers.

Rasa serialises the messages of one conversation with a ticket lock: each message takes a
ticket and is handled when its ticket is the oldest live one. Rasa 3.6's RedisLockStore keeps
the whole lock as one JSON string and changes it by read-modify-write (GET, add or remove a
ticket, SET), so two servers that take a ticket for the same conversation at the same moment
both read the same lock, both get the same ticket number, and both handle their message at
once: interleaved events in one conversation. Upstream knows (RasaHQ/rasa issue #9213; the fix
in PR #11256 was reverted by #11428 and lives only in Rasa Pro). Measured against a real Redis,
each caller a separate process with its own store (as separate servers are), released together
and holding the lock for 5 ms: two callers were inside the lock at once in 50 of 50 rounds,
four callers in 99 of 100. The same races lose tickets: in those 100 rounds 14 callers failed
with LockError and 3 waited more than 3 s (a caller whose ticket was overwritten polls until the
next message deletes the lock). This store, in the same rounds: no overlap, no LockError, none stuck.

How: a conversation's lock is three keys, changed only by Lua scripts, which Redis runs one at
a time. `next` is a counter (INCR) that numbers the tickets; `queue` is a sorted set of the live
ticket numbers (score = number, so the head is the oldest: first come, first served); `expiry`
is a sorted set of the same numbers scored by when each expires, in Redis's own clock (TIME), so
the servers' clocks never matter. Every script first drops expired tickets, so the ticket of a
server that died while holding the lock stops blocking the conversation after the lock lifetime
(TICKET_LOCK_LIFETIME, as in Rasa). `queue` and `expiry` expire with their last ticket; the
counter outlives them by a day so ticket numbers never repeat while an old holder may still
clean up after itself. A waiter whose own ticket expired gets LockError, as Rasa raises when
its lock is gone.

endpoints.yml:
    lock_store:
      type: rasa_plugins.runtime.lock_store.AtomicRedisLockStore
      url: <redis host>
      port: 6379
      db: 1
      key_prefix: <letters and digits>   # keys: <key_prefix>:lock:{<conversation id>}:next|queue|expiry

It accepts RedisLockStore's settings (password, username, use_ssl, ssl_*, socket_timeout). As a
RedisLockStore, Rasa lets SANIC_WORKERS run several workers with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# How long the ticket counter outlives the last ticket: longer than any message is handled, so a
# holder whose ticket expired can never remove a later ticket that reused its number.
COUNTER_TTL_MS = 24 * 60 * 60 * 1000

# Shared by every script: `now` in milliseconds by Redis's clock, then expired tickets dropped.
# replicate_commands lets a script write after TIME on Redis before 5 (a no-op since).
_PRUNE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS_EXPIRY, '-inf', now)
for _, number in ipairs(expired) do
  redis.call('ZREM', KEYS_QUEUE, number)
end
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS_EXPIRY, '-inf', now)
end
"""

# KEYS: next, queue, expiry. ARGV: lifetime in ms, counter TTL in ms. Returns the new ticket number and
# how many live tickets are before it (0: it holds the lock), so an uncontended message takes its lock
# in one round trip.
_ISSUE = (
    "local KEYS_QUEUE, KEYS_EXPIRY = KEYS[2], KEYS[3]\n"
    + _PRUNE
    + """
local number = redis.call('INCR', KEYS[1])
-- if the counter was lost (evicted, flushed) while tickets live, numbering goes on after them
local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0)
if newest[1] and tonumber(newest[1]) >= number then
  number = tonumber(newest[1]) + 1
  redis.call('SET', KEYS[1], string.format('%d', number))
end
local member = string.format('%d', number)
redis.call('ZADD', KEYS[2], number, member)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), member)
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
local ttl = math.max(1, tonumber(last[2]) - now + 1000)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('PEXPIRE', KEYS[1], math.max(ttl, tonumber(ARGV[2])))
return {number, redis.call('ZRANK', KEYS[2], member)}
"""
)

# KEYS: queue, expiry. ARGV: ticket number. Returns 0 if the ticket holds the lock, else how many
# tickets are before it, or -1 if it is no longer live (expired).
_CHECK = (
    "local KEYS_QUEUE, KEYS_EXPIRY = KEYS[1], KEYS[2]\n"
    + _PRUNE
    + """
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank == false then
  return -1
end
return rank
"""
)

# KEYS: queue, expiry. ARGV: ticket number, or '' to only drop expired tickets. Returns how many
# live tickets remain; the keys go when none does.
_RELEASE = (
    "local KEYS_QUEUE, KEYS_EXPIRY = KEYS[1], KEYS[2]\n"
    + _PRUNE
    + """
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local left = redis.call('ZCARD', KEYS[1])
if left == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return left
"""
)


# redis.asyncio.Redis's settings that the synchronous client's connections also carry.
_ASYNC_SETTINGS = {"host", "port", "db", "username", "password", "socket_timeout", "socket_connect_timeout"}
_ASYNC_SETTINGS |= {"ssl_keyfile", "ssl_certfile", "ssl_ca_certs", "ssl_cert_reqs"}


def _issue_args(lock_lifetime: float) -> list[int]:
    return [max(1, int(lock_lifetime * 1000)), COUNTER_TTL_MS]


# How often a waiting message asks whether its turn has come. Rasa asks every second, so a burst of
# 24 messages to one conversation took over 20 s to drain; a check is one short script on Redis.
POLL_SECONDS = 0.02


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket issuing, hold check and release are each one atomic script.

    The scripts that every message runs (take a ticket, wait for its turn, give it back) go through
    redis.asyncio: the server's event loop answers other conversations while Redis answers, where
    Rasa's store blocks the loop for each round trip (41 % of the server's main thread under load
    with two servers on two cores, docs/performance.md). The rest of Rasa's interface stays on the
    synchronous client Rasa's store made."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Rasa builds a lock store named by module path as `cls(endpoint_config=...)`; the
        endpoint's `url` is the Redis host and its other keys are RedisLockStore's arguments."""
        settings: dict[str, Any] = {}
        if endpoint_config is not None:
            if endpoint_config.url:
                settings["host"] = endpoint_config.url
            settings.update(endpoint_config.kwargs)
        settings.update(kwargs)
        self.poll_seconds = float(settings.pop("poll_seconds", POLL_SECONDS))
        super().__init__(**settings)
        self._issue = self.red.register_script(_ISSUE)
        self._check = self.red.register_script(_CHECK)
        self._release = self.red.register_script(_RELEASE)
        self._connection = self.red.connection_pool.connection_kwargs  # the same Redis, for the async client
        self._async: tuple[asyncio.AbstractEventLoop, Any, Any, Any, Any] | None = None

    def _scripts(self) -> tuple[Any, Any, Any]:
        """The issue, check and release scripts on an async client of this event loop's own (a client's
        connections belong to the loop that opened them; tests run one loop after another)."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            from redis import asyncio as aioredis

            settings = {k: v for k, v in self._connection.items() if k in _ASYNC_SETTINGS}
            if self.red.connection_pool.connection_class.__name__ == "SSLConnection":
                settings["ssl"] = True
            client = aioredis.Redis(**settings)
            scripts = tuple(client.register_script(script) for script in (_ISSUE, _CHECK, _RELEASE))
            self._async = (loop, client, *scripts)
        return self._async[2], self._async[3], self._async[4]

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        # The braces make the three keys one hash slot, so the scripts also run on Redis Cluster.
        base = f"{self.key_prefix}{{{conversation_id}}}:"
        return base + "next", base + "queue", base + "expiry"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the next ticket for `conversation_id`, live for `lock_lifetime` seconds."""
        logger.debug(f"Issuing ticket for conversation '{conversation_id}'.")
        try:
            number, _ = self._issue(keys=self._keys(conversation_id), args=_issue_args(lock_lifetime))
        except Exception as e:
            # as Rasa's issue_ticket does, whatever went wrong
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        return int(number)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the lock of `conversation_id` (Rasa's contract): take a ticket, wait for its turn,
        polling every `wait_time_in_seconds` or `poll_seconds`, whichever is shorter, and give it back
        on leaving. Raises LockError if the ticket expires before its turn."""
        issue, check, release = self._scripts()
        keys = self._keys(conversation_id)
        try:
            number, before = await issue(keys=keys, args=_issue_args(lock_lifetime))
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        ticket, wait = int(number), min(wait_time_in_seconds, self.poll_seconds)
        try:
            while int(before) != 0:
                if int(before) < 0:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                logger.debug(
                    f"Failed to acquire lock for conversation ID '{conversation_id}' because {before} other "
                    f"item(s) for this conversation ID have to be finished processing first. "
                    f"Retrying in {wait} seconds ..."
                )
                await asyncio.sleep(wait)
                before = await check(keys=keys[1:], args=[ticket])
            logger.debug(f"Acquired lock for conversation '{conversation_id}'.")
            # Rasa never reads the lock it is given; the ticket's own expiry is by this server's clock.
            yield TicketLock(conversation_id, deque([Ticket(ticket, time.time() + lock_lifetime)]))
        finally:
            await release(keys=keys[1:], args=[ticket])

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """A snapshot of the live tickets (expiry in epoch seconds by Redis's clock), oldest first."""
        _, _, expiry = self._keys(conversation_id)
        scored = self.red.zrange(expiry, 0, -1, withscores=True)
        if not scored:
            return None
        tickets = sorted((Ticket(int(number), score / 1000) for number, score in scored), key=lambda t: t.number)
        return TicketLock(conversation_id, deque(tickets))

    def save_lock(self, lock: TicketLock) -> None:
        """Not supported: writing a whole lock back is the read-modify-write this store replaces."""
        raise NotImplementedError("AtomicRedisLockStore changes tickets only through issue_ticket and cleanup.")

    def delete_lock(self, conversation_id: str) -> None:
        """Drop every ticket of `conversation_id`; the counter stays, so numbers never repeat."""
        _, queue, expiry = self._keys(conversation_id)
        self._log_deletion(conversation_id, bool(self.red.delete(queue, expiry)))

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets of `conversation_id`."""
        _, queue, expiry = self._keys(conversation_id)
        self._release(keys=[queue, expiry], args=[""])

    def is_someone_waiting(self, conversation_id: str) -> bool:
        _, queue, expiry = self._keys(conversation_id)
        return int(self._release(keys=[queue, expiry], args=[""])) > 0

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give back `ticket_number`; the lock's keys go with its last live ticket."""
        _, queue, expiry = self._keys(conversation_id)
        self._release(keys=[queue, expiry], args=[ticket_number])
