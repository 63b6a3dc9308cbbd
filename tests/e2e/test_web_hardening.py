"""The web service over real HTTP, in its own process, against what a careless or hostile client
sends: renamed programs, PDFs with scripts or files inside, polyglots, damaged images, files over
the limit, slow drips, odd file names, spent, expired and foreign links, oversized and malformed
webhooks. Every refusal is a clear message, nothing is left on disk, and the service carries on.
Also: the badge-issuing outbox's worker running in the web service."""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
import requests

from bot.reviewing.decisions import Reviews
from bot.store.applications import LINK_INVALID, ApplicationStore, Details
from bot.store.issuing import IssuingOutbox
from bot.store.models import BadgeIssuing
from bot.store.uploads import ACTIVE_CONTENT, DAMAGED, MIXED, TOO_BIG, UNKNOWN_TYPE
from bot.web.app import NO_FILE, TOO_SLOW, WEBHOOK_TOO_BIG
from tests.applicants import JANE
from tests.files import make_jpeg, make_pdf, make_png, pdf_bytes
from tests.web_service import web_service

UPLOAD_SECONDS = 3
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode.\r\n"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("web-service")
    with web_service(workdir, ACTS_UPLOAD_SECONDS=str(UPLOAD_SECONDS), ACTS_ISSUING_POLL_SECONDS="0.2") as running:
        yield running


def new_link(web, conversation: str | None = None) -> str:
    conversation = conversation or f"conv-{time.monotonic_ns()}"
    return f"{web.url}/upload/{web.store.start_draft(conversation, JANE.badge_id).token}"


def post_file(link: str, data: bytes, name: str = "certificate.pdf", **kwargs) -> requests.Response:
    return requests.post(
        link, files={"file": (name, data, "application/pdf")}, headers={"Accept": "application/json"}, timeout=30,
        **kwargs,
    )  # fmt: skip


def leftovers(web) -> list[str]:
    return sorted(p.name for p in web.upload_dir.glob(".incoming-*")) if web.upload_dir.exists() else []


def still_up(web) -> None:
    assert requests.get(f"{web.url}/health", timeout=10).json() == {"status": "ok"}
    assert post_file(new_link(web), pdf_bytes()).status_code == 201


