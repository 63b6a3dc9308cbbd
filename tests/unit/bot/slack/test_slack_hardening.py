"""Issue 20, the Slack side: learner text reaches reviewers literally, the bot token goes only to
Slack's file host, and a malformed signature timestamp is refused (not a crash)."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.settings import SlackSettings
from bot.slack import blocks, files
from bot.slack.files import SharedFileProblem, fetch_shared_file
from bot.slack.reviewing import decide, post_for_review, review_blocks
from bot.store.applications import ApplicationStore, Details
from bot.store.db import migrate
from bot.store.models import Applicant, Application, Document
from bot.wiring import reviewer_desk
from emulators.slack import block_problems
from tests.files import pdf_bytes
from tests.slack_emulator_thread import slack_emulator

# Each is something Slack's mrkdwn would turn into a link, a mention or formatting.
HOSTILE = [
    "[ACTS certificate verified](https://evil.example/verify)",
    "<https://evil.example/verify|ACTS certificate verified>",
    "<!channel>",
    "<!here>",
    "<@U123>",
    "<#C123>",
    "<!subteam^S123>",
    "*bold*",
    "_it_",
    "~s~",
    "`code`",
    ":rotating_light:",
]


def text_objects(node: Any) -> Iterator[dict]:
    """Every text object (plain_text or mrkdwn) anywhere in a Block Kit structure."""
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def assert_shown_literally(rendered: list[dict], learner_texts: list[str]) -> None:
    """No mrkdwn object carries learner text (so none can become a link, a mention or formatting);
    each learner text is shown as typed in a plain_text object with emoji off."""
    objects = list(text_objects(rendered))
    for obj in objects:
        if obj["type"] == "mrkdwn":
            for typed in learner_texts:
                assert typed not in obj["text"], f"learner text in mrkdwn: {obj['text']!r}"
            # The only markup left in mrkdwn is a mention of a real-looking user id we wrote.
            assert "<" not in obj["text"].replace("<@U0JANE0001>", "").replace("<@U0RITA0001>", ""), obj["text"]
        elif any(typed in obj["text"] for typed in learner_texts):
            assert obj.get("emoji") is False, obj
    for typed in learner_texts:
        assert any(typed in obj["text"] for obj in objects if obj["type"] == "plain_text"), f"{typed!r} not shown"
    assert block_problems(rendered, 50) == []  # still what Slack accepts


def hostile_application(typed: str, filed_by: str | None = "slack:U0JANE0001") -> Application:
    """An application in memory whose every learner-supplied field carries `typed`."""
    application = Application(
        reference="ACTS-2K7Q-9XWM",
        status="submitted",
        badge_id="team-science-fundamentals",
        training_id="tsf-training",
        completion_date=date(2024, 3, 1),
        full_name=f"Jane {typed}",
        organisation=typed,
        orcid=typed,
        filed_by=filed_by,
        submitted_at=datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc),
    )
    application.applicant = Applicant(email=f"{typed}@uni.edu")
    application.documents = [Document(original_name=f"{typed}.pdf", stored_name="x.pdf", size=10, mime="a", sha256="")]
    return application


# --- 1. learner text is shown literally ------------------------------------------------------------


@pytest.mark.parametrize("typed", HOSTILE)
def test_reviewers_see_every_learner_field_and_file_name_literally(typed):
    application = hostile_application(typed)
    rendered = review_blocks(application)
    assert_shown_literally(rendered, [f"Jane {typed}", typed, f"{typed}@uni.edu", f"{typed}.pdf"])
    submitted = [o["text"] for o in text_objects(rendered) if o["type"] == "mrkdwn"]
    assert submitted == ["*Submitted*\n2025-01-02 03:04 UTC, from Slack, <@U0JANE0001>"]


def test_an_unknown_badge_or_training_id_is_shown_literally_too():
    application = hostile_application("<!channel>")
    application.badge_id, application.training_id = "<!channel>", "[x](https://evil.example)"
    assert_shown_literally(review_blocks(application), ["<!channel>", "[x](https://evil.example)"])


def test_only_a_real_user_id_becomes_a_mention():
    for filed_by in ("slack:<!channel>", "slack:U1|x><!here", "slack:"):
        rendered = review_blocks(hostile_application("x", filed_by=filed_by))
        [submitted] = [o["text"] for o in text_objects(rendered) if o["type"] == "mrkdwn"]
        assert "<" not in submitted and submitted.endswith("from Slack")
    assert blocks.mention("U0JANE0001") == "<@U0JANE0001>" and blocks.mention("<!channel>") is None


@pytest.mark.parametrize("typed", HOSTILE)
def test_the_assistants_answers_make_no_link_or_mention_from_echoed_text(typed):
    """The form's summary, the learner's name... echo what was typed, in a thread others may read."""
    shown = blocks.mrkdwn(f"Organisation: {typed}")
    assert "<" not in shown and ">" not in shown  # no <url|label> link, no <!channel>, no <@U…>
    rendered = blocks.reply_blocks(f"Organisation: {typed}", [{"title": typed, "payload": "/affirm"}])
    assert "<" not in rendered[0]["text"]["text"]
    chosen = blocks.chosen_blocks(rendered, typed, "U0JANE0001")
    assert_shown_literally(chosen[1:], [typed])


def test_the_assistants_own_text_keeps_its_escaping():
    assert blocks.mrkdwn("Smith & Jones <lab>") == "Smith &amp; Jones &lt;lab&gt;"


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ACTS_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.delenv("CREDLY_TOKEN", raising=False)
    return ApplicationStore(url=url, documents_dir=tmp_path / "uploads")


def test_the_reviewers_message_in_slack_and_the_decision_note_stay_literal(store):
    """Through the emulator (which refuses blocks Slack would refuse): posted, then rejected."""
    typed = "[ACTS certificate verified](https://evil.example/v) <!channel> *b* _i_ ~s~ `c`"
    details = Details("team-science-fundamentals", "tsf-training", date(2024, 3, 1), f"Jane {typed}", "j@u.edu", typed)
    link = store.start_draft("c1", details.badge_id)
    store.attach_document(link.token, "<!channel> *b* _i_ ~s~ `c`.pdf", pdf_bytes())
    reference = store.submit("c1", details).reference
    with slack_emulator() as slack:
        slack.create_user("rita", "Rita Reviewer", "rita@actscience.org", id="U0RITA0001")
        slack.create_channel("badge-reviews", is_private=True, id="C0REVIEWS1")
        settings = SlackSettings(slack.token, slack.signing_secret, slack.api_url, "C0REVIEWS1", frozenset())
        ts = post_for_review(settings, store, reference)
        assert ts is not None  # the emulator took the blocks
        [posted] = [m for m in slack.messages("C0REVIEWS1") if m.get("blocks")]
        learner = [f"Jane {typed}", typed, "<!channel> *b* _i_ ~s~ `c`.pdf"]
        assert_shown_literally(posted["blocks"], learner)
        reason = "Not a real certificate: [see](https://evil.example) <!here>"
        decide(settings, reviewer_desk(store), ("U0RITA0001", "Rita Reviewer"), reference, ("C0REVIEWS1", ts), reason)
        [decided] = [m for m in slack.messages("C0REVIEWS1") if m.get("ts") == ts]
        assert "Rejected by <@U0RITA0001>" in str(decided["blocks"])
        assert_shown_literally(decided["blocks"], [*learner, reason])


# --- 2. the bot token goes only to Slack's file host ---------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers with a small PDF (or a redirect) and remembers the Authorization header of each request."""

    seen: list[str | None]
    redirect_to: str | None = None

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append(self.headers.get("Authorization"))
        if self.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        body = pdf_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@contextmanager
