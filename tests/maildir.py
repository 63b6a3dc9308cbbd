"""Reading the mail the assistant sent, from the local mail server's Maildir (emulators/mail.py):
how tests get one-time codes and decision mails, never from a log."""

from __future__ import annotations

import mailbox
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path


@dataclass
class Received:
    """One mail as filed: its headers, and its plain-text and HTML parts."""

    message: EmailMessage
    text: str
    html: str | None

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


def read(message: EmailMessage) -> Received:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return Received(message, plain.get_content() if plain else "", html.get_content() if html else None)


def all_mail(mail_dir: Path) -> list[Received]:
    """Every mail in the Maildir (new/ and cur/), in the order it arrived."""
    if not (mail_dir / "new").is_dir():
        return []
    box = mailbox.Maildir(mail_dir, factory=None, create=False)
    found = []
    for key in box.keys():
        try:
            arrived = box.get_message(key).get_date()  # the file's mtime: when it was delivered
            found.append((arrived, key, message_from_bytes(box.get_bytes(key), policy=default)))
        except KeyError:  # moved to cur/ meanwhile by a mail reader
            continue
    return [read(message) for _, _, message in sorted(found, key=lambda item: item[:2])]


def wait_for_mail(mail_dir: Path, to: str, timeout: float = 20, after: int = 0, subject: str = "") -> Received:
    """The first mail to `to` (whose subject contains `subject`) beyond the first `after` ones to that
    address; waits up to `timeout` seconds for it."""
    deadline = time.monotonic() + timeout
    while True:
        mine = [m for m in all_mail(mail_dir) if to.lower() in str(m.message["To"] or "").lower()]
        mine = [m for m in mine if subject in m.subject]
        if len(mine) > after:
            return mine[after]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {to} within {timeout:.0f}s in {mail_dir}")
        time.sleep(0.1)
