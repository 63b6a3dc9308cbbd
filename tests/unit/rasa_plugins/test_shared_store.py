"""The production tracker store (SharedTrackerStore): several stores on one database behave as the
several Rasa servers of the production set-up, each with its own live copies. What one saved, the
other continues; a copy another server or an erasure made stale is never used; every event lands
once; what it writes is Rasa's own row format, without live upload links."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy.engine import make_url

from bot.store.rasa_events import RasaEventLog
from rasa_plugins.runtime.shared_tracker_store import SharedTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {
            "email": {"type": "text", "mappings": [{"type": "custom"}]},
            "upload_token": {"type": "any", "mappings": [{"type": "custom"}]},
        },
        "responses": {"utter_greet": [{"text": "hi"}]},
    }
)


def run(coroutine):
    return asyncio.run(coroutine)


def texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def said(text: str) -> UserUttered:
    return UserUttered(text, {"name": "greet", "confidence": 1.0})


async def turn(store, sender: str, text: str, email: str | None = None):
    """One message as Rasa handles it under the conversation's lock: retrieve (or start), change, save."""
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(said(text))
    if email:
        tracker.update(SlotSet("email", email))
    tracker.update(BotUttered("hi"))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    await store.save(tracker)


async def new_session(store, sender: str):
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    await store.save(tracker)


def stored(url: str, sender: str) -> list[dict]:
    return RasaEventLog(url).events(sender)


@pytest.fixture
def url(database_url):
    return database_url


def test_two_servers_taking_turns_keep_one_conversation_with_every_event_once(url):
    first, second = SharedTrackerStore(DOMAIN, url=url), SharedTrackerStore(DOMAIN, url=url)

    async def talk(sender, stores):
        await new_session(stores[0], sender)
        for n, text in enumerate(("hello", "my address", "bye")):
            await turn(stores[n % len(stores)], sender, text, email=f"{n}@example.org")

    run(talk("alice", [first, second]))
    run(talk("bob", [first]))  # the same conversation on one server
    for store in (first, second):
        tracker = run(store.retrieve("alice"))
        assert texts(tracker) == ["hello", "my address", "bye"]
        assert tracker.get_slot("email") == "2@example.org"

    def plain(rows):
        return [row | {"timestamp": 0} for row in rows]

    assert plain(stored(url, "alice")) == plain(stored(url, "bob"))
    assert len(stored(url, "alice")) == len(run(first.retrieve_full_tracker("alice")).events) == 1 + 3 + 3 * 4


def test_a_live_copy_is_used_only_while_it_is_the_latest(url):
    first, second = SharedTrackerStore(DOMAIN, url=url), SharedTrackerStore(DOMAIN, url=url)
    run(turn(first, "alice", "hello"))
    reads = []
    last_session = first.log.last_session
    first.log.last_session = lambda sender: reads.append(sender) or last_session(sender)
    run(turn(first, "alice", "again"))  # nobody else wrote: the live tracker, no read of the session
    assert reads == []
    run(turn(second, "alice", "on the other server"))
    assert texts(run(first.retrieve("alice"))) == ["hello", "again", "on the other server"]
    assert reads == ["alice"]


def test_what_a_server_saved_comes_back_after_its_restart(url):
    store = SharedTrackerStore(DOMAIN, url=url)

    async def two_sessions():
        await new_session(store, "alice")
        await turn(store, "alice", "first session", email="old@example.org")
        await new_session(store, "alice")
        await turn(store, "alice", "second session", email="new@example.org")

    run(two_sessions())
    restarted = SharedTrackerStore(DOMAIN, url=url)
    last = run(restarted.retrieve("alice"))
    assert texts(last) == ["second session"] and last.get_slot("email") == "new@example.org"
    assert texts(run(restarted.retrieve_full_tracker("alice"))) == ["first session", "second session"]
    assert list(run(restarted.keys())) == ["alice"] and run(restarted.retrieve("bob")) is None


def test_what_it_writes_rasas_own_sql_store_reads_the_same(url):
    """Rasa's rows, Rasa's cuts: the last session as Rasa's stores return it from action_session_start."""
    ours, memory = SharedTrackerStore(DOMAIN, url=url), InMemoryTrackerStore(DOMAIN)
    for store in (ours, memory):
        run(new_session(store, "alice"))
        run(turn(store, "alice", "first", email="a@example.org"))
        run(new_session(store, "alice"))
        run(turn(store, "alice", "second"))
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        rasa = SQLTrackerStore(DOMAIN, dialect="sqlite", db=parsed.database)
    else:
        where = {"url": parsed.host, "port": parsed.port, "db": parsed.database, "username": parsed.username}
        rasa = SQLTrackerStore(DOMAIN, dialect="postgresql", **where)
    assert texts(run(rasa.retrieve_full_tracker("alice"))) == ["first", "second"]
    assert texts(run(rasa.retrieve("alice"))) == ["second"]

    def plain(tracker):
        return [e.as_dict() | {"timestamp": 0} for e in tracker.events]

    fresh = SharedTrackerStore(DOMAIN, url=url)
    assert plain(run(fresh.retrieve("alice"))) == plain(run(memory.retrieve("alice")))


