"""The website's chat reading the staff's answers (bot/web/handoff.py), the real web service over HTTP:
only with its request's own secret, only that request's answers, and an answer shown on an open page is
not mailed as well."""

from __future__ import annotations

import pytest
import requests

from bot.notices.handoff import handoff_desk, notice_round
from bot.store.db import migrate
from tests.notice_servers import mail_server
from tests.unit.bot.handoff.test_handoff import TURNS
from tests.web_service import web_service


@pytest.fixture
def service(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(url)
    with web_service(tmp_path, url, ACTS_NOTICE_POLL_SECONDS="0") as running:
        yield running


def test_the_chat_reads_its_requests_answers_only_with_its_secret(service, monkeypatch):
    monkeypatch.setenv("ACTS_HANDOFF_PAGE_SECONDS", "60")
    desk = handoff_desk(service.store)
    mine = desk.open("web-mine", "rest", TURNS, email="li@uni.edu").request
    other = desk.open("web-other", "rest", TURNS, email="kim@uni.edu").request
    token, other_token = desk.page_token(mine.reference), desk.page_token(other.reference)
    desk.reply(mine.reference, "Sam", "Yes, your department can pay.")
    desk.reply(other.reference, "Sam", "Kim's answer, for Kim only.")
    desk.learner_says("web-mine", "thanks!")

    read = requests.get(f"{service.url}/handoff/{token}/answers", timeout=10)
    assert read.status_code == 200 and read.headers["Cache-Control"] == "no-store"
    body = read.json()
    assert body["reference"] == mine.reference and body["open"] is True
    assert [a["text"] for a in body["answers"]] == ["Yes, your department can pay."]  # the staff's only
    after = body["answers"][-1]["id"]
    assert requests.get(f"{service.url}/handoff/{token}/answers?after={after}", timeout=10).json()["answers"] == []
    assert "Kim" in requests.get(f"{service.url}/handoff/{other_token}/answers", timeout=10).text
    for wrong in ("x" * 32, token[:-1] + ("A" if token[-1] != "A" else "B"), "../../etc"):
        assert requests.get(f"{service.url}/handoff/{wrong}/answers", timeout=10).status_code == 404
    assert requests.get(f"{service.url}/handoff/{token}/answers?after=x", timeout=10).status_code == 400
    assert token not in service.log.read_text()  # the secret is never logged

    # The page read it just now: the answer is shown there, not mailed; an answer to a closed page is mailed.
    assert desk.page_open(mine.reference) and not desk.page_open(desk.open("web-3", "rest", TURNS).request.reference)
    with mail_server() as (smtp, port):
        monkeypatch.setenv("ACTS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ACTS_SMTP_PORT", str(port))
        monkeypatch.setenv("ACTS_SMTP_SECURITY", "none")
        notice_round(service.store)
        mailed = [m["To"] for m in smtp.received]
    assert "li@uni.edu" not in mailed and "kim@uni.edu" not in mailed  # both pages read their answers
    monkeypatch.setenv("ACTS_HANDOFF_PAGE_SECONDS", "0")
    assert not desk.page_open(mine.reference)
