"""50 learners apply at the same moment, each with their own PDF, over real HTTP: exactly 50
applications, each with its own document, 50 distinct references, and no learner ever reads a
database error; on the SQLite default and on PostgreSQL."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.reading.references import parse_reference
from bot.store.applications import ApplicationStore
from tests.conversations import answer_until_upload, new_learner, upload
from tests.files import make_pdf

LEARNERS = 50


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request):
    return request.getfixturevalue("servers" if request.param == "sqlite" else "pg_servers")


def own_pdf(n: int) -> bytes:
    """A real PDF that differs per learner (a comment line), so each document can be told apart."""
    pdf = make_pdf()
    return pdf.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%learner " + str(n).encode() + b"\n", 1)


def apply(deployment, n: int) -> tuple[str, str, bytes, str]:
    chat, email = new_learner(deployment)
    document = own_pdf(n)
    upload(answer_until_upload(chat, email), document, f"certificate-{n}.pdf")
    said = chat.text("done") + chat.text("yes")
    return email, parse_reference(said), document, said


def test_fifty_learners_at_once_file_fifty_applications_each_with_its_own_document(deployment):
    with ThreadPoolExecutor(LEARNERS) as pool:
        results = list(pool.map(lambda n: apply(deployment, n), range(LEARNERS)))
    for _, _, _, said in results:
        assert "database" not in said.lower() and "went wrong" not in said
    references = [reference for _, reference, _, _ in results]
    assert None not in references and len(set(references)) == LEARNERS
    store = ApplicationStore(url=deployment.database_url, documents_dir=deployment.upload_dir)
    for email, reference, document, _ in results:
        [application] = store.submitted(email)
        assert application.reference == reference
        [stored] = application.documents
        assert stored.sha256 == hashlib.sha256(document).hexdigest()
        assert (deployment.upload_dir / stored.stored_name).read_bytes() == document
