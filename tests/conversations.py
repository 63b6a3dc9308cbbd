"""Scripted learner conversations shared by the end-to-end tests."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import requests

from tests.conftest import Chat
from tests.files import pdf_bytes
from tests.maildir import all_mail


def new_learner(deployment) -> tuple[Chat, str]:
    tag = secrets.token_hex(4)
    return Chat(deployment.ports.rasa, f"apply-{tag}", deployment.mail_dir), f"jane.{tag}@uni.edu"


def mails_to(mail_dir: Path, address: str) -> list[str]:
    """The text of every mail the local mail server filed for `address`, oldest first."""
    return [mail.text for mail in all_mail(mail_dir) if address.lower() in str(mail.message["To"] or "").lower()]


CODE = re.compile(r"code is (\d{6})")


def codes_to(mail_dir: Path, address: str) -> list[str]:
    """The one-time codes mailed to `address`, oldest first (other mail, such as decisions, left out)."""
    return [found.group(1) for found in map(CODE.search, mails_to(mail_dir, address)) if found]


def code_for(mail_dir: Path, address: str, seen: int = 0, timeout: float = 30.0) -> str:
    """The newest code mailed to `address`, once more than `seen` codes have come: read from the
    mailbox, as a learner would (never from a log)."""
    deadline = time.monotonic() + timeout
    while True:
        codes = codes_to(mail_dir, address)
        if len(codes) > seen:
            return codes[-1]
        assert time.monotonic() < deadline, f"no mail with a code came within {timeout:.0f}s"
        time.sleep(0.1)


def prove_address(chat: Chat, email: str) -> str:
    """Gives the address at the email question and types back the code it was sent; the reply."""
    seen = len(codes_to(chat.mail_dir, email))
    assert "code" in chat.text(email)
    return chat.text(code_for(chat.mail_dir, email, seen))


def upload_link(reply: list[dict]) -> str:
    return next(m["custom"]["upload"]["url"] for m in reply if "upload" in (m.get("custom") or {}))


def answer_until_upload(chat: Chat, email: str) -> str:
    """Answers every question up to the upload step; returns the upload link."""
    assert "qualifying training" in chat.text("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in chat.text("yes")
    assert "When did you complete" in chat.text("ACTS Team Science Fundamentals training")
    assert "full name" in chat.text("March 2024")
    assert "email" in chat.text("my name is jane doe").lower()
    assert "organisation" in prove_address(chat, email)
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