@pytest.mark.parametrize(
    "data, message",
    [
        (EXE, UNKNOWN_TYPE),  # a program renamed certificate.pdf
        (make_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> "), ACTIVE_CONTENT),
        (
            make_pdf(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> ", [b"<< /Type /EmbeddedFile >>"]),
            ACTIVE_CONTENT,
        ),  # fmt: skip
        (make_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >> "), ACTIVE_CONTENT),
        (make_pdf()[:9] + b"<html><script>alert(1)</script></html>\n" + make_pdf()[9:], MIXED),
        (make_png(40, 40)[:60] + make_png(40, 40)[-12:], DAMAGED),  # a truncated image, its end patched on
        (make_jpeg()[: len(make_jpeg()) // 2], DAMAGED),
    ],
    ids=[
        "renamed-exe",
        "pdf-javascript",
        "pdf-embedded-file",
        "pdf-launch",
        "pdf-html-polyglot",
        "png-cut",
        "jpeg-cut",
    ],  # fmt: skip
)
def test_a_bad_file_gets_a_clear_message_and_the_link_keeps_working(web, data, message):
    link = new_link(web)
    refused = post_file(link, data)
    assert refused.status_code == 422 and refused.json() == {"ok": False, "message": message}
    page = requests.post(link, files={"file": ("certificate.pdf", data)}, timeout=30)  # a browser's form: a page
    assert page.status_code == 422 and "text/html" in page.headers["Content-Type"] and "Traceback" not in page.text
    assert post_file(link, pdf_bytes()).status_code == 201
    assert leftovers(web) == []


def test_a_file_over_the_limit_is_refused_while_it_streams_even_without_a_declared_length(web):
    link = new_link(web)

    def chunks():  # no Content-Length: the limit is counted as the bytes arrive
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n%PDF-1.4\n'
        for _ in range(11 * 16):
            yield b"0" * 65536
        yield b"\r\n--b--\r\n"

    headers = {"Content-Type": "multipart/form-data; boundary=b", "Accept": "application/json"}
    refused = requests.post(link, data=chunks(), headers=headers, timeout=60)
    assert refused.status_code == 413 and refused.json()["message"] == TOO_BIG
    assert leftovers(web) == [] and post_file(link, pdf_bytes()).status_code == 201


def slow_drip(web, token: str, seconds: float) -> bytes:
    """An upload whose body arrives a byte at a time; returns whatever the server answers."""
    port = int(web.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as connection:
        connection.sendall(
            b"POST /upload/" + token.encode() + b" HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\n\r\n%PDF-1.4\n'
        )
        connection.setblocking(False)
        answer, deadline = b"", time.monotonic() + seconds
        while time.monotonic() < deadline and b"\r\n\r\n" not in answer:
            try:
                connection.sendall(b"0")
            except (BrokenPipeError, ConnectionResetError, BlockingIOError):
                pass
            time.sleep(0.1)
            try:
                answer += connection.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                break
        connection.setblocking(True)
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except (OSError, TimeoutError):
            pass
    return answer


def test_a_slow_drip_upload_is_cut_off_with_a_clear_message(web):
    link = new_link(web)
    token = link.rsplit("/", 1)[1]
    answer = slow_drip(web, token, seconds=UPLOAD_SECONDS + 10)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:200]
    assert json.loads(body)["message"] == TOO_SLOW
    assert leftovers(web) == []
    assert post_file(link, pdf_bytes()).status_code == 201  # the link was not spent


@pytest.mark.parametrize(
    "name, shown",
    [
        ("../../../../etc/cron.d/evil.pdf", "evil.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "....windowssystem32evil.pdf"),  # backslashes are quoting
        ("Zertifikat Müller – 2024 ✅.pdf", "Zertifikat Müller – 2024 ✅.pdf"),
        ("cert\u202efdp.exe", "certfdp.exe"),  # the right-to-left override that disguises ".exe"
        ("zero\u200bwidth\u200d.pdf", "zerowidth.pdf"),
        ("شهادة.pdf", "شهادة.pdf"),
        ("escape\x1b[31m.pdf", "escape[31m.pdf"),
    ],
)
def test_file_names_never_choose_where_a_file_goes_and_are_shown_cleaned(web, name, shown):
    accepted = post_file(new_link(web), pdf_bytes(), name=name)
    assert accepted.status_code == 201 and accepted.json()["document"]["name"] == shown
    stored = sorted(p for p in web.upload_dir.iterdir() if not p.name.startswith("."))
    assert all(len(p.stem) == 32 and p.suffix == ".pdf" for p in stored)  # random names, in the folder
    assert not (web.upload_dir.parent / "etc").exists()


def test_a_garbled_form_gets_a_clear_400(web):
    link = new_link(web)
    garbled = post_file(link, pdf_bytes(), name="nul\x00.pdf")  # a NUL breaks the part's headers
    assert garbled.status_code == 400 and garbled.json()["message"] == NO_FILE
    not_a_form = requests.post(link, data=b"%PDF-1.4", headers={"Accept": "application/json"}, timeout=10)
    assert not_a_form.status_code == 400 and not_a_form.json()["message"] == NO_FILE
    assert post_file(link, pdf_bytes()).status_code == 201 and leftovers(web) == []


def test_spent_expired_replaced_and_foreign_links_are_refused(web):
    link = new_link(web, "conv-spent")
    assert post_file(link, pdf_bytes()).status_code == 201
    again = post_file(link, pdf_bytes())
    assert again.status_code == 422 and again.json()["message"] == LINK_INVALID  # used once already

    yesterday = ApplicationStore(
        url=web.database_url,
        documents_dir=web.upload_dir,
        clock=lambda: datetime.now(timezone.utc) - timedelta(hours=25),
    )
    expired = f"{web.url}/upload/{yesterday.start_draft('conv-expired', JANE.badge_id).token}"
    assert post_file(expired, pdf_bytes()).json()["message"] == LINK_INVALID
    assert requests.get(expired, timeout=10).status_code == 404

    old = new_link(web, "conv-replaced")
    new = new_link(web, "conv-replaced")  # a fresh link for the same draft: the old one is dead
    assert post_file(old, pdf_bytes()).status_code == 422 and post_file(new, pdf_bytes()).status_code == 201

    cancelled = new_link(web, "conv-cancelled")
    web.store.cancel_draft("conv-cancelled")
    assert post_file(cancelled, pdf_bytes()).status_code == 422

    submitted = new_link(web, "conv-submitted")
    assert post_file(submitted, pdf_bytes()).status_code == 201
    web.store.submit("conv-submitted", Details(**{**JANE.__dict__, "email": "sub@uni.edu"}))
    assert post_file(submitted, pdf_bytes()).status_code == 422  # the draft is an application now

    # A link's token reaches only its own draft: another conversation's documents are untouched.
    mine = new_link(web, "conv-mine")
    assert post_file(mine, pdf_bytes(), name="mine.pdf").status_code == 201
    assert [d.name for d in web.store.draft_documents("conv-mine")] == ["mine.pdf"]
    assert web.store.draft_documents("conv-other") == []
    for forged in ("A" * 43, "not-a-token", "../" * 20, "\x00" * 30, "é" * 43):
        assert post_file(f"{web.url}/upload/{quote(forged, safe='')}", pdf_bytes()).status_code == 422
    assert leftovers(web) == []


def test_webhooks_that_are_too_big_malformed_or_slow_are_refused_and_the_service_carries_on(web):
    url = web.webhook_url
    big = requests.post(url, json={"id": "e", "metadata": {"x": "y" * 200_000}}, timeout=30)
    assert big.status_code == 413 and big.json()["message"] == WEBHOOK_TOO_BIG
    for body in (b"", b"{", b"[" * 50_000, b"\xff\xfe\x00", json.dumps({"id": "../badges/x"}).encode(),
                 json.dumps({"id": ["x"]}).encode(), b"null", b'"id"'):  # fmt: skip
        answer = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert answer.status_code == 400 and answer.json()["ok"] is False, body[:20]
    unknown = requests.post(url, json={"id": "2f0c4a5e-0000-4000-8000-000000000000"}, timeout=30)
    assert unknown.status_code == 200 and unknown.json() == {"ok": True, "result": "ignored"}
    still_up(web)


def test_the_web_service_runs_the_issuing_outbox(web):
    store = web.store
    link = web.store.start_draft("conv-outbox", JANE.badge_id)
    store.attach_document(link.token, "certificate.pdf", pdf_bytes())
    reference = store.submit("conv-outbox", Details(**{**JANE.__dict__, "email": "outbox@uni.edu"})).reference
    web.credly.fail(503, count=1)
    from bot.credly.client import CredlyClient

    client = CredlyClient(web.credly.base_url, web.credly.organization, web.credly.token, attempts=1)
    outcome = Reviews(store, lambda: client).approve(reference, "bob")
    assert not outcome.complete and IssuingOutbox(store).of(reference) is not None

    def due_now(session):  # time passes: the next try is due
        for issuing in session.query(BadgeIssuing).filter(BadgeIssuing.issued_at.is_(None)):
            issuing.next_attempt_at = datetime.now(timezone.utc) - timedelta(seconds=1)

    store.transaction(due_now)
    deadline = time.monotonic() + 30
    while not store.get(reference).credly_badge_id:  # the web service's worker issues it
        assert time.monotonic() < deadline, "the web service never issued the badge"
        time.sleep(0.1)
    assert len([b for b in web.credly.badges if b["issuer_earner_id"] == reference]) == 1
    assert IssuingOutbox(store).of(reference) is None
