"""Faults injected into real servers: the action server down or frozen, the database locked (SQLite)
or stopped (PostgreSQL). The learner hears an honest message within seconds, nothing is lost or
half-written, and everything recovers without restarting anything."""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import time
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.store.applications import ApplicationStore
from tests.conftest import POSTGRES_ADMIN_URL, Chat, _deploy, fresh_postgres_database
from tests.conversations import answer_until_upload, new_learner, upload
from tests.files import pdf_bytes

SORRY = "something went wrong on my side"
DATABASE_DOWN = "can't reach our application database"


@pytest.fixture(scope="module")
def sqlite_deployment(trained_model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults-sqlite")
    yield from _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}")


@pytest.fixture(scope="module")
def pg_deployment(trained_model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults-postgres")
    with fresh_postgres_database() as url:
        yield from _deploy(trained_model, workdir, url)


def no_orphans(store: ApplicationStore, upload_dir) -> None:
    """Every file on disk belongs to a document row, and every document row has its file."""
    from bot.store.models import Document

    stored = store.transaction(lambda s: {d.stored_name for d in s.query(Document).all()})
    on_disk = {p.name for p in upload_dir.iterdir() if not p.name.startswith(".")} if upload_dir.exists() else set()
    assert on_disk == stored
    assert not [p for p in upload_dir.iterdir() if p.name.startswith(".incoming")]


def test_the_action_server_down_then_back(sqlite_deployment):
    chat, email = new_learner(sqlite_deployment)
    link = answer_until_upload(chat, email)
    sqlite_deployment.stop("actions", signal.SIGKILL)
    assert SORRY in chat.text("done")  # not silence, not a stack trace
    sqlite_deployment.restart("actions")
    upload(link)
    assert "Got your certificate.pdf" in chat.text("done")  # the conversation goes on where it was


def test_a_frozen_action_server_is_answered_within_the_timeout(sqlite_deployment):
    chat = Chat(sqlite_deployment.ports.rasa, sender=f"frozen-{secrets.token_hex(4)}")
    actions = sqlite_deployment.process("actions")
    os.killpg(actions.pid, signal.SIGSTOP)
    try:
        assert SORRY in chat.text("where is my application?")
    finally:
        os.killpg(actions.pid, signal.SIGCONT)
    assert "reference" in chat.text("where is my application?")


@contextmanager
def sqlite_locked(url: str):
    """Another process holds the write lock of the SQLite file (a long backup, say)."""
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=1)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@contextmanager
def postgres_stopped(url: str):
    """The application database stops taking connections and loses the open ones."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_database_down_mid_application_loses_nothing_and_recovers(kind, request):
    deployment = request.getfixturevalue(f"{'sqlite' if kind == 'sqlite' else 'pg'}_deployment")
    outage = sqlite_locked if kind == "sqlite" else postgres_stopped
    store = ApplicationStore(url=deployment.database_url, documents_dir=deployment.upload_dir)
    chat, email = new_learner(deployment)
    link = answer_until_upload(chat, email)
    with outage(deployment.database_url):
        refused = requests.post(link, files={"file": ("certificate.pdf", pdf_bytes(), "application/pdf")},
                                headers={"Accept": "application/json"}, timeout=60)  # fmt: skip
        assert refused.status_code == 503 and "try again" in refused.json()["message"]
    upload(link)  # the same link works once the database is back
    summary = chat.text("done")
    assert "Got your certificate.pdf" in summary and email in summary
    with outage(deployment.database_url):
        assert DATABASE_DOWN in chat.text("submit")  # "try again shortly", answers kept
    again = chat.text("continue my application")
    assert email in again  # the summary again, every answer kept
    reference_message = chat.text("submit")
    assert "Your application is submitted" in reference_message
    [application] = store.submitted(email)
    assert len(application.documents) == 1
    no_orphans(store, deployment.upload_dir)


def test_the_reviewers_slack_channel_failing_keeps_the_learners_reference(trained_model, tmp_path_factory):
    """Issue 20, hole 6, over the real servers: Slack answers the reviewers' post with a 500. The
    learner still gets their reference, and the web service's notice worker posts the application
    to the reviewers once Slack answers again: once."""
    from bot.reading.references import parse_reference
    from tests.conftest import new_ports
    from tests.slack_emulator_thread import slack_emulator

    workdir = tmp_path_factory.mktemp("faults-slack")
    with slack_emulator() as slack:
        slack.create_channel("badge-reviews", is_private=True, id="C0REVIEWS1")
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
            "SLACK_REVIEW_CHANNEL": "C0REVIEWS1",
            "ACTS_NOTICE_POLL_SECONDS": "1",
        }
        for deployment in _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}", new_ports(), env):
            chat, email = new_learner(deployment)
            upload(answer_until_upload(chat, email))
            assert "Got your certificate.pdf" in chat.text("done")
            slack.fail("error", method="chat.postMessage", status=500, error="internal_error")
            said = chat.text("yes")
            reference = parse_reference(said)
            assert reference is not None and SORRY not in said

            def posts(reference=reference):
                return [m for m in slack.messages("C0REVIEWS1") if reference in str(m.get("text", ""))]

            deadline = time.monotonic() + 60  # the first retry is 15 s after the failed try
            while not posts():
                assert time.monotonic() < deadline, "the reviewers' post was never retried"
                time.sleep(0.5)
            time.sleep(3)  # a few more worker rounds: nothing is posted again
            assert len(posts()) == 1
