"""Which store holds this deployment's conversations, for reading and deleting them (export, "delete my
data", erasure by staff, retention): the embedded conversation file of `make run`, or Rasa's `events`
table in the database of the production set-up (ACTS_CONVERSATION_STORE=database)."""

from __future__ import annotations

from bot.settings import conversation_store, conversations_db, database_url
from bot.store.conversations import ConversationLog
from bot.store.rasa_events import RasaEventLog


def open_conversations() -> ConversationLog | RasaEventLog | None:
    """The conversations of this deployment; None while there are none (no file, no table yet)."""
    if conversation_store() == "database":
        url = database_url()
        return RasaEventLog(url) if RasaEventLog.exists(url) else None
    path = conversations_db()
    return ConversationLog(path) if path.exists() else None