def recording_server(redirect_to: str | None = None) -> Iterator[tuple[str, list[str | None]]]:
    seen: list[str | None] = []
    handler = type("Handler", (Recorder,), {"seen": seen, "redirect_to": redirect_to})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


class FakeSlack:
    """files.info as a WebClient answers it, pointing wherever the test says."""

    token = "xoxb-secret-bot-token"

    def __init__(self, base_url: str, url: str) -> None:
        self.base_url, self.url = base_url, url

    def files_info(self, file: str) -> dict:
        return {"file": {"id": file, "name": "cert.pdf", "size": 100, "url_private_download": self.url}}


def fetched(client: FakeSlack, into: Path) -> bool:
    """True if the file was fetched, False if it was refused (the learner told to share it again)."""
    try:
        fetch_shared_file(client, "F1", into)
    except SharedFileProblem:
        return False
    return True


def test_a_file_address_on_another_host_gets_no_token_and_no_request(tmp_path):
    with recording_server() as (elsewhere, seen):
        client = FakeSlack("https://slack.com/api/", f"{elsewhere}/files-pri/T1-F1/download/cert.pdf")
        refused = not fetched(client, tmp_path / "in")
        assert seen == []  # not even asked, so the token went nowhere
        assert refused and not (tmp_path / "in").exists()


def test_the_emulator_serves_files_on_its_api_host_and_only_there(tmp_path):
    with recording_server() as (api, on_api), recording_server() as (other, on_other):
        assert fetched(FakeSlack(f"{api}/api/", f"{api}/files-pri/F1"), tmp_path / "a")
        assert on_api == ["Bearer xoxb-secret-bot-token"] and (tmp_path / "a").read_bytes() == pdf_bytes()
        # The same address on another port is another server: refused, and it heard nothing.
        assert not fetched(FakeSlack(f"{api}/api/", f"{other}/files-pri/F1"), tmp_path / "b")
        assert on_other == []


def test_a_redirect_to_plain_http_elsewhere_is_not_followed(tmp_path):
    with recording_server() as (other, on_other):
        with recording_server(redirect_to=f"{other}/stolen") as (api, on_api):
            assert not fetched(FakeSlack(f"{api}/api/", f"{api}/files-pri/F1"), tmp_path / "c")
        assert on_api == ["Bearer xoxb-secret-bot-token"] and on_other == []


