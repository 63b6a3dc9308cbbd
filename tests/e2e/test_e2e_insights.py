"""End to end: a learner's conversation over REST reaches the staff's analytics through Rasa's event
broker, the event spool and the web service's worker, with what became of each message; the report
command writes its HTML file and prints its path last."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import select

from bot.insights.reading import conversation_key
from bot.settings import secret_key
from bot.store.db import session as new_session
from bot.store.models import InsightMessage
from tests.conftest import ROOT


def analytics_of(database_url: str, sender: str, count: int, timeout: float = 20.0) -> list[InsightMessage]:
    conversation = conversation_key(sender, secret_key())
    query = select(InsightMessage).where(InsightMessage.conversation == conversation).order_by(InsightMessage.at)
    deadline = time.monotonic() + timeout
    while True:
        with new_session(database_url) as db:
            rows = list(db.scalars(query))
        if (len(rows) >= count and all(row.outcome for row in rows)) or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


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
