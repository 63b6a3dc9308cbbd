"""The durable tracker store: what was saved comes back after a restart, exactly as Rasa's own SQL
store returns it, and retention deletes only conversations idle for longer than allowed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.store.conversations import ConversationLog
from bot.store.db import migrate
from rasa_plugins.runtime.tracker_store import DurableTrackerStore
from tests.conftest import ROOT

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {"email": {"type": "text", "mappings": [{"type": "custom"}]}},
        "responses": {"utter_greet": [{"text": "hi"}]},
    }
)


def run(coroutine):
    return asyncio.run(coroutine)


def texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def two_sessions(store, sender: str = "alice"):
    """A conversation of two sessions, saved after each turn as Rasa does."""

    async def talk():
        tracker = await store.get_or_create_tracker(sender)
        for session, said in (("first", ("hello", "my email")), ("second", ("back again", "bye"))):
            tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
            tracker.update(SessionStarted())
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await store.save(tracker)
            tracker = await store.retrieve(sender)
            for text in said:
                tracker.update(UserUttered(f"{session}: {text}", {"name": "greet", "confidence": 1.0}))
                tracker.update(SlotSet("email", f"{session}@example.org"))
                tracker.update(BotUttered("hi"))
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await store.save(tracker)
                tracker = await store.retrieve(sender)

    run(talk())


@pytest.fixture
def path(tmp_path):
    return tmp_path / "conversations.db"


def test_everything_saved_comes_back_in_a_new_process(path):
    two_sessions(DurableTrackerStore(DOMAIN, db=str(path)))
    # A new store on the same file: as after a restart or a crash of the server.
    again = DurableTrackerStore(DOMAIN, db=str(path))
    last = run(again.retrieve("alice"))
    assert texts(last) == ["second: back again", "second: bye"]
    assert last.get_slot("email") == "second@example.org"
    full = run(again.retrieve_full_tracker("alice"))
    assert texts(full) == ["first: hello", "first: my email", "second: back again", "second: bye"]
    assert run(again.retrieve("bob")) is None and list(run(again.keys())) == ["alice"]


def test_a_conversation_goes_on_after_a_restart_without_repeating_or_losing_events(path):
    store = DurableTrackerStore(DOMAIN, db=str(path))
    two_sessions(store)
    before = len(run(store.retrieve_full_tracker("alice")).events)
    again = DurableTrackerStore(DOMAIN, db=str(path))
    tracker = run(again.retrieve("alice"))
    tracker.update(UserUttered("after the restart", {"name": "greet", "confidence": 1.0}))
    run(again.save(tracker))
    full = run(DurableTrackerStore(DOMAIN, db=str(path)).retrieve_full_tracker("alice"))
    assert texts(full)[-2:] == ["second: bye", "after the restart"]
    assert len(full.events) == before + 1


def same_events(mine, theirs) -> bool:
    return [e.as_dict() | {"timestamp": 0} for e in mine.events] == [
        e.as_dict() | {"timestamp": 0} for e in theirs.events
    ] and mine.current_slot_values() == theirs.current_slot_values()


def test_retrieve_and_the_full_tracker_match_rasas_own_stores(path):
    """The last session as Rasa's default in-memory store cuts it (from action_session_start;
    Rasa's SQL store cuts one event later, at session_started), and every session as Rasa's SQL
    store keeps them (its in-memory store forgets earlier sessions once a new one is saved)."""
    ours = DurableTrackerStore(DOMAIN, db=str(path))
    memory, sql = InMemoryTrackerStore(DOMAIN), SQLTrackerStore(DOMAIN, dialect="sqlite", db="")
    for store in (ours, memory, sql):
        two_sessions(store)
    restarted = DurableTrackerStore(DOMAIN, db=str(path))
    for mine in (ours, restarted):
        assert same_events(run(mine.retrieve("alice")), run(memory.retrieve("alice")))
        assert same_events(run(mine.retrieve_full_tracker("alice")), run(sql.retrieve_full_tracker("alice")))


def test_only_what_was_committed_is_acknowledged(path):
    """save() returns once the events are on disk: a reader that is not the store sees them."""
    store = DurableTrackerStore(DOMAIN, db=str(path))
    two_sessions(store)
    assert len(ConversationLog(path).events("alice")) == len(run(store.retrieve_full_tracker("alice")).events)


def test_retention_deletes_only_conversations_idle_for_longer_than_allowed(path, tmp_path):
    store = DurableTrackerStore(DOMAIN, db=str(path))
    two_sessions(store, "old")
    two_sessions(store, "recent")
    migrate(f"sqlite:///{tmp_path / 'acts.db'}")
    log = ConversationLog(path)
    with log._reading() as db:  # "old" was last active 100 days ago
        db.execute("UPDATE conversations SET last_active = ? WHERE sender_id = 'old'", (time.time() - 100 * 86400,))

    def retention(*args: str) -> str:
        command = [sys.executable, "-m", "bot.store.retention", "--conversations-db", str(path), *args]
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'acts.db'}", "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "1 conversation" in retention("--dry-run") and log.senders() == ["old", "recent"]
    assert "deleted 1 conversation" in retention()
    assert log.senders() == ["recent"] and log.events("old") == []
    assert "0 conversations" in retention("--days", "120")


def test_the_file_is_asked_about_a_conversation_in_memory_only_after_a_deletion(path):
    store = DurableTrackerStore(DOMAIN, db=str(path))
    two_sessions(store, "alice")
    two_sessions(store, "bob")
    asked = []
    position = store.log.position
    store.log.position = lambda sender: asked.append(sender) or position(sender)

    async def one_more_turn(sender):
        tracker = await store.retrieve(sender)
        if tracker is None:
            return None
        tracker.update(UserUttered("still here", {"name": "greet", "confidence": 1.0}))
        await store.save(tracker)
        return await store.retrieve(sender)

    for _ in range(3):  # nothing deleted: the conversations in memory are trusted, no query per message
        run(one_more_turn("alice"))
    assert asked == []
    assert ConversationLog(path).delete(["bob"]) == 1  # another process (erasure, retention) deletes one
    assert run(one_more_turn("bob")) is None  # the deletion is noticed: bob's conversation is gone here too
    run(one_more_turn("alice"))
    assert sorted(set(asked)) == ["alice", "bob"]  # each conversation checked once after the deletion
    asked.clear()
    run(one_more_turn("alice"))
    assert asked == []
    assert "still here" in texts(run(store.retrieve("alice")))


UPLOAD_DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {"upload_token": {"type": "any", "mappings": [{"type": "custom"}]}},
        "responses": {"utter_greet": [{"text": "hi"}]},
    }
)


def raw_bytes(path) -> bytes:
    """Everything SQLite keeps of the file: the database, its write-ahead log and shared memory."""
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_live_upload_links_are_never_written_to_the_file_but_the_conversation_keeps_them(path):
    token, other = "T0k3n_" + "a" * 37, "u00e9" + "b" * 20  # the other looks like an escape sequence
    url = f"http://localhost:8080/upload/{token}"

    async def talk():
        store = DurableTrackerStore(UPLOAD_DOMAIN, db=str(path))
        tracker = await store.get_or_create_tracker("web:alice")
        tracker.update(BotUttered(f"Please upload your certificate with this one-time link: {url}"))
        tracker.update(BotUttered(data={"custom": {"upload": {"url": url, "token": token}}}))
        tracker.update(SlotSet("upload_token", token))
        await store.save(tracker)
        tracker = await store.retrieve("web:alice")
        assert tracker.get_slot("upload_token") == token  # the running conversation has it
        metadata = {"upload_token": token, "note": other}
        tracker.update(
            UserUttered(f"é uploaded to {url} ({other})", {"name": "greet", "confidence": 1.0}, metadata=metadata)
        )
        await store.save(tracker)
        return await store.retrieve("web:alice")

    live = run(talk())
    assert live.get_slot("upload_token") == token
    assert token.encode() not in raw_bytes(path)
    restarted = run(DurableTrackerStore(UPLOAD_DOMAIN, db=str(path)).retrieve("web:alice"))
    kept = restarted.get_slot("upload_token")
    assert kept.startswith("redacted.") and token not in kept and token not in str(restarted.current_state())
    said = [e.text for e in restarted.events if isinstance(e, UserUttered)]
    assert said == [f"é uploaded to http://localhost:8080/upload/{kept} ({other})"]  # the rest as it was
