"""Conversations in Rasa's `events` table (the production set-up), written, read and deleted
through the same interface as the embedded conversation file (bot/store/conversations.py
ConversationLog): export, "delete my data", erasure by staff and retention reach them too.

Rasa's `events` table has one row per event: the conversation (`sender_id`), the event's kind, its
Unix `timestamp` and the event as JSON (`data`). It is Rasa's table and keeps Rasa's shape, so
Rasa's own SQL tracker store reads what is written here and the other way round. The production
tracker store (rasa_plugins/runtime/shared_tracker_store.py) appends through `append` and reads
through `last_id` and `last_session`; the one thing added to the table is an index on
(sender_id, id), which makes "where does this conversation end?" a single index probe.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, MetaData, Table, and_, delete, func, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.store.conversations import redacted
from bot.store.db import engine_for

EVENTS = "events"
END_INDEX = "ix_events_sender_id_id"
SESSION_START_ACTION = "action_session_start"


@dataclass(frozen=True)
class Appended:
    """What `append` found and did: the id of the conversation's last row before (None: no row) and after."""

    found: int | None
    last_id: int


def row(sender_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """An event as Rasa's SQL tracker store writes it, with live upload tokens redacted (bot.store.conversations)."""
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return {
        "sender_id": sender_id,
        "type_name": str(event.get("event")),
        "timestamp": event.get("timestamp"),
        "intent_name": intent.get("name"),
        "action_name": event.get("name"),
        "data": redacted(event),
    }


class RasaEventLog:
    """Conversations in Rasa's `events` table of the database at `url` (or on `engine`)."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else engine_for(url)
        self.table = Table(EVENTS, MetaData(), autoload_with=self.engine)
        self.postgresql = self.engine.dialect.name == "postgresql"

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

    # --- the production tracker store's reads and writes ------------------------------------------

    def ensure_end_index(self) -> None:
        """The (sender_id, id) index `last_id` probes. Several servers may start at once: the loser of
        the race finds the index made."""
        index = Index(END_INDEX, self.table.c.sender_id, self.table.c.id)
        try:
            index.create(self.engine, checkfirst=True)
        except DBAPIError:
            if END_INDEX not in {i["name"] for i in inspect(self.engine).get_indexes(EVENTS)}:
                raise

    def last_id(self, sender_id: str) -> int | None:
        """The id of the conversation's last row, None when it has none."""
        if self.postgresql:
            return self._on_postgresql(_read_last_id(sender_id))
        query = select(func.max(self.table.c.id)).where(self.table.c.sender_id == sender_id)
        with self.engine.connect() as db:
            return db.scalar(query)

    def last_session(self, sender_id: str) -> tuple[int | None, list[dict[str, Any]]]:
        """The id of the conversation's last row and its events from its last session's start on
        (everything when no session was started), in order."""
        t = self.table
        starts = select(func.max(t.c.id)).where(
            and_(t.c.sender_id == sender_id, t.c.type_name == "action", t.c.action_name == SESSION_START_ACTION)
        )
        query = select(t.c.id, t.c.data).where(t.c.sender_id == sender_id)
        query = query.where(t.c.id >= func.coalesce(starts.scalar_subquery(), 0)).order_by(t.c.id)
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        return (rows[-1][0] if rows else None), [json.loads(data) for _, data in rows]

    def append(self, sender_id: str, events: list[dict[str, Any]]) -> Appended:
        """Appends the events as one transaction and says where the conversation ended before: the caller
        compares that with where it believed it ended. Writers of one conversation take turns through
        Rasa's lock store (every change Rasa makes to a conversation holds its lock), so "where did it
        end" and the insert need no lock of their own here: an extra one cost a quarter of the two
        servers' throughput (docs/performance.md)."""
        if self.postgresql:
            rows = [tuple(row(sender_id, event)[column] for column in _COLUMNS) for event in events]
            return self._on_postgresql(functools.partial(_append_on_postgresql, sender_id=sender_id, rows=rows))
        t = self.table
        with self.engine.begin() as db:
            end = select(func.max(t.c.id)).where(t.c.sender_id == sender_id)
            found = db.scalar(end)
            if not events:
                return Appended(found, found)
            db.execute(insert(t).values([row(sender_id, event) for event in events]))
            return Appended(found, db.scalar(end))

    def _on_postgresql(self, work: Callable[[Any, _Progress], Any]) -> Any:
        """Runs `work(cursor, progress)` on a pooled connection in autocommit mode; once more on a new
        connection if the pooled one was dead (PostgreSQL restarted), unless the failure came while
        committing, when the first try may have been kept.

        Every message reads and writes here, so this path takes the fewest round trips: no ping per
        checkout, no BEGIN or ROLLBACK around a read, the append in one (_append_on_postgresql), and
        plain SQL on psycopg2's cursor rather than SQLAlchemy statements (docs/performance.md)."""
        dbapi = self.engine.dialect.dbapi
        for attempt in (1, 2):
            pooled, progress = self.engine.raw_connection(), _Progress()
            connection = pooled.dbapi_connection  # psycopg2's own: its autocommit, its cursor
            try:
                connection.autocommit = True
                with connection.cursor() as cursor:
                    return work(cursor, progress)
            except (dbapi.OperationalError, dbapi.InterfaceError):
                pooled.invalidate()
                self.engine.dispose()  # the others in the pool died with it: a new pool
                if attempt == 2 or progress.committing:
                    raise
            finally:
                if pooled.is_valid:
                    connection.autocommit = False  # as SQLAlchemy expects its pooled connections
                pooled.close()
        raise AssertionError("unreachable")


# The hot path's SQL on Rasa's table (PostgreSQL only).
_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
_LAST_ID = "SELECT max(id) FROM events WHERE sender_id = %s"
# A data-modifying CTE's rows are not visible to its sibling: `found` is where the conversation ended before.
_APPEND = (
    "WITH found AS (SELECT max(id) AS id FROM events WHERE sender_id = %s), "
    f"added AS (INSERT INTO events ({', '.join(_COLUMNS)}) VALUES {{values}} RETURNING id) "
    "SELECT (SELECT id FROM found), (SELECT max(id) FROM added)"
)


class _Progress:
    """How far a unit of work on PostgreSQL got: once COMMIT is sent, a failure may have left it done."""

    committing = False


def _read_last_id(sender_id: str) -> Callable[[Any, _Progress], int | None]:
    return lambda cursor, _: _fetch_one(cursor, _LAST_ID, (sender_id,))[0]


def _append_on_postgresql(cursor: Any, progress: _Progress, *, sender_id: str, rows: list[tuple]) -> Appended:
    """One round trip: one statement finds the conversation's end and inserts after it, and commits. Once
    it is sent, a failure may have left it done: it is not tried again."""
    if not rows:
        found = _fetch_one(cursor, _LAST_ID, (sender_id,))[0]
        return Appended(found, found)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    progress.committing = True
    found, last = _fetch_one(cursor, _APPEND.format(values=values), (sender_id, *sum(rows, ())))
    return Appended(found, last)


def _fetch_one(cursor: Any, sql: str, parameters: tuple) -> tuple:
    cursor.execute(sql, parameters)
    return cursor.fetchone()
