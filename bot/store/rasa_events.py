"""Conversations kept by Rasa's own SQL tracker store (the production set-up), read and deleted
through the same interface as the embedded conversation file (bot/store/conversations.py
ConversationLog): export, "delete my data", erasure by staff and retention reach them too.

Rasa's `events` table has one row per event: the conversation (`sender_id`), the event's kind, its
Unix `timestamp` and the event as JSON (`data`). It is Rasa's table: this module never creates or
changes its shape, only reads and deletes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import MetaData, Table, delete, func, inspect, select

from bot.store.db import engine_for

EVENTS = "events"


class RasaEventLog:
    """Conversations in Rasa's `events` table of the database at `url`."""

    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        self.table = Table(EVENTS, MetaData(), autoload_with=self.engine)

    @staticmethod
    def exists(url: str) -> bool:
        """Whether the database holds Rasa's events table (Rasa creates it when its first server starts)."""
        return inspect(engine_for(url)).has_table(EVENTS)

    def senders(self) -> list[str]:
        with self.engine.connect() as db:
            return list(db.scalars(select(self.table.c.sender_id).distinct().order_by(self.table.c.sender_id)))

    def events(self, sender_id: str, from_seq: int = 0) -> list[dict[str, Any]]:
        """The conversation's events in order (from the `from_seq`-th on)."""
        query = select(self.table.c.data).where(self.table.c.sender_id == sender_id).order_by(self.table.c.id)
        with self.engine.connect() as db:
            return [json.loads(data) for data in db.scalars(query.offset(from_seq))]

    def idle_since(self, before: float) -> list[str]:
        """Conversations whose last event is older than `before` (a Unix time)."""
        last = func.max(self.table.c.timestamp)
        query = select(self.table.c.sender_id).group_by(self.table.c.sender_id).having(last < before)
        with self.engine.connect() as db:
            return sorted(db.scalars(query))

    def delete(self, sender_ids: Iterable[str]) -> int:
        """Deletes conversations and all their events; returns how many conversations had any."""
        senders = list(sender_ids)
        if not senders:
            return 0
        with self.engine.begin() as db:
            found = set(db.scalars(select(self.table.c.sender_id).where(self.table.c.sender_id.in_(senders))))
            db.execute(delete(self.table).where(self.table.c.sender_id.in_(senders)))
        return len(found)
