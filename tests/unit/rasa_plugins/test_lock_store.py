"""The atomic Redis lock store against a real Redis: Rasa's RedisLockStore lets two callers of one
conversation in at once, ours never does; tickets are served first come, first served; a dead
holder's ticket expires; endpoints.yml loads the class and Rasa still runs several workers with it."""

from __future__ import annotations

import asyncio
import os
import secrets
import string
import threading
import time
from dataclasses import dataclass

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from rasa_plugins.runtime.lock_store import AtomicRedisLockStore

REDIS_HOST = os.environ.get("ACTS_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("ACTS_TEST_REDIS_PORT", "6379"))
REDIS_DB = 15  # not Rasa's default (1); every key a test makes is under its own random prefix, removed after

CLASS_PATH = "rasa_plugins.runtime.lock_store.AtomicRedisLockStore"


@pytest.fixture
def red() -> redis.Redis:
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"These tests need the Redis at {REDIS_HOST}:{REDIS_PORT}: {error}")
    return client


@pytest.fixture
def prefix(red: redis.Redis):
    name = "t" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))
    yield name
    keys = list(red.scan_iter(match=f"{name}:*", count=1000))
    if keys:
        red.delete(*keys)


def _store(cls: type[RedisLockStore], prefix: str) -> RedisLockStore:
    return cls(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, key_prefix=prefix)


@dataclass
class Rounds:
    played: int = 0
    entries: int = 0
    overlapping_rounds: int = 0
    lock_errors: int = 0
    stuck: int = 0  # callers still waiting when their round ended


def _play_rounds(
    cls: type[RedisLockStore], prefix: str, callers: int, rounds: int, stop_at_first_overlap: bool = False
) -> Rounds:
    """`callers` threads, each with its own store as separate servers have, are released together
    each round to handle one message of the round's conversation, 5 ms inside the lock."""
    result = Rounds()
    guard = threading.Lock()
    inside = [0]
    overlapped = [False]
    stop = [False]

    def end_of_round() -> None:  # run by the barrier, once per round, while every caller waits
        result.played += 1
        result.overlapping_rounds += overlapped[0]
        stop[0] = result.played >= rounds or (stop_at_first_overlap and overlapped[0])
        inside[0], overlapped[0] = 0, False

    start = threading.Barrier(callers)
    finish = threading.Barrier(callers, action=end_of_round)

    async def one_message(store: RedisLockStore, conversation_id: str) -> None:
        try:
            async with store.lock(conversation_id, lock_lifetime=2, wait_time_in_seconds=0.002):
                with guard:
                    result.entries += 1
                    inside[0] += 1
                    overlapped[0] = overlapped[0] or inside[0] > 1
                await asyncio.sleep(0.005)
                with guard:
                    inside[0] -= 1
        except LockError:
            with guard:
                result.lock_errors += 1

    def caller() -> None:
        store = _store(cls, prefix)

        async def play() -> None:
            while not stop[0]:
                start.wait()
                try:
                    # Rasa's store can lose a ticket; its owner then polls until the lock is deleted
                    await asyncio.wait_for(one_message(store, f"conversation{result.played}"), 0.5)
                except asyncio.TimeoutError:
                    with guard:
                        result.stuck += 1
                finish.wait()

        asyncio.run(play())

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return result


ROUNDS = 40


def test_rasas_redis_lock_store_lets_two_callers_in_at_once(prefix: str) -> None:
    # The race this module exists for, measured: in development two or three callers overlapped in
    # most rounds, so one overlap within ROUNDS rounds is as good as certain; the test stops there.
    played = _play_rounds(RedisLockStore, prefix, callers=3, rounds=ROUNDS, stop_at_first_overlap=True)
    assert played.overlapping_rounds >= 1, played


def test_ours_never_lets_two_callers_in_at_once(prefix: str) -> None:
    played = _play_rounds(AtomicRedisLockStore, prefix, callers=3, rounds=ROUNDS)
    assert played == Rounds(played=ROUNDS, entries=3 * ROUNDS)