def test_a_conversation_erased_between_messages_starts_afresh(url):
    store = SharedTrackerStore(DOMAIN, url=url)
    run(turn(store, "alice", "my email is alice@example.org", email="alice@example.org"))
    assert RasaEventLog(url).delete(["alice"]) == 1  # "delete my data", retention, or staff
    assert run(store.retrieve("alice")) is None
    run(turn(store, "alice", "hello again"))
    tracker = run(store.retrieve("alice"))
    assert texts(tracker) == ["hello again"] and tracker.get_slot("email") is None


def test_a_conversation_erased_while_a_message_is_handled_keeps_only_that_message(url):
    store = SharedTrackerStore(DOMAIN, url=url)
    run(turn(store, "alice", "my email is alice@example.org", email="alice@example.org"))

    async def erased_meanwhile():
        tracker = await store.retrieve("alice")
        tracker.update(said("delete my data"))
        tracker.update(BotUttered("Done: everything is deleted."))
        RasaEventLog(url).delete(["alice"])  # the web service erases while Rasa finishes this message
        await store.save(tracker)

    run(erased_meanwhile())
    rows = stored(url, "alice")
    assert [row.get("text") for row in rows] == ["delete my data", "Done: everything is deleted."]
    for tracker in (run(store.retrieve("alice")), run(SharedTrackerStore(DOMAIN, url=url).retrieve("alice"))):
        assert texts(tracker) == ["delete my data"] and tracker.get_slot("email") is None


def test_a_write_without_the_lock_loses_no_message_and_is_read_back(url):
    """Rasa's HTTP API used beside the chat: two servers handle one conversation at once."""
    first, second = SharedTrackerStore(DOMAIN, url=url), SharedTrackerStore(DOMAIN, url=url)
    run(turn(first, "alice", "hello"))

    async def overlapping():
        mine = await first.retrieve("alice")
        await turn(second, "alice", "from the other server")
        mine.update(said("from this server"))
        await first.save(mine)

    run(overlapping())
    everything = ["hello", "from the other server", "from this server"]
    assert [row["text"] for row in stored(url, "alice") if row["event"] == "user"] == everything
    assert texts(run(first.retrieve("alice"))) == everything  # its live copy was dropped: read back


def test_a_handling_that_failed_half_way_is_not_kept(url):
    store = SharedTrackerStore(DOMAIN, url=url)
    run(turn(store, "alice", "hello"))
    tracker = run(store.retrieve("alice"))
    tracker.update(said("never saved"))  # the action server failed: Rasa never saves this
    assert texts(run(store.retrieve("alice"))) == ["hello"]
    assert [row.get("text") for row in stored(url, "alice") if row["event"] == "user"] == ["hello"]


def test_live_upload_links_never_reach_the_table_but_the_conversation_keeps_them(url):
    token = "T0k3n_" + "a" * 37
    link = f"http://localhost:8080/upload/{token}"
    store = SharedTrackerStore(DOMAIN, url=url)

    async def talk():
        tracker = await store.get_or_create_tracker("web:alice")
        tracker.update(BotUttered(f"Please upload your certificate here: {link}"))
        tracker.update(SlotSet("upload_token", token))
        await store.save(tracker)
        assert (await store.retrieve("web:alice")).get_slot("upload_token") == token

    run(talk())
    log = RasaEventLog(url)
    with log.engine.connect() as db:
        raw = " ".join(data for (data,) in db.execute(log.table.select().with_only_columns(log.table.c.data)))
    assert token not in raw and "redacted." in raw
    assert json.dumps(token) not in raw


@pytest.mark.postgresql
def test_connections_lost_under_it_cost_no_message():
    """PostgreSQL restarted (its connections to this server cut): the next message is read and written
    on new connections."""
    from sqlalchemy import create_engine, text

    from tests.conftest import fresh_postgres_database

    with fresh_postgres_database() as url:
        store = SharedTrackerStore(DOMAIN, url=url)
        run(turn(store, "alice", "hello"))
        admin = create_engine(url, future=True)
        with admin.connect() as db:
            cut = db.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        admin.dispose()
        assert cut >= 1
        run(turn(store, "alice", "still there?"))
        assert texts(run(SharedTrackerStore(DOMAIN, url=url).retrieve("alice"))) == ["hello", "still there?"]
        store.log.engine.dispose()
