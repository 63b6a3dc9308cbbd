"""The Credly client against the local emulator, over real HTTP: envelope, pagination, faults."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest
import requests

from bot.credly.client import CredlyClient, CredlyNotFound, CredlyRejected, CredlyUnavailable, Recipient
from tests.emulator_thread import TEMPLATE, emulator

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
JANE = Recipient("Jane.Doe@Uni.edu", "Jane", "Doe")


@pytest.fixture
def credly():
    with emulator(page_size=2) as running:
        yield running


def client(credly, **options) -> tuple[CredlyClient, list[float]]:
    sleeps: list[float] = []
    options = {"backoff": 0.01, "sleep": sleeps.append, **options}
    return CredlyClient(credly.base_url, credly.organization, credly.token, **options), sleeps


def test_issue_then_read_back_pending(credly):
    api, _ = client(credly)
    badge = api.issue_badge(TEMPLATE, JANE, NOW, earner_id="ACTS-7KQ2-M9XD")
    assert badge.state == "pending" and badge.recipient_email == "jane.doe@uni.edu"
    assert badge.issuer_earner_id == "ACTS-7KQ2-M9XD" and badge.accept_badge_url.endswith("/accept")
    assert api.get_badge(badge.id) == badge
    [stored] = credly.badges
    assert stored["issued_to_first_name"] == "Jane" and stored["issued_at"] == "2026-11-27 12:00:00 +0000"


def test_issuing_twice_never_issues_twice(credly):
    api, _ = client(credly)
    first = api.issue_badge(TEMPLATE, JANE, NOW, earner_id="ACTS-7KQ2-M9XD")
    assert api.issue_badge(TEMPLATE, JANE, NOW, earner_id="ACTS-7KQ2-M9XD") == first
    assert len(credly.badges) == 1


def test_a_lost_answer_then_a_422_duplicate_finds_the_existing_badge(credly):
    api, _ = client(credly)
    first = api.issue_badge(TEMPLATE, JANE, NOW, earner_id="ACTS-7KQ2-M9XD")
    # Pretend our look-up missed it (its answer was lost): the POST gets 422 and we find the badge.
    original, calls = api.find_badge, []

    def find_later(*args):
        calls.append(args)
        return None if len(calls) == 1 else original(*args)

    api.find_badge = find_later
    assert api.issue_badge(TEMPLATE, JANE, NOW, earner_id="ACTS-7KQ2-M9XD") == first
    assert len(credly.badges) == 1


def test_states_as_the_earner_or_admin_changes_them(credly):
    api, _ = client(credly)
    ids = [api.issue_badge(TEMPLATE, Recipient(f"p{i}@uni.edu", "P", str(i)), NOW, f"ref-{i}").id for i in range(3)]
    credly.act(ids[0], "accept")
    credly.act(ids[1], "reject")
    credly.act(ids[2], "revoke", reason="issued in error")
    assert [api.get_badge(i).state for i in ids] == ["accepted", "rejected", "revoked"]
    assert api.get_badge(ids[2]).revocation_reason == "issued in error"


def test_find_follows_next_page_url_across_pages(credly):
    api, _ = client(credly)
    for i in range(5):
        api.issue_badge(TEMPLATE, Recipient(f"p{i}@uni.edu", "P", str(i)), NOW, f"ref-{i}")
    assert credly.org.page_size == 2
    assert api.find_badge(TEMPLATE, "p4@uni.edu").recipient_email == "p4@uni.edu"
    everything = list(api._pages("badges", {}))
    assert [b["recipient_email"] for b in everything] == [f"p{i}@uni.edu" for i in range(5)]
    assert api.find_badge(TEMPLATE, "nobody@uni.edu") is None


def test_5xx_is_retried_with_backoff(credly):
    api, sleeps = client(credly)
    credly.fail(503, count=2)
    assert api.issue_badge(TEMPLATE, JANE, NOW, "ACTS-7KQ2-M9XD").state == "pending"
    assert sleeps == [0.01, 0.02]


def test_429_waits_as_long_as_retry_after_says(credly):
    api, sleeps = client(credly)
    credly.fail(429, count=1, retry_after=3)
    assert api.find_badge(TEMPLATE, "jane.doe@uni.edu") is None
    assert sleeps == [3.0]


def test_a_credly_that_stays_down_is_a_clear_error(credly):
    api, sleeps = client(credly, attempts=3)
    credly.fail(500, count=10)
    with pytest.raises(CredlyUnavailable, match="gave up after 3 attempts"):
        api.get_badge("anything")
    assert len(sleeps) == 2


def test_a_slow_credly_times_out(credly):
    api, _ = client(credly, timeout=0.2, attempts=2)
    credly.fail(0, count=2, delay=1.0)
    with pytest.raises(CredlyUnavailable, match="Timeout"):
        api.get_badge("anything")


def test_nothing_listening_is_unavailable():
    from launcher.servers import free_port

    api = CredlyClient(f"http://127.0.0.1:{free_port()}/v1", "org", "t", attempts=2, backoff=0, sleep=lambda s: None)
    with pytest.raises(CredlyUnavailable, match="ConnectionError"):
        api.get_badge("x")


def test_wrong_token_and_unknown_badge(credly):
    api, _ = client(credly)
    with pytest.raises(CredlyNotFound):
        api.get_badge("no-such-badge")
    wrong = CredlyClient(credly.base_url, credly.organization, "wrong-token", sleep=lambda s: None)
    with pytest.raises(CredlyRejected) as error:
        wrong.get_badge("x")
    assert error.value.status == 401


def test_validation_errors_name_the_field(credly):
    api, _ = client(credly)
    with pytest.raises(CredlyRejected, match="badge_template_id"):
        api.issue_badge("not-a-template", JANE, NOW, "ACTS-7KQ2-M9XD")


def test_the_emulator_accepts_both_token_encodings(credly):
    url = f"{credly.base_url}/organizations/{credly.organization}/badges"
    for raw in (f"{credly.token}:", credly.token):
        header = "Basic " + base64.b64encode(raw.encode()).decode()
        assert requests.get(url, headers={"Authorization": header}, timeout=5).status_code == 200


def test_the_client_never_shows_its_token(credly):
    api, _ = client(credly)
    assert credly.token not in repr(api)
