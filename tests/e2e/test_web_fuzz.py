"""Every route of the web service fuzzed over real HTTP: Schemathesis against the OpenAPI description the
service serves, and Hypothesis property tests throwing arbitrary bodies, paths and headers at every
route. Never a 5xx, never a traceback; the service keeps answering normal requests."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.web.openapi import OPENAPI
from tests.files import pdf_bytes
from tests.web_service import web_service

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    with web_service(tmp_path_factory.mktemp("web-fuzz"), ACTS_UPLOAD_SECONDS="5", ACTS_ISSUING_POLL_SECONDS="0") as w:
        yield w


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def web_schema(web):
    return schemathesis.openapi.from_url(f"{web.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("web_schema")


@schema.parametrize()
@FUZZ
def test_every_operation_answers_as_described_and_never_with_a_server_error(case, web):
    # Positive-data acceptance is left out: a valid upload token cannot be generated, so a well-formed
    # upload to a made-up link is rightly refused.
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
            negative_data_rejection,
        ]
    )


def test_the_description_covers_every_route(web, http):
    served = http.get(f"{web.url}/openapi.json", timeout=10).json()
    assert served == OPENAPI
    routes = {"/", "/health", "/openapi.json", "/favicon.ico", "/static/{name}", "/upload/{token}"}
    routes |= {"/webhooks/credly/{secret}", "/handoff/{token}/answers"}
    assert set(served["paths"]) == routes


# --- Hypothesis: arbitrary requests to every route -------------------------------------------------

# Right-to-left and zero-width marks, byte-order marks, escapes, emoji (one with joiners), other scripts.
ODD_PIECES = ["\u202e", "\u200b", "\u200d", "\ufeff", "\u0000", "\u001b", "🎓", "👩🏽\u200d🔬", "ש", "ع", "\r\n"]
WEIRD_TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(ODD_PIECES)), max_size=60).map("".join)
ONE_MB = 1024 * 1024
BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=4096),
    WEIRD_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"x" * ONE_MB,
            bytes(range(256)) * (ONE_MB // 256),
            b"{" * 10_000,
            b"[" * 60_000,
            b'{"id": ' + b'"' + b"9" * 60_000 + b'"}',
            b'{"id": "a", "id": "b"}',
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{\x00}\x00",
            b'{"id": 1e999}',
            b'{"id": NaN}',
            pdf_bytes(),
        ]
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), WEIRD_TEXT),
        lambda children: st.lists(children, max_size=5) | st.dictionaries(WEIRD_TEXT, children, max_size=5),
        max_leaves=30,
    ).map(lambda value: json.dumps(value).encode()),
    st.dictionaries(
        st.sampled_from(["id", "event_type", "organization_id", "occurred_at", "metadata", "badge"]),
        st.one_of(WEIRD_TEXT, st.integers(), st.lists(st.integers(), max_size=3), st.just({"x": "y" * 70_000})),
    ).map(lambda value: json.dumps(value).encode()),
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=latin-1",
        "multipart/form-data; boundary=b",
        "multipart/form-data",
        'multipart/form-data; boundary="\u00e9"',
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
    ]
)
WEBHOOK = "/webhooks/credly/<secret>"
PATH_PARTS = WEIRD_TEXT.map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe=""))
ROUTES = st.one_of(
    st.sampled_from(["/", "/health", "/openapi.json", "/favicon.ico", "/webhooks/credly", "/static/acts-chat.js"]),
    st.just(WEBHOOK),  # the real webhook, with the deployment's secret
    PATH_PARTS.map(lambda part: f"/webhooks/credly/{part}"),
    PATH_PARTS.map(lambda part: f"/static/{part}"),
    PATH_PARTS.map(lambda part: f"/upload/{part}"),
    PATH_PARTS.map(lambda part: f"/{part}"),
)
METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])


def assert_sound(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and 'File "' not in response.text


@given(method=METHODS, path=ROUTES, body=BODIES, content_type=CONTENT_TYPES, wants_json=st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_any_request_to_any_route_gets_a_clear_answer(web, http, method, path, body, content_type, wants_json):
    headers = {"Accept": "application/json" if wants_json else "text/html"}
    if content_type:
        headers["Content-Type"] = content_type
    note(f"{method} {path} {content_type} {len(body)} bytes: {body[:80]!r}")
    if path == WEBHOOK:
        path = web.webhook_url.removeprefix(web.url)
    response = http.request(method, web.url + path, data=body, headers=headers, timeout=30)
    assert_sound(response)
    ours = "application/json" in response.headers.get("Content-Type", "") and method != "HEAD"  # HEAD: no body
    if response.status_code >= 400 and ours:
        assert isinstance(response.json().get("message"), str) and response.json()["message"]


@given(body=BODIES, name=WEIRD_TEXT, field=st.sampled_from(["file", "document", ""]))
@FUZZ
def test_any_upload_to_a_real_link_is_stored_or_refused_with_a_message(web, http, body, name, field):
    link = f"{web.url}/upload/{web.store.start_draft('fuzz', 'team-science-fundamentals').token}"
    response = http.post(
        link, files={field: (name, body, "application/pdf")}, headers={"Accept": "application/json"}, timeout=30
    )
    assert_sound(response)
    assert response.status_code in (201, 400, 413, 422), response.text[:200]
    assert response.json()["message"]
    if response.status_code == 201:  # only a real PDF, PNG or JPEG is kept
        assert body.startswith((b"%PDF-", b"\x89PNG", b"\xff\xd8\xff"))


def test_the_service_still_answers_normal_requests_after_the_fuzzing(web, http):
    assert http.get(f"{web.url}/health", timeout=10).json() == {"status": "ok"}
    link = f"{web.url}/upload/{web.store.start_draft('after-fuzz', 'team-science-fundamentals').token}"
    stored = http.post(link, files={"file": ("c.pdf", pdf_bytes())}, headers={"Accept": "application/json"}, timeout=30)
    assert stored.status_code == 201 and stored.json()["document"]["name"] == "c.pdf"
    assert "ACTS" in http.get(f"{web.url}/", timeout=10).text
    assert "unexpected" not in web.log.read_text()  # no error of ours was ever hit
