"""SharedTrackerStore: the production set-up's conversations, in PostgreSQL, shared by every Rasa server,
with each server's conversations also kept as live tracker objects.

Why not Rasa's own SQLTrackerStore: for every message it reads the whole last session back, parses
every event's JSON and replays the events into a new tracker (twice), counts the session's rows
again before it inserts, and does all of it synchronously on the server's event loop. The benchmark
measured 56 messages/s for one server on it, where the same server with the embedded store serves
257 (docs/results.md, 2026-12-07).

This store writes Rasa's `events` table in Rasa's own row format (bot/store/rasa_events.py), so
Rasa's SQL store, export, "delete my data" and retention read the same rows. What differs is how a
server knows its live tracker is still right when another server may have answered since:

- Rasa handles a message of a conversation under the lock store's lock (AtomicRedisLockStore):
  retrieve, predict and run actions, save. On `retrieve` one index probe asks for the id of the
  conversation's last row. When it is the id this server wrote or read last, the live tracker is
  exactly what the table holds and is used as it is (with the cached dialogue states of
  rasa_plugins/runtime/speedups.py). Otherwise another server answered since, or the conversation
  was erased: its last session is read back from the table.
- On `save` the new events are appended in one transaction, which also says where the
  conversation ended before. Where it no longer ends where this server's tracker did, the
  difference is handled as the embedded store handles it: erased meanwhile (no rows left), only
  this message's events are kept, from a fresh start; appended by someone else without the lock
  (Rasa's HTTP API used beside the chat), this message's events still go in after theirs and the
  live tracker is dropped, so the next message reads the table.

The database calls run in worker threads: a commit waits for PostgreSQL's write to disk, and the
server answers other conversations meanwhile. The URL comes from DATABASE_URL (bot.settings), never
from endpoints.yml, where a password would sit in a file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.settings import production_database_url, sql_pool
from bot.store.db import engine_for
from bot.store.rasa_events import EVENTS, RasaEventLog
from rasa_plugins.runtime.tracker_store import LiveTrackerStore

logger = logging.getLogger(__name__)


def create_tables(database_url: str) -> Engine:
    """Rasa's `events` table as Rasa's SQL store makes it, with the index this store probes; returns the
    engine. The production launcher calls it before the servers start (several would race)."""
    if database_url.startswith("sqlite"):  # the tests' fast twin: the project's SQLite settings
        engine = engine_for(database_url)
    else:  # hide_parameters: a failed statement's message (and so a log) never carries what a learner wrote
        size, overflow = sql_pool()
        pool = {"pool_size": size, "max_overflow": overflow}  # no ping per checkout: RasaEventLog retries
        engine = create_engine(database_url, future=True, hide_parameters=True, **pool)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    except DBAPIError:  # another server or worker made it at the same moment
        if not inspect(engine).has_table(EVENTS):
            raise
    RasaEventLog(engine=engine).ensure_end_index()
    return engine


class SharedTrackerStore(LiveTrackerStore):
    """Conversations in Rasa's `events` table, live in memory while this server's copy is the latest."""

    def __init__(
        self,
        domain: Domain,
        event_broker: EventBroker | None = None,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.log = RasaEventLog(engine=create_tables(url or production_database_url()))
        self._last_id: dict[str, int] = {}  # per live conversation: the id of the last row it holds

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        last_id = await asyncio.to_thread(self.log.last_id, sender_id)
        if last_id is None:
            self._forget(sender_id)  # never written, or erased: a new visitor
            return None
        if sender_id not in self._saved or self._last_id.get(sender_id) != last_id:
            self._forget(sender_id)
            last_id, events = await asyncio.to_thread(self.log.last_session, sender_id)
            if not events:
                return None
            self._remember(self._rebuild_from(sender_id, events))  # all in the table already: memory only
            self._last_id[sender_id] = last_id
        return self._last_session_kept(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        new_events = self._unsaved_events(tracker, list(tracker.events))
        dicts = [e.as_dict() for e in new_events]
        if new_events:
            believed = self._last_id.get(sender_id)
            appended = await asyncio.to_thread(self.log.append, sender_id, dicts)
            if appended.found != believed:
                if appended.found is None:
                    # Erased while this message was handled (the learner asked): nothing of before stays.
                    self._forget(sender_id)
                    tracker = self._rebuild(tracker, new_events)
                else:
                    logger.warning("a conversation was written by another writer without the lock; re-reading it")
                    await super().save(tracker)
                    self._forget(sender_id)
                    return
            self._last_id[sender_id] = appended.last_id
        self._save_live(tracker, new_events, dicts)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        events = await asyncio.to_thread(self.log.events, sender_id)
        return self._rebuild_from(sender_id, events) if events else None

    async def keys(self) -> Iterable[str]:
        return await asyncio.to_thread(self.log.senders)

    def _evicted(self, sender_id: str) -> None:
        self._last_id.pop(sender_id, None)
