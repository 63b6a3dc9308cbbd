"""Events from the broker to the analytics: the Rasa server's broker writes them to the spool from its
writer thread, the web service's round reads them in order and deletes them, and a round that is
repeated (it died before deleting) counts nothing twice."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.insights import spool
from bot.insights.reading import needed
from bot.insights.report import build
from bot.store.db import engine_for, migrate
from rasa_plugins.runtime.event_broker import SpoolEventBroker
from tests.unit.bot.insights.test_report import DAY, JANE, SECRET, jane


def waiting(path) -> int:
    with engine_for(f"sqlite:///{path}").connect() as db:
        return db.scalar(select(func.count()).select_from(spool.EVENTS))


def test_published_events_reach_the_report_once(tmp_path):
    url, path = f"sqlite:///{tmp_path / 'acts.db'}", tmp_path / "events.db"
    migrate(url)
    broker = SpoolEventBroker(str(path))
    events = jane().events
    for event in events:
        broker.publish(event)
    kept = [needed(event) for event in events if needed(event) is not None]
    assert broker.flush() and waiting(path) == len(kept) < len(events)

    assert spool.drain(url, path, SECRET) == len(kept)
    assert waiting(path) == 0 and spool.drain(url, path, SECRET) == 0
    spool.append(kept[:6], path)  # a round that died before deleting: read again
    spool.drain(url, path, SECRET)
    report = build(DAY.date(), DAY.date().replace(day=DAY.day + 1), SECRET, url)
    assert report.total_messages == 4 and report.topics == [("faq_fee", 1), ("faq_sharing", 1)]
    asyncio.run(broker.close())
    assert not broker.is_ready()


def test_a_spool_deleted_while_the_servers_run_is_made_again(tmp_path):
    url, path = f"sqlite:///{tmp_path / 'acts.db'}", tmp_path / "events.db"
    migrate(url)
    event = {"sender_id": "x", "event": "user", "text": "hi", "timestamp": DAY.timestamp()}
    spool.append([event], path)
    spool._engine(path).dispose()  # its pooled connection would go on with the deleted file
    for made in tmp_path.glob("events.db*"):
        made.unlink()
    assert spool.drain(url, path, SECRET) == 0  # nothing to read, no error
    spool.append([event], path)  # the table is made again for the next write
    assert waiting(path) == 1 and spool.drain(url, path, SECRET) == 1


def test_the_spool_is_private(tmp_path):
    path = tmp_path / "events.db"
    spool.append([{"sender_id": "x", "event": "user", "text": "my email is a@b.org"}], path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_spool_keeps_only_what_the_analytics_read(tmp_path):
    """Not the bot's replies, nor the name or ORCID slots: less of what learners wrote sits on disk."""
    path = tmp_path / "events.db"
    broker = SpoolEventBroker(str(path))
    conversation = jane()
    conversation._add({"event": "bot", "text": "Thanks, Jane Doe!", "data": {}}, 0.01)
    for event in conversation.events:
        broker.publish(event)
    assert broker.flush()
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("events.db-*"))
    for absent in (JANE["name"], "Thanks, ", "full_name"):
        assert absent.encode() not in raw
    assert b"is there a fee?" in raw  # a learner's message is needed until the analytics have read it
    asyncio.run(broker.close())
