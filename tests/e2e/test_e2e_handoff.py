"""End to end, the real servers over REST: a web learner asks for a person, proves an address, and is
handed over with the conversation so far; their messages go to the staff (by mail, without Slack), the
staff answer and close with the command line, the answer reaches that learner only, by mail, and the
conversation is back with the assistant."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from tests.conftest import ROOT, Chat
from tests.conversations import mails_to, prove_address

SUPPORT = "badges-support@actscts.example.org"  # bot.settings.support_email's default
REFERENCE = re.compile(r"HELP-[2-9A-HJKMNP-TV-Z]{4}")


def wait_for_mail(mail_dir, address: str, count: int, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = mails_to(mail_dir, address)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def support_command(servers, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": servers.database_url,
        "ACTS_SMTP_HOST": "127.0.0.1",
        "ACTS_SMTP_PORT": str(servers.ports.mail),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ACTS_SMTP_SECURITY", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.commands.support", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def handed_over(chat: Chat, email: str) -> str:
    """Asks a question, asks for a person, agrees and proves the address; returns the request's reference."""
    assert "no cost" in chat.text("can my employer pay the fee for my badge?")
    offered = chat.say("I'd like to talk to a real person")
    assert "Shall I pass it on?" in offered[0]["text"] and "actscts.org" in offered[0]["text"]
    assert [b["title"] for b in offered[0]["buttons"]] == ["Yes, pass it on", "No, thanks"]
    assert "email address" in chat.text("/affirm")
    done = prove_address(chat, email)
    found = REFERENCE.search(done)
    assert found and "Monday to Friday" in done and "back to the assistant" in done, done
    return found.group(0)


def test_a_web_learner_is_handed_over_answered_by_the_staff_and_back_with_the_assistant(servers, chat):
    email = f"li.{chat.sender[-6:]}@uni.example.edu"
    reference = handed_over(chat, email)

    # The staff get the request with the conversation so far, without the learner's address.
    (request,) = [m for m in wait_for_mail(servers.mail_dir, SUPPORT, 1) if reference in m and "From the website" in m]
    assert "can my employer pay the fee for my badge?" in request and email not in request

    # While it is open, the learner's messages go to the staff, not to the assistant.
    passed = chat.text("what is a digital badge, by the way?")
    assert passed == f"Passed on to the team ({reference})."
    assert any("what is a digital badge, by the way?" in m for m in wait_for_mail(servers.mail_dir, SUPPORT, 2))

    # The staff answer from the command line: the learner gets it by mail (the page may be closed).
    answered = support_command(servers, "reply", reference, "Yes: ask your department to write to us.", "--as", "Sam")
    assert answered.returncode == 0, answered.stderr
    (answer,) = wait_for_mail(servers.mail_dir, email, 2)[1:]  # after the code's mail
    assert "ask your department to write to us" in answer and reference in answer and "Sam" not in answer

    # Another conversation learns nothing of it, and can't write into it.
    stranger = Chat(servers.ports.rasa, chat.sender + "x", servers.mail_dir)
    assert reference not in stranger.text("what is my request HELP status?")

    # Closed by the staff: the learner is told, and the next question gets the assistant's answer again.
    assert support_command(servers, "close", reference).returncode == 0
    assert any("back with the assistant" in m for m in wait_for_mail(servers.mail_dir, email, 3))
    back = chat.text("is there a fee?")
    assert f"Your request {reference} was closed by the team" in back and "no cost" in back
    assert "no cost" in chat.text("is there a fee?")  # and the one after, as ever


def test_back_to_the_assistant_closes_the_request_and_the_staff_are_told(servers, chat):
    email = f"ana.{chat.sender[-6:]}@uni.example.edu"
    reference = handed_over(chat, email)
    left = chat.text("actually, back to the assistant please")
    assert f"your request {reference} is closed" in left
    assert "no cost" in chat.text("is there a fee?")
    assert any(
        f"{reference}: closed by the learner" in m or "went back to the assistant" in m
        for m in wait_for_mail(servers.mail_dir, SUPPORT, 1)
    )
    listed = support_command(servers, "list")
    assert reference not in listed.stdout


def test_asking_again_while_a_request_is_open_recalls_it(servers, chat):
    reference = handed_over(chat, f"kim.{chat.sender[-6:]}@uni.example.edu")
    assert "Passed on" in chat.text("can I talk to a person?")  # it goes to the staff, like every message
    assert support_command(servers, "list").stdout.count(reference) == 1


def test_after_two_answers_in_a_row_that_did_not_help_a_person_is_offered_unasked(servers, chat):
    first = chat.text("what's the weather like in Boston tomorrow?")
    assert "can't answer" in first and "Shall I pass it on?" not in first
    second = chat.say("who won the world cup in 2018?")
    assert "can't answer" in second[0]["text"] and "Shall I pass it on?" in second[-1]["text"]
    assert [b["title"] for b in second[-1]["buttons"]] == ["Yes, pass it on", "No, thanks"]
    assert "email address" in chat.text("/affirm")  # the offer goes on as if asked
    assert "OK" in chat.text("stop")
    third = chat.text("what is the capital of Peru?")
    assert "can't answer" in third and "Shall I pass it on?" not in third  # offered once, not at every one
