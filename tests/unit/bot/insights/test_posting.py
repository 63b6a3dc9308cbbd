"""The weekly post: `report --weekly --post` puts the summary (numbers and topics, never a learner's
question) in the staff's Slack channel, here the Slack emulator's; without a staff channel it posts
nothing and says so."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.insights.__main__ import main
from bot.insights.ingest import ingest
from bot.settings import secret_key
from bot.store.db import migrate
from tests.slack_emulator_thread import slack_emulator
from tests.unit.bot.insights.test_report import Conversation

STAFF = "C0STAFF0001"


def a_recent_conversation() -> list[dict]:
    c = Conversation("weekly-learner", "rest", datetime.now(timezone.utc) - timedelta(days=2))
    c.says("is there a fee?", "faq_fee").does("utter_faq_fee")
    c.says("my email is jane@uni.example.edu, can I get CME credit?", "out_of_scope").does("action_cant_help")
    return c.events


def setup(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_EVENTS_DB", str(tmp_path / "events.db"))
    migrate(url)
    ingest(a_recent_conversation(), secret_key(), url)


def test_the_weekly_summary_goes_to_the_staff_channel(tmp_path, monkeypatch, capsys):
    setup(tmp_path, monkeypatch)
    with slack_emulator() as slack:
        slack.create_channel("acts-staff", id=STAFF)
        for name, value in (("SLACK_BOT_TOKEN", slack.token), ("SLACK_SIGNING_SECRET", slack.signing_secret)):
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("SLACK_STAFF_CHANNEL", STAFF)
        assert main(["report", "--weekly", "--post", "--out", str(tmp_path / "week.html")]) == 0
        [post] = slack.messages(STAFF)
    text = post["text"]
    assert text.startswith("What learners asked the badge assistant, ")
    assert "1 conversations, 2 messages" in text and "faq_fee 1" in text and "questions not answered: 1" in text
    assert "jane" not in text and "CME" not in text  # the questions stay on the page
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-2] == f"posted to Slack ({STAFF})" and printed[-1] == str(tmp_path / "week.html")


def test_without_a_staff_channel_nothing_is_posted(tmp_path, monkeypatch, capsys):
    setup(tmp_path, monkeypatch)
    monkeypatch.delenv("SLACK_STAFF_CHANNEL", raising=False)
    assert main(["report", "--weekly", "--post", "--out", str(tmp_path / "week.html")]) == 0
    assert "not posted: set SLACK_STAFF_CHANNEL" in capsys.readouterr().out
