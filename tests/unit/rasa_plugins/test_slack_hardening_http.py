"""Issue 20: the Slack channel's own HTTP handler answers a malformed `X-Slack-Request-Timestamp`
with 401, not 500, and still takes what Slack really signs. The channel (rasa_plugins/channels/slack.py)
runs in a real Sanic server on a free port, as Rasa mounts it, and is called over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
import uuid

import aiohttp
import pytest
from sanic import Sanic

from bot.settings import SlackSettings
from rasa_plugins.channels.slack import SlackInput

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documented example (shared/reference/slack.md)
VECTOR_TIME = 1531420618
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
MALFORMED = ["", "abc", "1531420618.5", "-1531420618", "9" * 5000, "1e9", "0x5b4", "1_531_420_618", "\t123"]


def sign(timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


class At:
    """A clock stopped at one moment, whichever way a verifier asks it (called, or .now())."""

    def __init__(self, moment: float) -> None:
        self.moment = moment

    def __call__(self) -> float:
        return self.moment

    def now(self) -> float:
        return self.moment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _post_all(requests: list[tuple[bytes, dict]], clock: At | None = None) -> list[tuple[int, str]]:
    """Serves the channel as Rasa mounts it (/webhooks/slack/...), POSTs each (body, headers)."""
    Sanic.test_mode = True  # several apps in one process
    settings = SlackSettings("xoxb-test", SECRET, "http://127.0.0.1:9/api/", None, frozenset())
    channel = SlackInput(settings)
    if clock is not None:
        channel.verifier.clock = clock
    received = []

    async def on_new_message(message) -> None:
        received.append(message)

    app = Sanic(f"slack_hardening_{uuid.uuid4().hex}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/slack")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    answers = []
    try:
        async with aiohttp.ClientSession() as session:
            for body, headers in requests:
                async with session.post(
                    f"http://127.0.0.1:{port}/webhooks/slack/webhook", data=body, headers=headers
                ) as r:
                    answers.append((r.status, await r.text()))
    finally:
        server.close()
        await server.wait_closed()
    assert received == []  # nothing here is a learner's message
    return answers


def post_all(requests: list[tuple[bytes, dict]], clock: At | None = None) -> list[tuple[int, str]]:
    return asyncio.run(_post_all(requests, clock))


def test_a_malformed_timestamp_is_a_401_not_a_500():
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    now = str(int(time.time()))
    requests = [(body, {"X-Slack-Request-Timestamp": t, "X-Slack-Signature": sign(t, body)}) for t in MALFORMED]
    requests.append((body, {"X-Slack-Signature": sign(now, body)}))  # no timestamp at all
    requests.append((body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=nothex"}))
    requests.append((body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(now, body)}))  # the real one
    answers = post_all(requests)
    assert [status for status, _ in answers[:-1]] == [401] * (len(MALFORMED) + 2)
    assert answers[-1] == (200, json.dumps({"challenge": "c"}, separators=(",", ":")))


def test_a_signed_body_that_is_not_utf8_is_a_400_and_an_unsigned_one_a_401():
    body, now = b"\xff\xfe{", str(int(time.time()))
    answers = post_all(
        [
            (body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(now, body)}),
            (body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(now, b"other")}),
        ]
    )
    assert [status for status, _ in answers] == [400, 401]


@pytest.mark.parametrize(("moment", "tamper", "status"), [(VECTOR_TIME, "", 400), (VECTOR_TIME, "------", 401)])
def test_slacks_documented_example_through_the_handler(moment, tamper, status):
    """Signed as Slack documents it: past the check (then 400, it is a form, not an event); changed: 401."""
    headers = {
        "X-Slack-Request-Timestamp": str(VECTOR_TIME),
        "X-Slack-Signature": VECTOR_SIGNATURE,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    [(answered, _)] = post_all([((VECTOR_BODY + tamper).encode(), headers)], clock=At(moment))
    assert answered == status


def test_slacks_documented_example_is_stale_today():
    headers = {"X-Slack-Request-Timestamp": str(VECTOR_TIME), "X-Slack-Signature": VECTOR_SIGNATURE}
    [(answered, _)] = post_all([(VECTOR_BODY.encode(), headers)])
    assert answered == 401
