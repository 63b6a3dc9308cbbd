"""The Rasa server reads unsure messages with the sentence model in a child process of its own
(bot/meaning/process.py), and that child never outlives the server, even one killed with SIGKILL."""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path

import pytest

from bench.workload import UNSURE_TURNS
from tests.conftest import Chat, _deploy


@pytest.fixture(scope="module")
def deployment(trained_model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("meaning-process")
    yield from _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}")


def model_children(parent: int) -> list[int]:
    """The processes running bot.meaning.process whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and "bot.meaning.process" in command:
            found.append(int(entry.name))
    return found


def cpu_ticks(pid: int) -> int:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_unsure_questions_are_answered_by_way_of_the_models_process(deployment):
    server = deployment.process("rasa").pid
    [child] = model_children(server)
    before = cpu_ticks(child)
    chat = Chat(deployment.ports.rasa, f"meaning-{secrets.token_hex(4)}", deployment.mail_dir)
    for text, expected in UNSURE_TURNS:
        assert expected in chat.text(text)
    assert cpu_ticks(child) > before  # the child did the reading: 10-16 ms of CPU a sentence


def test_the_models_process_ends_when_the_server_is_killed_alone(deployment):
    server = deployment.process("rasa").pid
    [child] = model_children(server)
    os.kill(server, signal.SIGKILL)  # the server only, not its process group
    deployment.process("rasa").wait(timeout=30)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child}/cmdline").exists() and b"bot.meaning" in Path(f"/proc/{child}/cmdline").read_bytes():
        assert time.monotonic() < deadline, "the sentence model's process outlived its server"
        time.sleep(0.1)
    deployment.restart("rasa")
    chat = Chat(deployment.ports.rasa, f"meaning-{secrets.token_hex(4)}", deployment.mail_dir)
    text, expected = UNSURE_TURNS[1]
    assert expected in chat.text(text)
