"""Scripted learner conversations shared by the end-to-end tests."""

from __future__ import annotations

import secrets

import requests

from tests.conftest import Chat
from tests.files import pdf_bytes


def new_learner(deployment) -> tuple[Chat, str]:
    tag = secrets.token_hex(4)
    return Chat(deployment.ports.rasa, sender=f"apply-{tag}"), f"jane.{tag}@uni.edu"


def upload_link(reply: list[dict]) -> str:
    return next(m["custom"]["upload"]["url"] for m in reply if "upload" in (m.get("custom") or {}))


def answer_until_upload(chat: Chat, email: str) -> str:
    """Answers every question up to the upload step; returns the upload link."""
    assert "qualifying training" in chat.text("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in chat.text("yes")
    assert "When did you complete" in chat.text("ACTS Team Science Fundamentals training")
    assert "full name" in chat.text("March 2024")
    assert "email" in chat.text("my name is jane doe").lower()
    assert "organisation" in chat.text(email)
    assert "ORCID" in chat.text("Example University")
    return upload_link(chat.say("0000-0002-1825-0097"))


def apply_and_submit(deployment) -> tuple[str, str]:
    """A complete application by conversation, with a real PDF; returns (reference, email)."""
    from bot.reading.references import parse_reference

    chat, email = new_learner(deployment)
    link = answer_until_upload(chat, email)
    upload(link)
    assert "Got your certificate.pdf" in chat.text("done")
    reference = parse_reference(chat.text("yes"))
    assert reference is not None
    return reference, email


def upload(link: str, data: bytes | None = None, name: str = "certificate.pdf") -> None:
    """Uploads a file through the link; the service must have accepted it."""
    uploaded = requests.post(
        link,
        files={"file": (name, data or pdf_bytes(), "application/pdf")},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
