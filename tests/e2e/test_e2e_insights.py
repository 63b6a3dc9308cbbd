"""End to end: a learner's conversation over REST reaches the staff's analytics through Rasa's event
broker, the event spool and the web service's worker, with what became of each message; the report
command writes its HTML file and prints its path last."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import select

from bot.answers.feedback import payload
from bot.insights.reading import conversation_key
from bot.settings import secret_key
from bot.store.db import session as new_session
from bot.store.models import InsightFeedback, InsightMessage
from tests.conftest import ROOT


def rows_of(database_url: str, table, sender: str, until, timeout: float = 20.0) -> list:
    """The conversation's rows of an analytics table, once `until(rows)` holds (or the time is up)."""
    conversation = conversation_key(sender, secret_key())
    query = select(table).where(table.conversation == conversation).order_by(table.at)
    deadline = time.monotonic() + timeout
    while True:
        with new_session(database_url) as db:
            rows = list(db.scalars(query))
        if until(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def analytics_of(database_url: str, sender: str, count: int) -> list[InsightMessage]:
    return rows_of(
        database_url, InsightMessage, sender, lambda rows: len(rows) >= count and all(r.outcome for r in rows)
    )


def test_a_conversation_reaches_the_analytics_with_each_messages_outcome(servers, chat):
    chat.text("hello")
    chat.text("is there a fee to use credly")
    chat.text("what's the weather like in Boston tomorrow?")
    chat.text("my email is jane.doe@uni.example.edu, what is my badge's status?")
    rows = analytics_of(servers.database_url, chat.sender, 4)
    assert [(row.intent, row.outcome, row.topic) for row in rows[:3]] == [
        ("greet", "other", None),
        ("faq_fee", "answered", "faq_fee"),
        ("out_of_scope", "declined", None),
    ]
    assert [row.question for row in rows[:3]] == [None, None, "what's the weather like in Boston tomorrow?"]
    assert all(row.channel == "rest" for row in rows)
    assert "jane.doe" not in repr([vars(row) for row in rows])


def votes_of(database_url: str, sender: str, until) -> list[InsightFeedback]:
    return rows_of(database_url, InsightFeedback, sender, until)


def test_thumbs_under_an_answer_reach_the_analytics_once_per_answer(servers, chat):
    replies = chat.say("do I need to pay to get the badge")
    # The answer, then its topic for the widget's 👍 / 👎 (a custom payload of its own, as Rasa sends it).
    assert "no cost" in replies[0]["text"] and replies[1] == {
        "recipient_id": chat.sender,
        "custom": {"feedback": {"topic": "faq_fee"}},
    }
    down = chat.text(payload("faq_fee", False))
    assert "what was missing" in down and "actscts.org" in down
    chat.text("whether my university can pay, email me at li.wei@uni.example.edu")
    rows = votes_of(servers.database_url, chat.sender, lambda rows: rows and rows[0].note)
    assert [(r.topic, r.helpful, r.question) for r in rows] == [("faq_fee", False, "do I need to pay to get the badge")]
    assert rows[0].note == "whether my university can pay, email me at <email>"
    # Changing one's mind replaces the vote; a second 👎 is not asked about again.
    assert "Thanks" in chat.text(payload("faq_fee", True))
    rows = votes_of(servers.database_url, chat.sender, lambda rows: rows and rows[0].helpful)
    assert [(r.helpful, r.question, r.note) for r in rows] == [(True, None, None)]
    again = chat.text(payload("faq_fee", False))
    assert "actscts.org" in again and "what was missing" not in again
    # A vote on an answer this conversation never got counts for nothing.
    chat.text(payload("faq_export", False))
    chat.text("hello")  # the events of the votes above are read by the time this one is
    analytics_of(servers.database_url, chat.sender, 7)
    rows = votes_of(servers.database_url, chat.sender, lambda rows: rows and not rows[0].helpful)
    assert [(r.topic, r.helpful) for r in rows] == [("faq_fee", False)]


def test_the_report_command_writes_the_page_and_prints_its_path_last(servers, chat, tmp_path):
    chat.text("where can i share my badge")
    analytics_of(servers.database_url, chat.sender, 1)
    out = tmp_path / "report.html"
    env = {**os.environ, "DATABASE_URL": servers.database_url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.insights", "report", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == str(out) and "faq_sharing" in lines[2]
    page = out.read_text()
    assert "faq_sharing" in page and "<svg" in page
    assert out.stat().st_mode & 0o777 == 0o600


def test_events_through_rabbitmq_are_read_once_in_order_and_survive_a_restart_of_the_consumer(tmp_path, monkeypatch):
    """The machine's RabbitMQ: Rasa's Pika broker (ours) publishes, the consumer writes the analytics and
    acknowledges; a consumer stopped and started again, and events delivered twice, count nothing twice."""
    import asyncio
    import secrets as tokens
    from datetime import date

    import aio_pika
    from rasa.utils.endpoints import EndpointConfig

    from bot.insights import queue as insights_queue
    from bot.insights.report import build
    from bot.settings import production_rabbitmq_url
    from bot.store.db import migrate
    from rasa_plugins.runtime.event_broker import SlimPikaEventBroker
    from tests.unit.bot.insights.test_feedback_report import amara, tomas
    from tests.unit.bot.insights.test_report import SECRET, jane, ravi

    name = tokens.token_hex(4)
    exchange, queue = f"acts-test-{name}", f"acts_insights_test_{name}"
    monkeypatch.setenv("ACTS_INSIGHTS_EXCHANGE", exchange)
    monkeypatch.setenv("ACTS_INSIGHTS_QUEUE", queue)
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    amqp = production_rabbitmq_url()

    async def publish(events) -> None:
        config = EndpointConfig(url="127.0.0.1", port=5672, username="guest", password="guest")
        config.kwargs |= {"queues": [queue], "exchange_name": exchange}
        broker = await SlimPikaEventBroker.from_endpoint_config(config, asyncio.get_running_loop())
        for event in events:
            broker.publish(event)
        await asyncio.sleep(0.5)
        await broker.close()

    async def consume_until_quiet(seconds: float) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(insights_queue.consume(amqp, SECRET, url, stop))
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.wait_for(task, 10)

    async def scenario() -> None:
        events = jane().events + ravi().events + amara().events + tomas().events
        await publish(events[:20])
        await consume_until_quiet(2)  # the first part, then the consumer stops
        await publish(events[20:] + events[:8])  # the rest, and some again
        await consume_until_quiet(2)  # a new consumer goes on from what was not acknowledged
        connection = await aio_pika.connect_robust(amqp)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)

    asyncio.run(scenario())
    report = build(date(2026, 11, 1), date(2026, 11, 8), SECRET, url)
    # Jane's 4 messages and Ravi's 5; Amara's 8 (3 questions, 4 votes, what was missing), Tomas's 3.
    assert (report.total_conversations, report.total_messages) == (4, 20)
    assert report.unanswered[0] == ("Can I get CME credit for this?", 2)
    assert report.topics == [
        ("faq_fee", 3),
        ("faq_sharing", 2),
        ("faq_export", 1),
        ("faq_what_is_badge", 1),
    ]
    assert report.feedback == [("faq_fee", 0, 2), ("faq_export", 1, 0), ("faq_sharing", 1, 0)]
    assert report.missing == [("whether my employer can pay it for me", 1)]
