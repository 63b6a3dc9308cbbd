"""Private files: every server of a deployment runs with umask 0077, so what it creates (databases,
uploads, mail, logs) is its owner's alone: files 0600, folders 0700."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.mail.sending import Mail, send_mail
from bot.settings import MailSettings
from tests.maildir import wait_for_mail


def umask_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    raise AssertionError(f"no umask for {pid}")


def test_every_server_runs_with_a_private_umask(servers):
    assert {name: umask_of(proc.pid) for name, proc in servers.cluster.procs.items()} == {
        name: 0o077 for name in servers.cluster.procs
    }


def test_what_the_servers_wrote_is_private(servers, chat):
    assert "no cost" in chat.text("is there a fee?")  # a conversation stored, logs written
    local = MailSettings(host="127.0.0.1", port=servers.ports.mail, security="none", user=None, password="")
    send_mail(Mail("modes@uni.example", "Private?", "text", "<p>html</p>"), local)
    wait_for_mail(servers.mail_dir, "modes@uni.example")
    workdir = servers.log_dir.parent
    checked = []
    tops = (servers.log_dir, servers.mail_dir, servers.upload_dir, *workdir.glob("*.db*"))
    for top in [top for top in tops if top.exists()]:  # uploads: only once a document came
        for path in [top, *top.rglob("*")] if top.is_dir() else [top]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), f"{path} is {oct(mode)}"
            checked.append(path)
    names = {path.name for path in checked}
    assert {"rasa.log", "actions.log", "mail.log", "acts.db", "conversations.db"} <= names, names
    assert any(path.parent.name == "new" for path in checked)  # the mail itself