def test_a_redirect_to_https_elsewhere_is_followed_without_the_token(tmp_path, monkeypatch):
    """As a CDN's signed link would be: the bytes come, the token stays with Slack's host."""
    asked: list[tuple[str, dict, bool]] = []

    class Answer:
        def __init__(self, status: int, headers: dict) -> None:
            self.status_code, self.headers = status, headers
            self.is_redirect = status in (301, 302, 303, 307, 308)

        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

        def iter_content(self, size: int) -> Iterator[bytes]:
            yield pdf_bytes()

    def get(url: str, headers: dict, allow_redirects: bool = True, **_: Any) -> Answer:
        asked.append((url, dict(headers), allow_redirects))
        if url.startswith("https://files.slack.com/"):
            return Answer(302, {"Location": "https://cdn.example/signed/cert.pdf?sig=1"})
        return Answer(200, {"Content-Type": "application/pdf"})

    monkeypatch.setattr(files.requests, "get", get)
    client = FakeSlack("https://slack.com/api/", "https://files.slack.com/files-pri/T1-F1/download/cert.pdf")
    assert fetched(client, tmp_path / "d") and (tmp_path / "d").read_bytes() == pdf_bytes()
    assert asked == [
        (client.url, {"Authorization": f"Bearer {client.token}"}, False),
        ("https://cdn.example/signed/cert.pdf?sig=1", {}, False),
    ]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/cert.pdf", True),
        ("https://FILES.SLACK.COM/files-pri/T1-F1/cert.pdf", True),
        ("https://files.slack.com:443/files-pri/T1-F1/cert.pdf", True),
        ("https://slack.com/files-pri/T1-F1/cert.pdf", True),  # the configured API host (the default)
        ("http://files.slack.com/files-pri/T1-F1/cert.pdf", False),
        ("https://files.slack.com:8443/files-pri/T1-F1/cert.pdf", False),
        ("https://files.slack.com.evil.example/cert.pdf", False),
        ("https://evil.example/files.slack.com/cert.pdf", False),
        ("https://files.slack.com@evil.example/cert.pdf", False),
        ("https://user:pw@files.slack.com/cert.pdf", False),
        ("https://docs.google.com/document/d/1", False),
        ("ftp://files.slack.com/cert.pdf", False),
        ("https://files.slack.com:99999/cert.pdf", False),
        ("//files.slack.com/cert.pdf", False),
        ("", False),
    ],
)
def test_which_addresses_may_receive_the_token(url, allowed):
    assert files.token_may_go_to(url, "https://slack.com/api/") is allowed


# --- 3. a malformed signature timestamp is refused -------------------------------------------------

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documented example (shared/reference/slack.md)
BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
MALFORMED_TIMESTAMPS = [
    "",
    "abc",
    "1531420618.0",
    "-1531420618",
    pytest.param("9" * 5000, id="5000-digits"),
    "1_531_420_618",
    " 1531420618",
    "١٥٣١٤٢٠٦١٨",  # Arabic-Indic digits: int() takes them
]


def verifier(secret: str = SECRET, at: float | None = None):
    """The channel's verifier, its clock at `at` (imported here: the code before issue 20 has none,
    and the other tests of this file must still run against it)."""
    from bot.slack.signing import RequestVerifier

    return RequestVerifier(secret) if at is None else RequestVerifier(secret, clock=lambda: at)


def sign(timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


def test_the_documented_example_verifies_at_its_time_and_not_otherwise():
    then = verifier(at=1531420618)
    headers = {"X-Slack-Request-Timestamp": "1531420618", "X-Slack-Signature": SIGNATURE}
    assert then.is_valid(BODY, headers) and then.is_valid(BODY.encode(), headers)
    assert then.is_valid(BODY, {k.lower(): v for k, v in headers.items()})
    assert not then.is_valid(BODY + "------", headers)
    assert not verifier().is_valid(BODY, headers)  # 2018: stale
    assert not then.is_valid(BODY, {**headers, "X-Slack-Signature": SIGNATURE.upper()})
    assert not then.is_valid(BODY, {"X-Slack-Signature": SIGNATURE})
    with pytest.raises(ValueError):
        verifier("  ")


@pytest.mark.parametrize("timestamp", MALFORMED_TIMESTAMPS)
def test_a_malformed_timestamp_is_not_slacks_and_raises_nothing(timestamp):
    """Even correctly signed over the malformed value: a float, a sign or underscores are not Slack's."""
    checker = verifier(at=1531420618)
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sign(timestamp, BODY.encode())}
    assert checker.is_valid(BODY, headers) is False


def test_a_body_that_is_not_utf8_is_checked_as_bytes():
    checker = verifier(at=1531420618)
    body = b"\xff\xfe not utf-8"
    good = {"X-Slack-Request-Timestamp": "1531420618", "X-Slack-Signature": sign("1531420618", body)}
    assert checker.is_valid(body, good)
    assert not checker.is_valid(body, {**good, "X-Slack-Signature": SIGNATURE})
