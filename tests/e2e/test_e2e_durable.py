"""Conversations survive the Rasa server: killed with SIGKILL in the middle of an application, or
restarted cleanly, it continues at the same question with every answer so far; a handoff to a person
survives a restart of every server; concurrent messages of one conversation are handled one at a time,
each exactly once."""

from __future__ import annotations

import secrets
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import Chat, _deploy
from tests.conversations import code_for, codes_to, prove_address


@pytest.fixture(scope="module")
def deployment(trained_model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("durable-deployment")
    yield from _deploy(trained_model, workdir, f"sqlite:///{workdir / 'acts.db'}")


def start_applying(chat: Chat) -> None:
    assert "qualifying training" in chat.text("I'd like to apply for the Team Science Fundamentals badge")
    assert "Which qualifying training" in chat.text("yes")
    assert "When did you complete" in chat.text("ACTS Team Science Fundamentals training")
    assert "full name" in chat.text("March 2024")
    assert "email" in chat.text("Ada Lovelace").lower()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "restarted"])
def test_an_application_continues_at_the_same_question_after_the_server_stops(deployment, sig):
    chat = Chat(deployment.ports.rasa, f"durable-{sig.name}-{secrets.token_hex(4)}", deployment.mail_dir)
    start_applying(chat)
    deployment.stop("rasa", sig)
    deployment.restart("rasa")
    # The next answer is the email: the form is at the same question, with everything said so far.
    assert "organisation" in prove_address(chat, f"ada.{secrets.token_hex(3)}@uni.edu")
    assert "ORCID" in chat.text("Analytical Engines Ltd")
    summary = chat.text("skip")
    assert "upload" in summary.lower()


def test_concurrent_messages_of_one_conversation_are_handled_one_at_a_time_each_once(deployment):
    sender = f"burst-{secrets.token_hex(4)}"
    questions = [f"is there a fee? ({n})" for n in range(16)]
    with ThreadPoolExecutor(len(questions)) as pool:
        replies = list(pool.map(lambda q: Chat(deployment.ports.rasa, sender).text(q), questions))
    assert all("no cost" in reply for reply in replies)

    events = deployment.tracker(sender)["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(said) == sorted(questions)  # every message exactly once
    # One at a time: each message is answered before the next one starts.
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert kinds == ["user", "bot"] * len(questions)


def test_a_handoff_survives_a_restart_of_every_server_mid_conversation(deployment):
    """The request, the relay and the page's secret live in the database and the conversation store:
    after every server is killed and started again the learner still talks to the staff, the staff's
    answer reaches the page and the mailbox, and the close hands the conversation back."""
    import requests

    from tests.e2e.test_e2e_handoff import SUPPORT, support_command, wait_for_mail

    chat = Chat(deployment.ports.rasa, f"handoff-durable-{secrets.token_hex(4)}", deployment.mail_dir)
    email = f"noor.{secrets.token_hex(3)}@uni.example.edu"
    assert "Shall I pass it on?" in chat.text("can I talk to someone from ACTS?")
    assert "email address" in chat.text("/affirm")
    seen = len(codes_to(deployment.mail_dir, email))
    assert "code" in chat.text(email)
    opened = chat.say(code_for(deployment.mail_dir, email, seen))
    reference = next(m["custom"]["handoff"]["reference"] for m in opened if "handoff" in (m.get("custom") or {}))
    answers = next(m["custom"]["handoff"]["answers"] for m in opened if "handoff" in (m.get("custom") or {}))
    wait_for_mail(deployment.mail_dir, SUPPORT, 1)

    deployment.restart_all(signal.SIGKILL)

    assert chat.text("are you still there?") == f"Passed on to the team ({reference})."
    assert any("are you still there?" in m for m in wait_for_mail(deployment.mail_dir, SUPPORT, 2))
    assert support_command(deployment, "reply", reference, "Yes, we are: what do you need?").returncode == 0
    page = requests.get(answers, timeout=10)  # the page's secret still reads the staff's answer
    assert page.status_code == 200 and [a["text"] for a in page.json()["answers"]] == ["Yes, we are: what do you need?"]
    assert support_command(deployment, "close", reference).returncode == 0
    back = chat.text("is there a fee?")
    assert f"Your request {reference} was closed by the team" in back and "no cost" in back
