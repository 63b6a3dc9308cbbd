"""'Delete my data' in Slack: the account's own data, and nothing filed by others with an address it never proved."""

from __future__ import annotations

import dataclasses
import re

import pytest

from actions import privacy, proving
from bot.identity import Identity
from bot.proving.codes import EmailCodes
from bot.store.applications import ApplicationStore
from bot.store.db import migrate
from tests.applicants import JANE
from tests.files import pdf_bytes


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("ACTS_CONVERSATIONS_DB", str(tmp_path / "conversations.db"))
    migrate(url)
    sent: list = []
    monkeypatch.setattr(proving, "codes", lambda: EmailCodes(ApplicationStore(), send=sent.append))
    store = ApplicationStore()
    store.mailed = sent  # the mail the actions sent, as the learner would read it
    return store


def file(store: ApplicationStore, conversation: str, email: str, badge: str, filed_by: str | None = None) -> str:
    details = dataclasses.replace(JANE, email=email, badge_id=badge)
    link = store.start_draft(conversation, badge)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    return store.submit(conversation, details, filed_by=filed_by).reference


def test_a_slack_account_erases_its_own_data_and_not_what_others_filed_with_an_address_it_typed(store):
    """Issue 20, hole 2 (Slack): erasure covered every address ever typed into the account's applications, so
    typing a victim's address in one application erased everything the victim had filed."""
    me = Identity("slack", "U0ME", "Me", "me@uni.edu")
    mine = file(store, "slack:U0ME", "me@uni.edu", "team-science-fundamentals", filed_by=me.key)
    typed = file(store, "slack:U0ME", "victim@uni.edu", "team-science-fundamentals", filed_by=me.key)
    victims = file(store, "web-victim", "victim@uni.edu", "complementary-team-science")
    emails, references = privacy._slack_scope(me, "slack:U0ME")
    assert emails == {"me@uni.edu"} and references == [typed]
    privacy._erase(emails, references, "learner:slack:U0ME", "slack:U0ME")
    assert store.get(mine).full_name is None and store.get(typed).full_name is None
    assert store.get(victims).full_name == "Jane Doe"  # the victim's own application is untouched
    assert [a.reference for a in store.submitted("victim@uni.edu")] == [victims]


def test_an_address_the_slack_account_proved_is_erased_whole(store):
    me = Identity("slack", "U0ME", "Me", "me@uni.edu")
    codes = proving.codes()
    codes.send_code("slack:U0ME", "other@uni.edu", "apply")
    code = re.search(r"code is (\d{6})", store.mailed[-1].text).group(1)
    proven = codes.check("slack:U0ME", "other@uni.edu", "apply", code)
    assert proven.result.value == "proven"
    file(store, "slack:U0ME", "other@uni.edu", "team-science-fundamentals", filed_by=me.key)
    emails, references = privacy._slack_scope(me, "slack:U0ME")
    assert emails == {"me@uni.edu", "other@uni.edu"} and references == []
