"""End to end: the conversation store never keeps a live upload link in clear. A learner reaches the
upload step; the link's token appears nowhere in the conversation store's file (its rows, its
write-ahead log, any byte of it), nor the token the widget sends back as metadata; yet the upload
works, even through a restart of the Rasa server in between, and the application is filed."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from bot.reading.references import parse_reference
from tests.conftest import Chat, _deploy
from tests.conversations import code_for, mails_to, new_learner, upload, upload_link


@pytest.fixture(scope="module")
def deployment(trained_model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("upload-links-deployment")
    yield from _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}")


def answer_until_upload(chat: Chat, email: str) -> str:
    """Every question up to the upload step (with the email code step when the assistant asks for
    one); the upload link."""
    assert "qualifying training" in chat.text("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in chat.text("yes")
    assert "When did you complete" in chat.text("ACTS Team Science Fundamentals training")
    assert "full name" in chat.text("March 2024")
    assert "email" in chat.text("my name is jane doe").lower()
    seen = len(mails_to(chat.mail_dir, email)) if (chat.mail_dir / "new").exists() else 0
    reply = chat.text(email)
    if "organisation" not in reply:
        assert "code" in reply
        reply = chat.text(code_for(chat.mail_dir, email, seen))
    assert "organisation" in reply
    assert "ORCID" in chat.text("Example University")
    return upload_link(chat.say("0000-0002-1825-0097"))


def conversations_file(deployment) -> Path:
    return deployment.log_dir.parent / "conversations.db"


def every_byte(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


def rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [data for (data,) in db.execute("SELECT data FROM conversation_events")]


def test_the_upload_link_is_not_kept_in_clear_and_still_works_across_a_restart(deployment):
    chat, email = new_learner(deployment)
    link = answer_until_upload(chat, email)
    token = link.rsplit("/", 1)[1]
    path = conversations_file(deployment)
    stored = rows(path)
    assert any("/upload/redacted." in row for row in stored)  # the message is kept, its link redacted
    assert not any(token in row for row in stored)
    assert token.encode() not in every_byte(path)
    # Rasa's HTTP API reads the whole conversation from the file: it shows the redacted form too.
    assert deployment.tracker(chat.sender)["slots"]["upload_token"].startswith("redacted.")

    # The Rasa server stops before the learner uploads: the link they were given still works, and
    # the conversation, read back from the file, carries on to the end.
    deployment.stop("rasa", signal.SIGKILL)
    deployment.restart("rasa")
    upload(link)
    summary = chat.text("done", metadata={"upload_token": token})  # as the widget sends it
    assert "Got your certificate.pdf" in summary and email in summary
    reference = parse_reference(chat.text("yes"))
    assert reference is not None
    assert not any(token in row for row in rows(path)) and token.encode() not in every_byte(path)


def test_a_link_asked_for_again_after_a_restart_is_a_new_one_that_works(deployment):
    chat, email = new_learner(deployment)
    first = answer_until_upload(chat, email)
    deployment.stop("rasa", signal.SIGTERM)
    deployment.restart("rasa")
    again = chat.say("done")  # nothing uploaded yet: the document is asked for again
    links = [m["custom"]["upload"]["url"] for m in again if "upload" in (m.get("custom") or {})]
    assert links and links[-1] != first
    upload(links[-1])
    assert "Got your certificate.pdf" in chat.text("done")
    assert parse_reference(chat.text("yes")) is not None
    path = conversations_file(deployment)
    for link in (first, links[-1]):
        assert link.rsplit("/", 1)[1].encode() not in every_byte(path)
