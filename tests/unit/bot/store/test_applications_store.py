"""The applications store against a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import traceback
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.reading.references import parse_reference
from bot.store.applications import DRAFT, SUBMITTED, ApplicationStore, Details, UploadRejected
from bot.store.db import DatabaseUnavailable, migrate
from tests.files import jpeg_bytes, pdf_bytes

DETAILS = Details(
    badge_id="team-science-fundamentals",
    training_id="tsf-training",
    completion_date=date(2024, 3, 1),
    full_name="Jane Doe",
    email="Jane.Doe@Example.org",
    organisation="Example University",
    orcid="0000-0002-1825-0097",
)


@pytest.fixture
def store(database_url, tmp_path):
    migrate(database_url)
    return ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads")


def test_a_draft_gets_a_one_time_upload_link(store):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    assert len(link.token) >= 40 and store.upload_link_valid(link.token)
    document = store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    assert document.summary.startswith("certificate.pdf (")
    assert not store.upload_link_valid(link.token)
    with pytest.raises(UploadRejected, match="not valid"):
        store.attach_document(link.token, "again.pdf", pdf_bytes())


def test_the_file_is_stored_under_a_random_name_with_its_hash(store, tmp_path):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    store.attach_document(link.token, "../../etc/passwd.pdf", pdf_bytes())
    stored = list((tmp_path / "uploads").iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".pdf" and "passwd" not in stored[0].name
    assert stored[0].read_bytes() == pdf_bytes()
    assert store.draft_documents("conv-1")[0].name == "passwd.pdf"


def test_fake_or_oversize_files_are_refused_and_the_link_still_works(store):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    with pytest.raises(UploadRejected, match="PDF, PNG or JPEG"):
        store.attach_document(link.token, "cert.pdf", b"MZ\x90\x00 this is a program")
    with pytest.raises(UploadRejected, match="10 MB"):
        store.attach_document(link.token, "big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))
    assert store.upload_link_valid(link.token)
    assert store.attach_document(link.token, "photo.jpg", jpeg_bytes()).mime == "image/jpeg"


def test_an_expired_link_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    now = [datetime(2026, 1, 1, tzinfo=timezone.utc)]
    store = ApplicationStore(url=url, documents_dir=tmp_path, clock=lambda: now[0])
    link = store.start_draft("conv-1", DETAILS.badge_id)
    now[0] += timedelta(hours=25)
    with pytest.raises(UploadRejected, match="expired"):
        store.attach_document(link.token, "c.pdf", pdf_bytes())


def test_unknown_tokens_are_refused(store):
    with pytest.raises(UploadRejected):
        store.attach_document("not-a-token", "c.pdf", pdf_bytes())
    assert not store.upload_link_valid("")


def test_submission_stores_the_application_with_a_reference_and_history(store):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    submission = store.submit("conv-1", DETAILS)
    assert not submission.duplicate and parse_reference(submission.reference) == submission.reference
    [application] = store.submitted()
    assert application.status == SUBMITTED and application.reference == submission.reference
    assert application.applicant.email == "jane.doe@example.org"
    assert application.orcid == "0000-0002-1825-0097"
    assert application.completion_date == date(2024, 3, 1)
    assert len(application.documents) == 1 and len(application.documents[0].sha256) == 64
    assert [(h.from_status, h.to_status, h.actor) for h in application.history] == [
        (None, DRAFT, "learner"),
        (DRAFT, SUBMITTED, "learner"),
    ]


def test_a_second_application_while_one_is_open_reveals_nothing_and_keeps_nothing(store, tmp_path):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    first = store.submit("conv-1", DETAILS)
    [kept] = list((tmp_path / "uploads").iterdir())
    link = store.start_draft("conv-2", DETAILS.badge_id)
    store.attach_document(link.token, "again.pdf", jpeg_bytes())
    stranger = Details(**{**DETAILS.__dict__, "email": "JANE.DOE@example.org", "full_name": "Mallory Smith"})
    second = store.submit("conv-2", stranger)
    assert second.duplicate and second.reference is None  # the open application's reference is not told
    [application] = store.submitted()
    assert application.reference == first.reference and application.full_name == "Jane Doe"
    assert [d.original_name for d in application.documents] == ["certificate.pdf"]
    assert list((tmp_path / "uploads").iterdir()) == [kept]  # the newcomer's document is not kept
    assert store.draft_documents("conv-2") == []


def test_an_application_keeps_the_details_it_was_submitted_with(store):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    first = store.submit("conv-1", DETAILS)
    store.change_status(first.reference, "rejected", "reviewer:test", "unreadable")
    later = Details(**{**DETAILS.__dict__, "full_name": "Jane Q. Doe", "organisation": "Other Org", "orcid": None})
    link = store.start_draft("conv-2", DETAILS.badge_id)
    store.attach_document(link.token, "better.pdf", pdf_bytes())
    second = store.submit("conv-2", later)
    earlier, newer = store.get(first.reference), store.get(second.reference)
    assert (earlier.full_name, earlier.organisation, earlier.orcid) == (
        "Jane Doe",
        "Example University",
        "0000-0002-1825-0097",
    )
    assert (newer.full_name, newer.organisation, newer.orcid) == ("Jane Q. Doe", "Other Org", None)
    assert earlier.applicant_id == newer.applicant_id  # one person, two applications


def test_database_errors_never_carry_personal_data(store):
    """A constraint error's text (PostgreSQL quotes the conflicting value) never reaches a log:
    not in the error, not in its traceback."""
    from bot.store.models import Applicant

    def twice(session):
        session.add_all([Applicant(email="secret.person@example.org"), Applicant(email="secret.person@example.org")])
        session.flush()

    with pytest.raises(DatabaseUnavailable) as error:
        store.transaction(twice)
    assert "secret.person" not in "".join(traceback.format_exception(error.type, error.value, error.tb))


def test_engines_hide_query_parameters(database_url):
    from bot.store.db import engine_for

    assert engine_for(database_url).hide_parameters


def test_submit_needs_a_document(store):
    store.start_draft("conv-1", DETAILS.badge_id)
    with pytest.raises(UploadRejected, match="no uploaded certificate"):
        store.submit("conv-1", DETAILS)


def test_cancelling_a_draft_deletes_its_files(store, tmp_path):
    link = store.start_draft("conv-1", DETAILS.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    assert store.cancel_draft("conv-1")
    assert list((tmp_path / "uploads").iterdir()) == []
    assert store.draft_documents("conv-1") == []
    assert not store.cancel_draft("conv-1")


def test_a_database_that_cannot_be_reached_is_reported_as_such(tmp_path):
    store = ApplicationStore(url="postgresql://nobody@127.0.0.1:1/none", documents_dir=tmp_path)
    with pytest.raises(DatabaseUnavailable):
        store.start_draft("conv-1", DETAILS.badge_id)


def test_abandoned_drafts_are_cancelled_with_their_files_and_recent_ones_kept(database_url, tmp_path):
    migrate(database_url)
    now = [datetime(2026, 1, 1, tzinfo=timezone.utc)]
    store = ApplicationStore(url=database_url, documents_dir=tmp_path / "uploads", clock=lambda: now[0])
    old = store.start_draft("conv-old", DETAILS.badge_id)
    store.attach_document(old.token, "certificate.pdf", pdf_bytes())
    now[0] += timedelta(hours=30)
    store.start_draft("conv-new", DETAILS.badge_id)
    cutoff = now[0] - timedelta(hours=24)
    assert store.discard_abandoned_drafts(cutoff, dry_run=True) == 1
    assert len(list((tmp_path / "uploads").iterdir())) == 1  # a dry run deletes nothing
    assert store.discard_abandoned_drafts(cutoff) == 1
    assert list((tmp_path / "uploads").iterdir()) == [] and store.draft_documents("conv-old") == []
    assert store.discard_abandoned_drafts(cutoff) == 0  # the recent draft stays
