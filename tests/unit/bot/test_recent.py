"""Slack's de-duplication and threads shared through Redis: what several servers behind nginx need.

Against the Redis on 127.0.0.1:6379, each test under a namespace of its own, removed afterwards.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time

import pytest
import redis

from bot import recent as recent_module
from bot.recent import RecentInMemory, RecentInRedis, recent
from bot.slack.events import EventFilter
from launcher.servers import free_port

REDIS_URL = "redis://127.0.0.1:6379/1"
BOT = "UBOT"


@pytest.fixture
def client():
    connection = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    yield connection
    connection.close()


@pytest.fixture
def namespace(client):
    name = f"test:{secrets.token_hex(6)}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def servers(client, namespace: str, ttl: float = 60, count: int = 2) -> list[EventFilter]:
    """`count` servers' filters, each with its own client to the same Redis, as on separate machines."""
    filters = []
    for _ in range(count):
        own = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        handled = RecentInRedis(own, f"{namespace}:handled", ttl)
        threads = RecentInRedis(own, f"{namespace}:threads", ttl)
        filters.append(EventFilter(BOT, handled=handled, threads=threads))
    return filters


def mention(ts: str = "1700000000.000100", channel: str = "C1", **fields) -> dict:
    body = {"type": "app_mention", "user": "UJANE", "channel": channel, "ts": ts, "text": f"<@{BOT}> is there a fee?"}
    body.update(fields)
    return {"type": "event_callback", "event_id": "Ev1", "event": body}


def test_a_retry_on_the_other_server_is_not_answered_again(client, namespace):
    first, second = servers(client, namespace)
    message = first.interpret(mention())
    assert message is not None and message.text == "is there a fee?"
    assert second.interpret(mention()) is None  # Slack's retry, sent to the other server
    assert first.interpret(mention()) is None


def test_the_same_event_on_two_servers_at_once_is_answered_by_exactly_one(client, namespace):
    def deliver(start: threading.Barrier, events: EventFilter, body: dict, results: list) -> None:
        start.wait()
        results.append(events.interpret(body))

    for round_ in range(5):
        filters = servers(client, namespace)
        start = threading.Barrier(len(filters))
        results: list = []
        body = mention(ts=f"1700000000.{round_:06d}")
        workers = [threading.Thread(target=deliver, args=(start, events, body, results)) for events in filters]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(10)
        assert sum(result is not None for result in results) == 1, results


def test_a_reply_in_a_thread_one_server_started_is_addressed_on_the_other(client, namespace):
    first, second = servers(client, namespace)
    first.interpret(mention())
    reply = mention(type="message", channel_type="channel", text="yes", ts="1700000001.000200")
    reply["event"]["thread_ts"] = "1700000000.000100"
    answered = second.interpret(reply)
    assert answered is not None and answered.conversation_id == "slack:C1:1700000000.000100:UJANE"
    elsewhere = mention(type="message", channel_type="channel", text="hello all", ts="1700000002.000300")
    assert second.interpret(elsewhere) is None  # channel talk outside the thread, no mention


def test_keys_expire_after_their_ttl(client, namespace):
    store = RecentInRedis(client, namespace, ttl=1)
    key = ("C1", "1700000000.000100")
    assert store.add(key) and key in store and not store.add(key)
    assert 0 < client.pttl(store.key(key)) <= 1000
    time.sleep(1.2)
    assert key not in store
    assert store.add(key)  # new again once forgotten


def test_keys_are_hashed_under_the_namespace_and_tuples_stay_apart(client, namespace):
    store = RecentInRedis(client, namespace, ttl=60)
    assert store.key(("C1", "1.2")).startswith(f"{namespace}:") and "C1" not in store.key(("C1", "1.2"))
    assert store.key(("C1:1", "2")) != store.key(("C1", "1:2"))  # no separator to confuse
    assert store.add(("C1:1", "2")) and store.add(("C1", "1:2"))


def test_a_redis_that_is_down_still_lets_the_message_through_once_and_warns_once(caplog):
    down = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/1", socket_timeout=0.5, socket_connect_timeout=0.5)
    store = RecentInRedis(down, "test:down", ttl=60)
    events = EventFilter(BOT, handled=store, threads=RecentInRedis(down, "test:down", ttl=60))
    with caplog.at_level(logging.WARNING, logger="bot.recent"):
        assert events.interpret(mention()) is not None  # answered
        assert events.interpret(mention(type="message", channel_type="channel")) is None  # its twin, once
        assert events.interpret(mention(ts="1700000003.000400")) is not None
    assert sum("Redis unavailable" in record.getMessage() for record in caplog.records) == 2  # one per set


def test_the_store_follows_acts_redis_url(monkeypatch):
    monkeypatch.delenv("ACTS_REDIS_URL", raising=False)
    assert isinstance(recent("test:any", ttl=60, capacity=10), RecentInMemory)
    events = EventFilter(BOT)
    assert isinstance(events._handled, RecentInMemory) and isinstance(events._threads, RecentInMemory)
    monkeypatch.setenv("ACTS_REDIS_URL", REDIS_URL)
    assert isinstance(recent("test:any", ttl=60, capacity=10), RecentInRedis)
    events = EventFilter(BOT)
    assert isinstance(events._handled, RecentInRedis) and isinstance(events._threads, RecentInRedis)
    assert events._handled.client is events._threads.client is recent_module._client(REDIS_URL)  # one pool
