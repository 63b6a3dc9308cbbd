"""The same request twice at the same moment, on SQLite and PostgreSQL: one upload per link, every refused
upload counted, one open application per email and badge, and status-check counters that never collide."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.reviewing.status import MAX_FAILURES_PER_SOURCE, NO_MATCH, TOO_MANY, StatusDesk
from bot.store.applications import SUBMITTED, ApplicationStore, UploadRejected
from bot.store.db import migrate
from bot.store.models import Application, StatusLookup
from tests.applicants import JANE
from tests.files import jpeg_bytes, pdf_bytes

AT_ONCE = 8


@pytest.fixture
def store(database_url, tmp_path):
    migrate(database_url)
    return ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads")


def at_once(calls):
    """Runs the calls in threads released together; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as error:  # collected, so the test can say what each call did
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_one_upload_link_stores_one_document_however_many_use_it_at_once(store, tmp_path):
    link = store.start_draft("conv-1", JANE.badge_id)
    files = [pdf_bytes(), jpeg_bytes()] * (AT_ONCE // 2)
    results = at_once([lambda data=data: store.attach_document(link.token, "c.pdf", data) for data in files])
    stored = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, UploadRejected)]
    assert len(stored) == 1 and len(refused) == AT_ONCE - 1, results
    assert len(store.draft_documents("conv-1")) == 1
    assert len(list((tmp_path / "uploads").iterdir())) == 1  # no file of a refused upload is left


def test_uploads_refused_at_the_same_moment_are_each_counted(store):
    link = store.start_draft("conv-1", JANE.badge_id)
    results = at_once([lambda: store.attach_document(link.token, "c.pdf", b"not a pdf at all") for _ in range(AT_ONCE)])
    assert all(isinstance(r, UploadRejected) for r in results), results
    assert sorted(r.refusals for r in results) == list(range(1, AT_ONCE + 1))  # no two saw the same count
    assert store.refused_uploads("conv-1") == AT_ONCE


def test_simultaneous_submissions_for_one_email_and_badge_file_exactly_one(store):
    for n in range(AT_ONCE):
        link = store.start_draft(f"conv-{n}", JANE.badge_id)
        store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    results = at_once([lambda n=n: store.submit(f"conv-{n}", JANE) for n in range(AT_ONCE)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(not r.duplicate for r in results) == 1
    [application] = store.submitted("jane@uni.edu")
    assert application.status == SUBMITTED and len(application.documents) == 1
    opened = store.transaction(
        lambda s: s.execute(
            select(func.count()).select_from(Application).where(Application.status == SUBMITTED)
        ).scalar_one()
    )
    assert opened == 1


def test_simultaneous_first_failures_of_one_source_are_all_counted(store):
    desk = StatusDesk(store, credly=lambda: None)
    results = at_once(
        [lambda n=n: desk.check("web:guesser", f"ACTS-AAAA-AAA{n}", f"x{n}@y.org") for n in range(AT_ONCE)]
    )
    texts = [r.text for r in results]  # an exception here would have no .text
    assert texts.count(NO_MATCH) == MAX_FAILURES_PER_SOURCE
    assert all(t == NO_MATCH or t.startswith(TOO_MANY[:20]) for t in texts)
    counted = store.transaction(lambda s: s.execute(select(func.max(StatusLookup.failures))).scalar_one())
    assert counted == AT_ONCE  # the source's counter; each reference and address was tried once
