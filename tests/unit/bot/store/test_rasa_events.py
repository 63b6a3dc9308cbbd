"""Conversations in Rasa's own SQL tracker store (the production set-up) are read, found idle and
deleted through RasaEventLog, so export, "delete my data" and retention reach them as they reach the
embedded conversation file; the deployment's setting picks the store."""

from __future__ import annotations

import asyncio
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.store.conversation_logs import open_conversations
from bot.store.conversations import ConversationLog
from bot.store.rasa_events import RasaEventLog


def rasa_store(database_url: str) -> SQLTrackerStore:
    """Rasa's SQL tracker store on the test's database, as endpoints.yml configures it in production."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=url.database)
    return SQLTrackerStore(Domain.empty(), dialect="postgresql", url=url.host, port=url.port, db=url.database,
                           username=url.username)  # fmt: skip


def conversation(store: SQLTrackerStore, sender: str, when: float, *texts: str) -> None:
    tracker = DialogueStateTracker(sender, [])
    for text in texts:
        tracker.update(UserUttered(text, timestamp=when))
        tracker.update(BotUttered(f"about {text}", timestamp=when))
        tracker.update(ActionExecuted("action_listen", timestamp=when))
    asyncio.run(store.save(tracker))  # Rasa's stores are async


def test_conversations_are_read_found_idle_and_deleted_in_rasas_table(database_url):
    store = rasa_store(database_url)
    now = time.time()
    conversation(store, "old-learner", now - 100 * 86400, "is there a fee?")
    conversation(store, "new-learner", now, "how do I share my badge?", "thanks")

    log = RasaEventLog(database_url)
    assert log.senders() == ["new-learner", "old-learner"]
    said = [e["text"] for e in log.events("new-learner") if e["event"] == "user"]
    assert said == ["how do I share my badge?", "thanks"]
    assert log.idle_since(now - 90 * 86400) == ["old-learner"]

    assert log.delete(["old-learner", "nobody"]) == 1
    assert log.senders() == ["new-learner"]
    assert asyncio.run(store.retrieve("old-learner")) is None  # Rasa no longer knows the conversation
    kept = asyncio.run(store.retrieve("new-learner"))
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == said


def test_the_deployments_setting_picks_the_store(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ACTS_CONVERSATIONS_DB", str(tmp_path / "conversations.db"))
    monkeypatch.setenv("ACTS_CONVERSATION_STORE", "database")
    assert open_conversations() is None  # no Rasa server has created its table yet
    conversation(rasa_store(database_url), "learner", time.time(), "hello")
    assert isinstance(open_conversations(), RasaEventLog)

    monkeypatch.delenv("ACTS_CONVERSATION_STORE")
    assert open_conversations() is None  # make run's conversation file, not there yet
    ConversationLog(tmp_path / "conversations.db").close()
    assert isinstance(open_conversations(), ConversationLog)
