"""One-time codes that prove an email address (bot/proving), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.mail.sending import Mail, MailError
from bot.proving.codes import (
    MAX_CODES_PER_ADDRESS,
    MAX_WRONG_TRIES,
    EmailCodes,
    Result,
    Sent,
    read_code,
)
from bot.proving.replies import read_reply
from bot.store.applications import ApplicationStore
from bot.store.db import migrate
from bot.store.models import EmailCode
from tests.clock import Clock


class Outbox:
    """Mail as it would leave: the tests read the code from it, as a learner reads their inbox."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.fail = False
        self.lock = threading.Lock()

    def __call__(self, mail: Mail) -> None:
        if self.fail:
            raise MailError("SMTPServerDisconnected")
        with self.lock:
            self.sent.append(mail)

    def code(self) -> str:
        return re.search(r"code is (\d{6})", self.sent[-1].text).group(1)


@pytest.fixture
def codes(database_url):
    migrate(database_url)
    outbox, clock = Outbox(), Clock(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))
    codes = EmailCodes(ApplicationStore(url=database_url), send=outbox, clock=clock)
    codes.outbox, codes.now = outbox, clock
    return codes


def test_a_code_sent_and_typed_back_proves_the_address_in_that_conversation_only(codes):
    assert codes.send_code("chat-1", "Jane@Uni.edu", "apply") is Sent.SENT
    mail = codes.outbox.sent[-1]
    assert mail.to == "jane@uni.edu" and "ACTS" in mail.subject and "<strong" in mail.html
    assert "ACTS Digital Badges" in mail.text and "ignore this mail" in mail.text
    assert not codes.proven("chat-1", "jane@uni.edu", "apply")
    assert codes.check("chat-2", "jane@uni.edu", "apply", codes.outbox.code()).result is Result.NONE
    assert codes.check("chat-1", "jane@uni.edu", "status", codes.outbox.code()).result is Result.NONE
    assert codes.check("chat-1", "JANE@uni.edu", "apply", codes.outbox.code()).result is Result.PROVEN
    assert codes.proven("chat-1", "jane@uni.edu", "apply")
    assert not codes.proven("chat-2", "jane@uni.edu", "apply")
    assert not codes.proven("chat-1", "jane@uni.edu", "erase")
    # Used once: the same code again proves nothing more.
    assert codes.check("chat-1", "jane@uni.edu", "apply", codes.outbox.code()).result is Result.SPENT


def test_only_hashes_are_stored(codes):
    codes.send_code("chat-1", "jane@uni.edu", "apply")
    with codes.store._session() as session:
        row = session.execute(select(EmailCode)).scalar_one()
    stored = " ".join(str(getattr(row, c.name)) for c in EmailCode.__table__.columns)
    assert codes.outbox.code() not in stored and "jane" not in stored and "chat-1" not in stored


def test_five_wrong_tries_spend_the_code_and_a_new_one_must_be_sent(codes):
    codes.send_code("chat-1", "jane@uni.edu", "apply")
    right = codes.outbox.code()
    wrong = "000000" if right != "000000" else "111111"
    results = [codes.check("chat-1", "jane@uni.edu", "apply", wrong) for _ in range(MAX_WRONG_TRIES)]
    assert [r.tries_left for r in results[:-1]] == [4, 3, 2, 1]
    assert results[-1].result is Result.SPENT
    assert codes.check("chat-1", "jane@uni.edu", "apply", right).result is Result.SPENT
    codes.send_code("chat-1", "jane@uni.edu", "apply")
    assert codes.check("chat-1", "jane@uni.edu", "apply", codes.outbox.code()).result is Result.PROVEN


def test_a_code_expires_after_ten_minutes(codes):
    codes.send_code("chat-1", "jane@uni.edu", "status")
    codes.now.now += timedelta(minutes=10, seconds=1)
    assert codes.check("chat-1", "jane@uni.edu", "status", codes.outbox.code()).result is Result.SPENT


def test_a_proof_lasts_for_its_purpose_only_so_long(codes):
    codes.send_code("chat-1", "jane@uni.edu", "erase")
    codes.check("chat-1", "jane@uni.edu", "erase", codes.outbox.code())
    codes.now.now += timedelta(minutes=16)
    assert not codes.proven("chat-1", "jane@uni.edu", "erase")
    assert codes.proven("chat-1", "jane@uni.edu", None)  # ever proven: a Slack account's own address


def test_at_most_three_codes_an_hour_to_one_address_whoever_asks(codes):
    sent = [codes.send_code(f"chat-{i}", "jane@uni.edu", "status") for i in range(MAX_CODES_PER_ADDRESS + 1)]
    assert sent == [Sent.SENT] * MAX_CODES_PER_ADDRESS + [Sent.TOO_MANY]
    assert len(codes.outbox.sent) == MAX_CODES_PER_ADDRESS
    assert codes.send_code("chat-9", "someone.else@uni.edu", "status") is Sent.SENT
    codes.now.now += timedelta(hours=1, seconds=1)
    assert codes.send_code("chat-0", "jane@uni.edu", "status") is Sent.SENT


def test_a_mail_the_server_refused_costs_no_allowance(codes):
    codes.outbox.fail = True
    assert [codes.send_code("chat-1", "jane@uni.edu", "apply") for _ in range(4)] == [Sent.MAIL_FAILED] * 4
    codes.outbox.fail = False
    assert codes.send_code("chat-1", "jane@uni.edu", "apply") is Sent.SENT


def test_many_requests_at_once_send_three_codes_no_more(codes):
    results: list[Sent] = []

    def ask(i: int) -> None:
        results.append(codes.send_code(f"chat-{i}", "jane@uni.edu", "status"))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(Sent.SENT) == MAX_CODES_PER_ADDRESS
    assert len(codes.outbox.sent) == MAX_CODES_PER_ADDRESS


def test_the_right_code_twice_at_once_proves_it_once(codes):
    codes.send_code("chat-1", "jane@uni.edu", "apply")
    code, results = codes.outbox.code(), []
    threads = [
        threading.Thread(target=lambda: results.append(codes.check("chat-1", "jane@uni.edu", "apply", code)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.result for r in results].count(Result.PROVEN) == 1


def test_forgetting_an_address_deletes_its_codes(codes):
    codes.send_code("chat-1", "jane@uni.edu", "apply")
    codes.check("chat-1", "jane@uni.edu", "apply", codes.outbox.code())
    assert codes.forget("jane@uni.edu") == 1
    assert not codes.proven("chat-1", "jane@uni.edu", None)


@pytest.mark.parametrize(
    "text, kind, code",
    [
        ("123456", "code", "123456"),
        ("my code is 123 456", "code", "123456"),
        ("١٢٣٤٥٦", "code", "123456"),
        ("12345", "other", None),
        ("Send it again", "resend", None),
        ("I didn't get any email", "resend", None),
        ("nothing arrived", "resend", None),
        ("Change the address", "change", None),
        ("oops wrong email", "change", None),
        ("I made a typo in it", "change", None),
        ("what is a badge?", "other", None),
    ],
)
def test_a_reply_at_the_code_question_is_read(text, kind, code):
    reply = read_reply(text)
    assert (reply.kind, reply.code) == (kind, code)
    if kind == "code":
        assert read_code(text) == code
