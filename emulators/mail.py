"""The local SMTP server of `make run`: every mail the assistant sends lands in a Maildir.

    python -m emulators.mail --host 127.0.0.1 --port 8025 --maildir var/mail

No mail leaves the machine: it is filed under <maildir>/new/ (with cur/ and tmp/, as Python's
`mailbox.Maildir` and any mail reader read it), whoever it is addressed to. Mail is personal data
(one-time codes, names, decisions), so the folders are 0700 and the files 0600, and the server
logs neither addresses nor content. Production sends through a real SMTP server instead
(ACTS_SMTP_HOST, bot.settings.mail), and launcher/servers.py then starts no local server.
"""

from __future__ import annotations

import argparse
import logging
import mailbox
import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from bot.settings import LOCAL_SMTP_PORT, bind_host, mail_dir

MAX_MAIL_BYTES = 10 * 1024 * 1024  # a code or a decision is a few kilobytes; attachments are never sent
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def open_maildir(path: Path) -> mailbox.Maildir:
    """The Maildir at `path`, created if needed, private whatever the umask or an earlier run left."""
    for folder in (path, path / "new", path / "cur", path / "tmp"):
        folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)
    return mailbox.Maildir(path, factory=None, create=False)


class MaildirHandler:
    """aiosmtpd handler: files each mail as it arrived, one file per mail, 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.box = open_maildir(path)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with self.lock:
            key = self.box.add(content)
        os.chmod(self.path / "new" / key, PRIVATE_FILE)  # the umask (0077 under launcher/servers.py) did it already
        return "250 Message accepted for delivery"


def serve(host: str, port: int, path: Path) -> Controller:
    """Starts the server in a thread (returns once it answers); stop it with .stop()."""
    controller = Controller(MaildirHandler(path), hostname=host, port=port, data_size_limit=MAX_MAIL_BYTES)
    controller.start()
    return controller


def main() -> None:
    parser = argparse.ArgumentParser(description="The local SMTP server: every mail lands in a Maildir")
    parser.add_argument("--host", default=bind_host())
    parser.add_argument("--port", type=int, default=LOCAL_SMTP_PORT)
    parser.add_argument("--maildir", type=Path, default=None, help="default: ACTS_MAIL_DIR, else var/mail")
    args = parser.parse_args()
    os.umask(0o077)  # everything this process creates is private
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs senders and recipients at INFO
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    controller = serve(args.host, args.port, args.maildir or mail_dir())
    logging.getLogger(__name__).info("local mail server on %s:%d", args.host, args.port)
    try:
        while not stop.wait(1):  # woken by the signal handler; the timeout keeps it responsive everywhere
            pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
