"""The local mail server of `make run` (emulators/mail.py) and the mailer (bot/mail/sending.py):
a mail sent lands in the Maildir with its text and HTML parts, private (files 0600, folders 0700),
and neither the server's log nor a failure names the address."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.mail.sending import Mail, MailError, send_mail
from bot.settings import MailSettings
from launcher.servers import _is_up, free_port
from tests.conftest import ROOT
from tests.maildir import all_mail, wait_for_mail

ADDRESS = "jane.private@uni.example"


def local(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", user=None, password="", timeout=5)


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory):
    """The local mail server as `make run` starts it, on a free port, under the usual umask."""
    port, maildir = free_port(), tmp_path_factory.mktemp("mail") / "var" / "mail"
    log = tmp_path_factory.mktemp("mail-log") / "mail.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "emulators.mail", "--port", str(port), "--maildir", str(maildir)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, umask=0o022)
    try:
        for _ in range(200):
            if _is_up(f"smtp://127.0.0.1:{port}"):
                break
            assert process.poll() is None, log.read_text()
            threading.Event().wait(0.1)
        yield port, maildir, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def mail(to: str = ADDRESS, subject: str = "Your ACTS code") -> Mail:
    return Mail(to=to, subject=subject, text="Your code is 123456.", html="<p>Your code is <b>123456</b>.</p>")


def test_a_mail_sent_lands_in_the_maildir_with_text_and_html(mail_server):
    port, maildir, _ = mail_server
    send_mail(mail(subject="A first mail"), local(port))
    received = wait_for_mail(maildir, ADDRESS, subject="A first mail")
    assert received.text.strip() == "Your code is 123456."
    assert received.html and "<b>123456</b>" in received.html
    assert received.message["From"] == MailSettings.sender


def test_mail_and_its_folders_are_private(mail_server):
    port, maildir, _ = mail_server
    send_mail(mail(subject="A private mail"), local(port))
    wait_for_mail(maildir, ADDRESS, subject="A private mail")
    for folder in (maildir, maildir / "new", maildir / "cur", maildir / "tmp"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = list((maildir / "new").iterdir())
    assert files and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)


def test_mail_sent_at_once_all_arrives(mail_server):
    port, maildir, _ = mail_server
    recipients = [f"learner{i}@uni.example" for i in range(12)]
    threads = [threading.Thread(target=send_mail, args=(mail(to), local(port))) for to in recipients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for to in recipients:
        wait_for_mail(maildir, to)
    assert len({m.message["Message-ID"] for m in all_mail(maildir)}) == len(all_mail(maildir))


def test_the_server_logs_no_address(mail_server):
    port, maildir, log = mail_server
    send_mail(mail(to="logged.never@uni.example", subject="Log check"), local(port))
    wait_for_mail(maildir, "logged.never@uni.example")
    assert "logged.never" not in log.read_text() and "123456" not in log.read_text()


def test_with_the_server_down_sending_fails_cleanly_without_the_address():
    with pytest.raises(MailError) as failure:
        send_mail(mail(), local(free_port()))
    assert ADDRESS not in str(failure.value) and "jane" not in repr(failure.value)


def test_it_answers_the_cluster_health_check_only_while_up(mail_server):
    port, _, _ = mail_server
    assert _is_up(f"smtp://127.0.0.1:{port}")
    assert not _is_up(f"smtp://127.0.0.1:{free_port()}")


def test_a_maildir_left_readable_by_an_earlier_run_is_made_private(tmp_path):
    from emulators.mail import open_maildir

    path = tmp_path / "mail"
    for folder in ("new", "cur", "tmp"):
        (path / folder).mkdir(parents=True, mode=0o755)
    os.chmod(path, 0o755)
    open_maildir(Path(path))
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in (path, path / "new", path / "cur", path / "tmp"))
