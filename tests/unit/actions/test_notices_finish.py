"""Issue 20, hole 6: a failure after the application is stored never loses the learner's reference.

FinishApplication is run as the action server runs it, with the reviewers' Slack channel failing in
each way we can make it fail. Each time the learner gets their reference, the reviewers' post stays
queued in the notice outbox, and a later worker round posts it once Slack is back: exactly once.
(On the old code, the unexpected answers raised out of the action: the learner got "something went
wrong" and their reference was lost.)
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.apply_form as apply_form
from bot.store.applications import ApplicationStore
from bot.store.db import migrate
from tests.applicants import FILLED_SLOTS
from tests.files import pdf_bytes
from tests.notice_servers import closed_port, odd_slack
from tests.slack_emulator_thread import slack_emulator
from tests.trackers import tracker

DOMAIN = {"slots": {}, "forms": {"apply_form": {"required_slots": []}}}
CHANNEL = "C0REVIEWS1"
SLOTS = {**FILLED_SLOTS, "document": "certificate.pdf (1 KB)", "confirmed": True, "eligible": True}

# How Slack (or the way to it) fails: where the API URL points, and what goes wrong there.
FAULTS = {
    "ok false": ("emulator", {"kind": "error", "error": "fatal_error"}),
    "HTTP 500": ("emulator", {"kind": "error", "status": 500, "error": "internal_error"}),
    "429 with Retry-After": ("emulator", {"kind": "ratelimited", "retry_after": 40}),
    "connection dropped": ("emulator", {"kind": "disconnect"}),
    "unexpected shape (the ValueError)": ("odd", "gzip"),
    "ok without ts": ("odd", "no_ts"),
    "an HTML page": ("odd", "html"),
    "timeout": ("odd", "hang"),
    "connection refused": ("refused", None),
}


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    for name, value in {
        "DATABASE_URL": url,
        "ACTS_UPLOAD_DIR": str(tmp_path / "uploads"),
        "ACTS_PUBLIC_URL": "https://badges.example.org",
        "SLACK_REVIEW_CHANNEL": CHANNEL,
        "ACTS_NOTICE_SLACK_TIMEOUT_SECONDS": "0.5",
    }.items():
        monkeypatch.setenv(name, value)
    migrate(url)

    async def proven(*args):
        return True  # the address was proven by its code (tested in the proving tests)

    monkeypatch.setattr(apply_form, "is_proven", proven, raising=False)
    return ApplicationStore()


def finish(store: ApplicationStore) -> list[dict]:
    link = store.start_draft("learner-1", "team-science-fundamentals")
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    dispatcher = CollectingDispatcher()
    said = tracker("yes", "affirm", slots=SLOTS, active_form="apply_form")
    asyncio.run(apply_form.FinishApplication().run(dispatcher, said, DOMAIN))
    return dispatcher.messages


def review_posts(slack) -> list[dict]:
    return [m for m in slack.messages(CHANNEL) if str(m.get("text", "")).startswith("New application")]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_learner_gets_the_reference_and_the_reviewers_post_is_delivered_once_slack_is_back(
    fault, store, monkeypatch
):
    where, how = FAULTS[fault]
    with slack_emulator() as slack:
        slack.create_channel("badge-reviews", is_private=True, id=CHANNEL)
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", slack.signing_secret)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        if where == "emulator":
            slack.fail(method="chat.postMessage", **how)
            messages = finish(store)
        elif where == "odd":
            with odd_slack(how) as (url, calls):
                monkeypatch.setenv("SLACK_API_URL", url)
                messages = finish(store)
                assert calls, "the post was tried right away"
        else:
            monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{closed_port()}/api/")
            messages = finish(store)

        [application] = store.submitted("jane@uni.edu")
        assert len(messages) == 1 and application.reference in messages[0]["text"]
        assert review_posts(slack) == []

        from bot.notices.outbox import NoticeOutbox
        from bot.notices.worker import NoticeWorker

        [waiting] = NoticeOutbox(store).waiting()
        assert (waiting.kind, waiting.reference, waiting.attempts) == ("review_post", application.reference, 1)
        assert waiting.last_error and not waiting.given_up
        assert "jane" not in waiting.last_error.lower()
        wait = waiting.next_attempt_at - datetime.now(timezone.utc)
        if fault == "429 with Retry-After":
            assert wait > timedelta(seconds=35)  # Slack's 40 s, not our first 15 s

        monkeypatch.setenv("SLACK_API_URL", slack.api_url)  # Slack is back
        later = datetime.now(timezone.utc) + timedelta(hours=2)
        [delivery] = NoticeWorker(store, clock=lambda: later).run_due()
        assert delivery.outcome == "sent"
        [posted] = review_posts(slack)
        assert application.reference in posted["text"]
        assert NoticeWorker(store, clock=lambda: later + timedelta(hours=2)).run_due() == []
        assert len(review_posts(slack)) == 1 and NoticeOutbox(store).waiting() == []
        uploads = [c for c in slack.calls("files.completeUploadExternal") if c.get("ok")]
        assert len(uploads) == 1  # the certificate, in the post's thread, once


def test_with_slack_working_the_reviewers_see_the_post_at_once(store, monkeypatch):
    with slack_emulator() as slack:
        slack.create_channel("badge-reviews", is_private=True, id=CHANNEL)
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", slack.signing_secret)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        messages = finish(store)
        [application] = store.submitted("jane@uni.edu")
        assert application.reference in messages[0]["text"]
        [posted] = review_posts(slack)  # no worker round needed
        assert application.reference in posted["text"]


def test_without_slack_nothing_is_queued_and_the_learner_gets_the_reference(store, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    messages = finish(store)
    [application] = store.submitted("jane@uni.edu")
    assert application.reference in messages[0]["text"]
    from bot.notices.outbox import NoticeOutbox

    assert NoticeOutbox(store).waiting() == []


def test_a_database_failure_while_queueing_still_tells_the_reference(store, monkeypatch):
    from bot.notices import tell

    def broken(*args):
        raise RuntimeError("the database went away just after the commit")

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setattr(tell.NoticeOutbox, "enqueue", broken)
    messages = finish(store)
    [application] = store.submitted("jane@uni.edu")
    assert application.reference in messages[0]["text"]
