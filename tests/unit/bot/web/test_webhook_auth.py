"""The Credly webhook as a stranger would try it: without the deployment's secret in the path it is a
404 like any path that does not exist, and asks Credly nothing; with it, it is limited per client
address (429 with Retry-After) and each event id is handled once, even when two deliveries of it
arrive at the same moment (two threads, two stores: as two web services would), on SQLite and
PostgreSQL. And the secret itself: from the environment, or a file made once, owner-only."""

from __future__ import annotations

import os
import secrets
import stat
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import select

import bot.web.app as web_app
from bot.credly.client import CredlyClient, CredlyUnavailable
from bot.credly.sync import handle_webhook
from bot.reviewing.decisions import Reviews
from bot.store.applications import ApplicationStore, Details
from bot.store.db import migrate
from bot.web.app import make_app
from tests.applicants import JANE
from tests.conftest import http_from
from tests.emulator_thread import emulator, serve_in_thread
from tests.files import pdf_bytes

SECRET = secrets.token_urlsafe(32)


@pytest.fixture
def credly():
    with emulator() as running:
        yield running


@pytest.fixture
def store(database_url, tmp_path, monkeypatch, credly):
    migrate(database_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("CREDLY_BASE_URL", credly.base_url)
    monkeypatch.setenv("ACTS_CREDLY_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("ACTS_ISSUING_POLL_SECONDS", "0")
    monkeypatch.delenv("CREDLY_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads")


class Counting:
    """A Credly client that counts the calls made through it (and can be slow, to widen a race)."""

    def __init__(self, client: CredlyClient, delay: float = 0.0) -> None:
        self.client, self.delay, self.calls = client, delay, []
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        method = getattr(self.client, name)

        def counted(*args, **kwargs):
            with self._lock:
                self.calls.append(name)
            time.sleep(self.delay)
            return method(*args, **kwargs)

        return counted


def api(credly) -> CredlyClient:
    return CredlyClient(credly.base_url, credly.organization, credly.token, attempts=1, sleep=lambda s: None)


def accepted_event(store: ApplicationStore, credly) -> str:
    """An application approved, its badge accepted in Credly: the id of the event that says so."""
    link = store.start_draft("c1", JANE.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    reference = store.submit("c1", Details(**JANE.__dict__)).reference
    assert Reviews(store, lambda: api(credly)).approve(reference, "alice").complete
    [badge] = credly.badges
    credly.act(badge["id"], "accept")
    return next(
        event_id
        for event_id, body in credly.org.events.items()
        if body["event_type"] == "badge.state.changed" and body["badge"]["state"] == "accepted"
    )


@pytest.fixture
def service(store, credly, monkeypatch):
    """The web service's app on a free port, its Credly calls counted."""
    counting = Counting(api(credly))
    monkeypatch.setattr(web_app, "credly_client", lambda: counting)
    with serve_in_thread(make_app(store)) as root:
        yield root, counting


def events_stored(store: ApplicationStore) -> list[str]:
    from bot.store.models import CredlyEvent  # here, so that this file runs on the code before it, and fails

    return store.transaction(lambda s: [e.event_id for e in s.execute(select(CredlyEvent)).scalars()])


# --- the secret -----------------------------------------------------------------------------------


def test_without_the_secret_the_webhook_is_a_404_like_no_route_and_asks_credly_nothing(store, credly, service):
    root, counting = service
    event_id = accepted_event(store, credly)
    nothing_there = requests.post(f"{root}/no/such/path", json={"id": event_id}, timeout=10)
    assert nothing_there.status_code == 404
    wrong = [
        "/webhooks/credly",  # the old, open address
        "/webhooks/credly/",
        f"/webhooks/credly/{SECRET[:-1]}",
        f"/webhooks/credly/{SECRET}x",
        f"/webhooks/credly/{SECRET.swapcase()}",
        f"/webhooks/credly/{'A' * len(SECRET)}",
        "/webhooks/credly/%00",
        f"/webhooks/credly/{SECRET}/extra",
    ]
    for path in wrong:
        answer = requests.post(f"{root}{path}", json={"id": event_id}, timeout=10)
        assert answer.status_code == 404, path
        assert answer.text == nothing_there.text and answer.headers.get("Content-Type") == nothing_there.headers.get(
            "Content-Type"
        ), path
    assert counting.calls == [] and events_stored(store) == []

    right = requests.post(f"{root}/webhooks/credly/{SECRET}", json={"id": event_id}, timeout=10)
    assert right.status_code == 200 and right.json() == {"ok": True, "result": "updated"}
    assert counting.calls == ["event", "get_badge"]


def test_a_repeated_delivery_is_answered_200_without_asking_credly_again(store, credly, service):
    root, counting = service
    event_id = accepted_event(store, credly)
    url = f"{root}/webhooks/credly/{SECRET}"
    assert requests.post(url, json={"id": event_id}, timeout=10).json()["result"] == "updated"
    for _ in range(3):
        again = requests.post(url, json={"id": event_id, "event_type": "badge.state.changed"}, timeout=10)
        assert again.status_code == 200 and again.json()["ok"] is True
    assert counting.calls == ["event", "get_badge"]


def test_webhooks_are_limited_per_client_address(store, credly, service, monkeypatch):
    monkeypatch.setenv("ACTS_CREDLY_WEBHOOKS_PER_MINUTE", "3")
    with serve_in_thread(make_app(store)) as root:
        _, counting = service
        url = f"{root}/webhooks/credly/{SECRET}"
        one, other = http_from("127.0.0.2"), http_from("127.0.0.3")
        answers = [one.post(url, json={"id": f"e-{n}"}, timeout=10) for n in range(5)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        assert int(answers[-1].headers["Retry-After"]) > 0 and answers[-1].json()["ok"] is False
        assert counting.calls == ["event"] * 3  # refused ones asked Credly nothing
        # Another address has its own budget; a stranger without the secret uses up nobody's.
        for _ in range(5):
            assert other.post(f"{root}/webhooks/credly/guess", json={"id": "e-x"}, timeout=10).status_code == 404
        assert other.post(url, json={"id": "e-9"}, timeout=10).status_code == 200


def test_two_deliveries_of_one_event_at_once_ask_credly_once_over_http(store, credly, monkeypatch):
    event_id = accepted_event(store, credly)
    slow = Counting(api(credly), delay=0.5)
    monkeypatch.setattr(web_app, "credly_client", lambda: slow)
    # Two web services on one database.
    with serve_in_thread(make_app(store)) as first, serve_in_thread(make_app(ApplicationStore(store.url))) as second:
        answers: list[requests.Response] = []
        start = threading.Barrier(2)

        def deliver(root: str) -> None:
            start.wait()
            answers.append(requests.post(f"{root}/webhooks/credly/{SECRET}", json={"id": event_id}, timeout=30))

        threads = [threading.Thread(target=deliver, args=(root,)) for root in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert slow.calls.count("event") == 1, slow.calls
        assert sorted(a.status_code for a in answers) in ([200, 200], [200, 503])
        busy = [a for a in answers if a.status_code == 503]
        assert all(int(a.headers["Retry-After"]) > 0 for a in busy)
        # Credly's retry of the busy one: answered at once.
        again = requests.post(f"{first}/webhooks/credly/{SECRET}", json={"id": event_id}, timeout=10)
        assert again.status_code == 200 and slow.calls.count("event") == 1


def test_two_deliveries_of_one_event_at_once_ask_credly_once(store, credly):
    event_id = accepted_event(store, credly)
    slow = Counting(api(credly), delay=0.5)
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def deliver(each_store: ApplicationStore) -> None:
        start.wait()
        try:
            outcomes.append(handle_webhook({"id": event_id}, each_store, lambda: slow))
        except Exception as error:  # the other delivery, told to come back
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=deliver, args=(s,)) for s in (store, ApplicationStore(store.url))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert slow.calls.count("event") == 1, (slow.calls, outcomes)
    assert "updated" in outcomes and len(outcomes) == 2


def test_a_failed_handling_releases_the_event_so_credlys_retry_handles_it(store, credly):
    event_id = accepted_event(store, credly)
    credly.fail(503, count=1)
    with pytest.raises(CredlyUnavailable):
        handle_webhook({"id": event_id}, store, lambda: api(credly))
    assert handle_webhook({"id": event_id}, store, lambda: api(credly)) == "updated"


def test_a_claim_whose_handler_died_is_taken_over_later_but_not_before(store, credly):
    from bot.credly.sync import CLAIM_SECONDS, WebhookBusy
    from bot.store.models import CredlyEvent

    event_id = accepted_event(store, credly)
    now = datetime.now(timezone.utc)
    store.transaction(lambda s: s.add(CredlyEvent(event_id=event_id, received_at=now)))
    counting = Counting(api(credly))
    with pytest.raises(WebhookBusy):
        handle_webhook({"id": event_id}, store, lambda: counting)
    assert counting.calls == []

    def long_ago(session) -> None:
        session.get(CredlyEvent, event_id).received_at = now - timedelta(seconds=CLAIM_SECONDS + 60)

    store.transaction(long_ago)
    assert handle_webhook({"id": event_id}, store, lambda: counting) == "updated"


# --- where the secret comes from -------------------------------------------------------------------


def test_the_secret_comes_from_the_environment_or_a_file_made_once_owner_only(tmp_path, monkeypatch):
    import bot.settings as settings

    monkeypatch.setattr(settings, "VAR", tmp_path / "var")
    monkeypatch.delenv("ACTS_CREDLY_WEBHOOK_SECRET", raising=False)
    old_umask = os.umask(0)  # the most careless umask: the file is owner-only all the same
    try:
        made = settings.credly_webhook_secret()
    finally:
        os.umask(old_umask)
    path = tmp_path / "var" / "credly-webhook.secret"
    assert len(made) >= 40 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.credly_webhook_secret() == made and [p.name for p in path.parent.iterdir()] == [path.name]

    monkeypatch.setenv("ACTS_CREDLY_WEBHOOK_SECRET", SECRET)
    assert settings.credly_webhook_secret() == SECRET
    for bad in ("short", "has/a/slash-in-it-1234", "spaces are not ok in a path", "é" * 20):
        monkeypatch.setenv("ACTS_CREDLY_WEBHOOK_SECRET", bad)
        with pytest.raises(ValueError, match="ACTS_CREDLY_WEBHOOK_SECRET"):
            settings.credly_webhook_secret()


def test_the_secret_file_is_the_same_for_processes_starting_together(tmp_path, monkeypatch):
    import bot.settings as settings

    monkeypatch.setattr(settings, "VAR", tmp_path / "var")
    monkeypatch.delenv("ACTS_CREDLY_WEBHOOK_SECRET", raising=False)
    seen: list[str] = []
    start = threading.Barrier(8)

    def read() -> None:
        start.wait()
        seen.append(settings.credly_webhook_secret())

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(seen) == 8 and len(set(seen)) == 1 and len(seen[0]) >= 40


def test_the_local_emulator_posts_to_the_url_with_the_secret(monkeypatch):
    from emulators.credly import with_secret

    monkeypatch.setenv("ACTS_CREDLY_WEBHOOK_SECRET", SECRET)
    assert with_secret("http://127.0.0.1:8080/webhooks/credly") == f"http://127.0.0.1:8080/webhooks/credly/{SECRET}"
    assert with_secret(f"http://h/webhooks/credly/{SECRET}") == f"http://h/webhooks/credly/{SECRET}"
    assert with_secret(None) is None


def test_behind_a_proxy_the_limit_is_per_forwarded_client_and_a_forged_header_changes_nothing(
    store, credly, service, monkeypatch
):
    """Behind nginx (ACTS_WEB_PROXIES_COUNT=1) every request comes from the proxy: the limit counts the
    address the proxy appended, and what a client wrote into the header before it counts for nothing."""
    monkeypatch.setenv("ACTS_CREDLY_WEBHOOKS_PER_MINUTE", "2")
    monkeypatch.setenv("ACTS_WEB_PROXIES_COUNT", "1")
    with serve_in_thread(make_app(store)) as root:
        url = f"{root}/webhooks/credly/{SECRET}"
        proxy = http_from("127.0.0.2")

        def post(n: int, forwarded: str) -> int:
            return proxy.post(
                url, json={"id": f"p-{n}"}, headers={"X-Forwarded-For": forwarded}, timeout=10
            ).status_code

        assert [post(n, "203.0.113.7") for n in range(3)] == [200, 200, 429]
        assert post(3, "198.51.100.9") == 200  # another client behind the same proxy: its own budget
        assert post(4, "192.0.2.1, 203.0.113.7") == 429  # a forged first entry: still 203.0.113.7
