"""The event spool: an SQLite file where the Rasa server's event broker leaves every event of every
conversation (rasa_plugins/runtime/event_broker.py), and from which the web service reads them into
the analytics (bot/insights/ingest.py), deleting what it has read.

The table has the shape of Rasa's own SQLEventBroker (`events`: id, sender_id, data as JSON). The raw
events hold what learners wrote, so the file is private (0600) and kept short: each round reads up to
`BATCH` events in order, writes their facts in one transaction, then deletes them. A round that dies
between the two reads them again next time; the analytics write each fact once (at least once, idempotent).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.insights.ingest import forget_questions, ingest
from bot.settings import events_spool, secret_key
from bot.store.db import engine_for

log = logging.getLogger(__name__)
BATCH = 2000
_METADATA = MetaData()
EVENTS = Table(
    "events",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


_ENGINES: dict[str, Engine] = {}  # one per spool: an engine (its pool, its connection's set-up) per write
_MADE: set[str] = set()  # spools whose table this process has made (or found) already


def _engine(path: Path | None) -> Engine:
    """The spool's engine, made once, and its table, made once: each write of the broker's thread used to
    make both anew, which cost the chat an eighth of its messages a second (measured)."""
    url = f"sqlite:///{path or events_spool()}"
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES.setdefault(url, engine_for(url))
    if url not in _MADE:
        _METADATA.create_all(engine)
        _MADE.add(url)
    return engine


def append(events: Iterable[dict[str, Any]], path: Path | None = None) -> None:
    """Writes events to the spool in one transaction (the broker's writer thread)."""
    rows = [{"sender_id": event.get("sender_id"), "data": json.dumps(event)} for event in events]
    if not rows:
        return
    try:
        with _engine(path).begin() as db:
            db.execute(insert(EVENTS), rows)
    except OperationalError:  # the file was deleted meanwhile: make the table again, once
        _MADE.discard(f"sqlite:///{path or events_spool()}")
        with _engine(path).begin() as db:
            db.execute(insert(EVENTS), rows)


def drain(url: str | None = None, path: Path | None = None, secret: bytes | None = None) -> int:
    """One round: the oldest events into the analytics, then out of the spool; returns how many were read."""
    engine = _engine(path)
    try:
        with engine.connect() as db:
            rows = db.execute(select(EVENTS.c.id, EVENTS.c.data).order_by(EVENTS.c.id).limit(BATCH)).all()
    except OperationalError:  # the file was deleted meanwhile: nothing to read; made again next round
        _MADE.discard(f"sqlite:///{path or events_spool()}")
        return 0
    if not rows:
        return 0
    ingest((json.loads(data) for _, data in rows), secret or secret_key(), url)
    with engine.begin() as db:
        db.execute(delete(EVENTS).where(EVENTS.c.id <= rows[-1][0]))
    return len(rows)


def drain_round(url: str | None = None) -> None:
    """The web service's worker: everything waiting in the spool, and questions past their time forgotten."""
    while drain(url) == BATCH:
        pass
    forget_questions(url=url)