def test_tickets_issued_at_once_are_all_different(prefix: str) -> None:
    issued: list[int] = []
    start = threading.Barrier(4)

    def issue() -> None:
        store = _store(AtomicRedisLockStore, prefix)
        start.wait()
        numbers = [store.issue_ticket("conversation", lock_lifetime=5) for _ in range(25)]
        issued.extend(numbers)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(1, 101))


def test_tickets_are_served_first_come_first_served(prefix: str) -> None:
    stores = [_store(AtomicRedisLockStore, prefix) for _ in range(5)]
    served: list[int] = []
    inside = [0]

    async def message(index: int) -> None:
        async with stores[index].lock("conversation", lock_lifetime=10, wait_time_in_seconds=0.005):
            inside[0] += 1
            assert inside[0] == 1
            served.append(index)
            await asyncio.sleep(0.02)
            inside[0] -= 1

    async def main() -> None:
        tasks = []
        # each message takes its ticket as soon as it starts; later ones arrive 10 ms apart, in a
        # scrambled order of stores so the order served can only come from the tickets
        for index in (0, 3, 1, 4, 2):
            tasks.append(asyncio.create_task(message(index)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert served == [0, 3, 1, 4, 2]


def test_a_dead_holders_ticket_expires_and_the_next_message_goes_on(prefix: str, red: redis.Redis) -> None:
    dead_server = _store(AtomicRedisLockStore, prefix)
    dead_server.issue_ticket("conversation", lock_lifetime=0.5)  # took the lock, then crashed: never cleaned up
    store = _store(AtomicRedisLockStore, prefix)

    async def next_message() -> float:
        began = time.monotonic()
        async with store.lock("conversation", lock_lifetime=10, wait_time_in_seconds=0.02):
            return time.monotonic() - began

    waited = asyncio.run(next_message())
    assert 0.35 < waited < 2
    # the lock's keys went with its last ticket; only the ticket counter stays, and it expires too
    keys = [key.decode() for key in red.scan_iter(match=f"{prefix}:*")]
    assert keys == [f"{prefix}:lock:{{conversation}}:next"]
    assert 0 < red.ttl(keys[0]) <= 24 * 60 * 60


def test_a_waiter_whose_ticket_expires_before_its_turn_gets_a_lock_error(prefix: str) -> None:
    store = _store(AtomicRedisLockStore, prefix)

    async def main() -> None:
        async with store.lock("conversation", lock_lifetime=10):
            with pytest.raises(LockError):
                async with store.lock("conversation", lock_lifetime=0.2, wait_time_in_seconds=0.02):
                    pass

    asyncio.run(main())
    assert store.get_lock("conversation") is None


def test_endpoints_yml_loads_it(prefix: str, tmp_path) -> None:
    # as deploy/rasa/endpoints.yml gives it: port and db as text, an empty password for a Redis without one
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "lock_store:\n"
        f"  type: {CLASS_PATH}\n"
        f"  url: {REDIS_HOST}\n"
        f"  port: '{REDIS_PORT}'\n"
        f"  db: '{REDIS_DB}'\n"
        "  password: ''\n"
        f"  key_prefix: {prefix}\n"
    )
    store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == f"{prefix}:lock:"
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == (REDIS_HOST, REDIS_PORT, REDIS_DB)

    async def message() -> int:
        async with store.lock("conversation") as lock:
            return lock.now_serving

    assert asyncio.run(message()) == 1


def test_rasa_runs_several_workers_with_it(prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANIC_WORKERS", "3")
    config = EndpointConfig(type=CLASS_PATH, url=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, key_prefix=prefix)
    assert number_of_sanic_workers(config) == 3
    assert number_of_sanic_workers(LockStore.create(config)) == 3
    assert number_of_sanic_workers(InMemoryLockStore()) == 1
