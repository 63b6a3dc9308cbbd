"""The Slack emulator behaves as Slack does, over real HTTP: its Web API through slack_sdk's own
clients, and its events and interactions signed and POSTed to a receiver that checks them with
slack_sdk's SignatureVerifier."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import Iterator

import pytest
import requests
from aiohttp import web
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from emulators.slack import EMULATOR_SIGNING_SECRET, signature, slack_json
from tests.slack_emulator_thread import RunningSlackEmulator, serve_in_thread, slack_emulator

BUTTONS = [
    {"type": "section", "block_id": "question", "text": {"type": "mrkdwn", "text": "Approve *Ada*'s badge?"}},
    {
        "type": "actions",
        "block_id": "decision",
        "elements": [
            {"type": "button", "action_id": "approve", "value": "app-1", "text": {"type": "plain_text", "text": "Yes"}},
            {"type": "button", "action_id": "reject", "value": "app-1", "text": {"type": "plain_text", "text": "No"}},
        ],
    },
]
MODAL = {
    "type": "modal",
    "callback_id": "reject_reason",
    "private_metadata": "app-1",
    "title": {"type": "plain_text", "text": "Reject"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "reason",
            "label": {"type": "plain_text", "text": "Why?"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}


class Receiver:
    """The project's side, reduced to what these tests check: verify, record, answer."""

    def __init__(self) -> None:
        self.verifier = SignatureVerifier(EMULATOR_SIGNING_SECRET)
        self.received: list[dict] = []
        self.answers: dict[str, dict] = {}  # payload type -> JSON answer
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = request.headers
        valid = self.verifier.is_valid(raw, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature"))
        record = {"headers": dict(headers), "raw": raw, "valid": valid, "data": None}
        self.received.append(record)
        if not valid:
            return web.Response(status=401)
        await asyncio.sleep(self.delay)
        if request.content_type == "application/json":
            record["data"] = json.loads(raw)
            if record["data"].get("type") == "url_verification":
                return web.Response(text=record["data"]["challenge"])
        else:
            record["data"] = json.loads(urllib.parse.parse_qs(raw.decode())["payload"][0])
        answer = self.answers.get(record["data"].get("type"))
        return web.json_response(answer) if answer else web.Response()

    def data(self) -> list[dict]:
        return [r["data"] for r in self.received]


@pytest.fixture(scope="module")
def receiver_url() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/webhooks/slack/webhook", lambda request: receiver.handle(request))
    with serve_in_thread(app) as root:
        yield receiver, f"{root}/webhooks/slack/webhook"


@pytest.fixture
def receiver(receiver_url) -> Receiver:
    receiver, _ = receiver_url
    receiver.received.clear()
    receiver.answers.clear()
    receiver.delay = 0.0
    return receiver


@pytest.fixture
def slack(receiver_url, receiver) -> Iterator[RunningSlackEmulator]:
    with slack_emulator(events_url=receiver_url[1]) as emulator:
        yield emulator


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.api_url, timeout=5)


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value.response["error"]


def test_signature_matches_slacks_documented_example():
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body.encode()) == expected
    assert signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", (body + "------").encode()) != expected


def test_slack_json_escapes_slashes_and_parses_back():
    payload = {"url": "https://files.slack.com/a", "text": "back\\/slash é"}
    assert "https:\\/\\/files.slack.com\\/a" in slack_json(payload)
    assert json.loads(slack_json(payload)) == payload


def test_web_api_answers_in_slacks_shapes(slack, client):
    ada = slack.create_user("ada", "Ada Lovelace", "ada@example.org")
    general = slack.create_channel("general")
    assert client.auth_test().data == {
        "ok": True,
        "url": "https://acts-local.slack.com/",
        "team": "ACTS (local Slack emulator)",
        "user": "acts-badges",
        "team_id": slack.team_id,
        "user_id": slack.bot_user_id,
        "bot_id": slack.bot_id,
        "is_enterprise_install": False,
    }

    posted = client.chat_postMessage(channel=general["id"], text="Approve?", blocks=BUTTONS, unfurl_links=False)
    assert posted["channel"] == general["id"]
    assert posted["message"]["bot_id"] == slack.bot_id and posted["message"]["blocks"] == BUTTONS
    by_name = client.chat_postMessage(channel="#general", text="again", thread_ts=posted["ts"])
    assert by_name["ts"] > posted["ts"] and by_name["message"]["thread_ts"] == posted["ts"]
    direct = client.chat_postMessage(channel=ada["id"], text="Hello Ada")  # a user id: Slack opens the DM
    opened = client.conversations_open(users=ada["id"])
    assert direct["channel"] == opened["channel"]["id"] and direct["channel"].startswith("D")
    assert client.conversations_open(users=ada["id"])["channel"]["id"] == direct["channel"]
    assert client.chat_postMessage(channel=direct["channel"], text="in the DM")["channel"] == direct["channel"]
    stamps = [m["ts"] for channel in (general["id"], direct["channel"]) for m in slack.messages(channel)]
    assert len(set(stamps)) == 4 and all(len(ts.split(".")[1]) == 6 for ts in stamps)

    updated = client.chat_update(channel=general["id"], ts=posted["ts"], text="Approved", blocks=[])
    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "Approved"
    first, reply = slack.messages(general["id"])
    assert first["blocks"] == [] and first["text"] == "Approved" and first["reply_count"] == 1
    assert reply["thread_ts"] == posted["ts"] and reply["parent_user_id"] == slack.bot_user_id

    ephemeral = client.chat_postEphemeral(channel=general["id"], user=ada["id"], text="only you")
    assert ephemeral["message_ts"] and slack.ephemeral(general["id"])[0]["user"] == ada["id"]

    user = client.users_info(user=ada["id"])["user"]
    assert user["id"] == ada["id"] and user["team_id"] == slack.team_id and user["is_bot"] is False
    assert user["profile"]["email"] == "ada@example.org"
    assert (user["profile"]["first_name"], user["profile"]["last_name"]) == ("Ada", "Lovelace")

    assert error_of(lambda: client.chat_postMessage(channel="C0NOWHERE", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_update(channel=general["id"], ts="1.000001", text="x")) == "message_not_found"
    assert error_of(lambda: client.chat_update(channel=ada["id"], ts=direct["ts"], text="x")) == "channel_not_found"
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"
    assert error_of(lambda: client.files_info(file="F0NOTHING")) == "file_not_found"
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns, Slack refuses
        assert error_of(lambda: client.chat_postMessage(channel=general["id"])) == "no_text"
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert (
        error_of(lambda: client.chat_postMessage(channel=general["id"], text="x", blocks=long_section))
        == "invalid_blocks"
    )
    assert error_of(lambda: client.api_call("chat.delete")) == "unknown_method"
    methods = [call["method"] for call in slack.calls()]
    assert methods[:3] == ["auth.test", "chat.postMessage", "chat.postMessage"]
    assert slack.calls("users.info")[0]["args"] == {"user": ada["id"]}


def test_async_client_query_arguments_work_too(slack):
    ada = slack.create_user("ada", "Ada Lovelace", "ada@example.org")

    async def calls() -> tuple:
        client = AsyncWebClient(token=slack.token, base_url=slack.api_url)
        user = await client.users_info(user=ada["id"])  # GET with a query string
        opened = await client.conversations_open(users=ada["id"])  # POST, arguments in the query string
        posted = await client.chat_postMessage(channel=opened["channel"]["id"], text="hi", blocks=BUTTONS)  # JSON
        return user, opened, posted

    user, opened, posted = asyncio.run(calls())
    assert user["user"]["name"] == "ada" and posted["channel"] == opened["channel"]["id"]
    assert [call["http_method"] for call in slack.calls()] == ["GET", "POST", "POST"]


def test_tokens_are_checked_like_slack(slack):
    wrong = WebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert error_of(wrong.auth_test) == "invalid_auth"
    answer = requests.post(f"{slack.api_url}auth.test", timeout=5)
    assert answer.status_code == 200 and answer.json() == {"ok": False, "error": "not_authed"}
    in_form = requests.post(f"{slack.api_url}auth.test", data={"token": slack.token}, timeout=5)
    assert in_form.json()["ok"] is True


def test_rate_limits_are_retried_by_slack_sdk(slack):
    channel = slack.create_channel("general")
    slack.fail("ratelimited", method="chat.postMessage", retry_after=0)
    patient = WebClient(
        token=slack.token, base_url=slack.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    assert patient.chat_postMessage(channel=channel["id"], text="eventually")["ok"]
    assert [c["status"] for c in slack.calls("chat.postMessage")] == [429, 200]

    slack.fail("ratelimited", method="chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        WebClient(token=slack.token, base_url=slack.api_url).chat_postMessage(channel=channel["id"], text="x")
    assert caught.value.response.status_code == 429 and caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response["error"] == "ratelimited"


def test_injected_errors_and_dropped_connections(slack):
    client = WebClient(token=slack.token, base_url=slack.api_url, retry_handlers=[ConnectionErrorRetryHandler()])
    slack.fail("error", method=None, error="service_unavailable", status=503)
    assert error_of(client.auth_test) == "service_unavailable"
    slack.fail("disconnect", method="auth.test")
    assert client.auth_test()["ok"]  # dropped once, retried by the connection handler
    assert [c.get("error") for c in slack.calls("auth.test")] == ["service_unavailable", "disconnected", None]
    slack.fail("delay", method="users.info", delay=0.3)
    started = time.monotonic()
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"  # slow, then answered
    assert time.monotonic() - started >= 0.3


def test_files_upload_v2_shares_the_file_in_a_thread(slack, client):
    channel = slack.create_channel("reviews", is_private=True)
    parent = client.chat_postMessage(channel=channel["id"], text="New application")
    content = b"name,badge\nAda,Team Science\n"
    uploaded = client.files_upload_v2(
        channel=channel["id"],
        thread_ts=parent["ts"],
        content=content,
        filename="applications.csv",
        title="Applications",
        initial_comment="Today's applications",
    )
    file = uploaded["file"]
    assert file["title"] == "Applications" and file["size"] == len(content) and file["filetype"] == "csv"
    assert [c["method"] for c in slack.calls()][-2:] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    reply = slack.messages(channel["id"])[-1]
    assert reply["thread_ts"] == parent["ts"] and reply["text"] == "Today's applications"
    assert reply["files"][0]["id"] == file["id"] and reply["upload"] is True
    info = client.files_info(file=file["id"])["file"]
    assert info["groups"] == [channel["id"]] and channel["id"] in info["shares"]["private"]
    download = requests.get(info["url_private_download"], headers={"Authorization": f"Bearer {slack.token}"}, timeout=5)
    assert download.content == content


def test_private_download_needs_the_bot_token(slack, client, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    certificate = slack.create_file(ada["id"], "certificate.pdf", b"%PDF-1.7 certificate")
    assert error_of(lambda: client.files_info(file=certificate["id"])) == "file_not_found"  # not shared yet
    slack.say(ada["id"], "my certificate", files=[certificate["id"]])
    info = client.files_info(file=certificate["id"])["file"]
    assert info["mimetype"] == "application/pdf" and info["user"] == ada["id"] and info["ims"]
    url = info["url_private_download"]
    assert url.endswith(f"/files-pri/{slack.team_id}-{certificate['id']}/download/certificate.pdf")
    for headers in ({}, {"Authorization": "Bearer xoxb-wrong"}):
        login = requests.get(url, headers=headers, timeout=5)
        assert login.status_code == 200 and login.headers["Content-Type"].startswith("text/html")
    good = requests.get(url, headers={"Authorization": f"Bearer {slack.token}"}, timeout=5)
    assert good.headers["Content-Type"] == "application/pdf" and good.content == b"%PDF-1.7 certificate"


def test_a_direct_message_is_a_signed_event_callback(slack, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    certificate = slack.create_file(ada["id"], "cert.png", b"\x89PNG")
    report = slack.say(ada["id"], "status of my <badge> & https://x.org/a", files=[certificate["id"]])
    (delivery,) = report["deliveries"]
    assert delivery["status"] == 200 and delivery["error"] is None and delivery["elapsed"] < 3
    (received,) = receiver.received
    assert received["valid"] and received["headers"]["Content-Type"] == "application/json"
    assert received["headers"]["User-Agent"].startswith("Slackbot 1.0")
    assert b"https:\\/\\/x.org\\/a" in received["raw"]  # Slack's escaped slashes: verify the raw bytes
    body = received["data"]
    assert body["type"] == "event_callback" and body["event_id"] == delivery["event_id"].strip()
    assert body["event_id"].startswith("Ev") and body["team_id"] == slack.team_id and body["api_app_id"]
    assert body["authorizations"][0]["user_id"] == slack.bot_user_id
    event = body["event"]
    assert event["type"] == "message" and event["subtype"] == "file_share" and event["channel_type"] == "im"
    assert event["channel"] == report["channel"] and event["user"] == ada["id"]
    assert event["text"] == "status of my &lt;badge&gt; &amp; https://x.org/a"
    assert event["ts"] == event["event_ts"] == report["message"]["ts"]
    assert event["files"][0]["id"] == certificate["id"] and event["files"][0]["url_private_download"]
    assert event["blocks"][0]["elements"][0]["elements"][0]["text"] == "status of my <badge> & https://x.org/a"


def test_a_mention_in_a_channel_sends_app_mention_and_message(slack, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    general = slack.create_channel("general")
    report = slack.say(ada["id"], f"<@{slack.bot_user_id}> what badges are there?", channel=general["id"])
    assert [d["kind"] for d in report["deliveries"]] == ["app_mention", "message"]
    first, second = receiver.data()
    assert first["event_id"] != second["event_id"]
    assert first["event"]["type"] == "app_mention" and "channel_type" not in first["event"]
    assert second["event"]["channel_type"] == "channel"
    assert first["event"]["ts"] == second["event"]["ts"] and first["event"]["channel"] == general["id"]
    receiver.received.clear()
    reply = slack.say(ada["id"], "and for me?", channel=general["id"], thread_ts=report["message"]["ts"])
    assert [d["kind"] for d in reply["deliveries"]] == ["message"]
    assert receiver.data()[0]["event"]["thread_ts"] == report["message"]["ts"]

    quiet = slack.create_channel("random", is_member=False)
    assert slack.say(ada["id"], f"<@{slack.bot_user_id}> hi", channel=quiet["id"])["deliveries"] == []


def test_a_slow_answer_times_out_and_slack_retries(slack, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    slack.configure(delivery_timeout=0.2)
    receiver.delay = 0.4
    (first,) = slack.say(ada["id"], "hello")["deliveries"]
    assert first["error"] == "http_timeout" and first["status"] is None
    receiver.delay = 0.0
    again = slack.retry(first["event_id"])
    assert again["status"] == 200 and again["retry_num"] == 1
    original, retried = receiver.received
    assert "X-Slack-Retry-Num" not in original["headers"]
    assert (
        retried["headers"]["X-Slack-Retry-Num"] == "1" and retried["headers"]["X-Slack-Retry-Reason"] == "http_timeout"
    )
    assert retried["valid"] and retried["raw"] == original["raw"]  # the same body, freshly signed


def test_bot_messages_edits_and_deletions(slack, client, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    general = slack.create_channel("general")
    slack.bot_says("build passed", channel=general["id"])
    posted = client.chat_postMessage(channel=general["id"], text="from the app")
    slack.bot_says(channel=general["id"], own=True, ts=posted["ts"])
    said = slack.say(ada["id"], "helo", channel=general["id"])
    slack.edit(general["id"], said["message"]["ts"], "hello")
    slack.delete(general["id"], said["message"]["ts"])
    other, own, _, changed, deleted = (body["event"] for body in receiver.data())
    assert other["subtype"] == "bot_message" and other["bot_id"] and "user" not in other
    assert own["bot_id"] == slack.bot_id and own["user"] == slack.bot_user_id and "subtype" not in own
    assert changed["subtype"] == "message_changed" and changed["hidden"] is True
    assert changed["message"]["text"] == "hello" and changed["previous_message"]["text"] == "helo"
    assert changed["message"]["ts"] == said["message"]["ts"] and changed["message"]["edited"]["user"] == ada["id"]
    assert deleted["subtype"] == "message_deleted" and deleted["deleted_ts"] == said["message"]["ts"]
    assert [m["ts"] for m in slack.messages(general["id"])] == [other["ts"], posted["ts"]]


def test_echo_sends_the_app_its_own_messages(receiver_url, receiver):
    with slack_emulator(events_url=receiver_url[1], echo_bot_messages=True) as slack:
        channel = slack.create_channel("general")
        WebClient(token=slack.token, base_url=slack.api_url).chat_postMessage(channel=channel["id"], text="hi")
        for _ in range(100):
            if receiver.received:
                break
            time.sleep(0.02)
    assert receiver.data()[0]["event"]["bot_id"] == slack.bot_id


def test_url_verification_echoes_the_challenge(slack, receiver):
    report = slack.url_verification()
    assert report["echoed"] is True and report["body"] == report["challenge"]
    assert receiver.received[0]["valid"]


def test_stale_tampered_and_missing_signatures_are_refused_by_a_verifier(slack, receiver):
    body = {"type": "event_callback", "event": {"type": "message", "text": "hi"}}
    assert slack.raw(body)["status"] == 200
    assert slack.raw(body, timestamp_offset=-6 * 60)["status"] == 401  # older than 5 minutes
    assert slack.raw(body, timestamp_offset=6 * 60)["status"] == 401  # from the future
    assert slack.raw(body, signature="v0=" + "0" * 64)["status"] == 401
    assert slack.raw(body, signature=None)["status"] == 401
    assert slack.raw(body, timestamp=None)["status"] == 401
    assert "X-Slack-Signature" not in receiver.received[4]["headers"]
    assert [r["valid"] for r in receiver.received] == [True, False, False, False, False, False]


def test_a_click_delivers_block_actions_and_its_trigger_opens_one_view(slack, client, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    reviews = slack.create_channel("reviews")
    posted = client.chat_postMessage(channel=reviews["id"], text="Approve?", blocks=BUTTONS)
    report = slack.click(ada["id"], reviews["id"], posted["ts"], "reject")
    assert report["status"] == 200 and report["kind"] == "block_actions"
    (received,) = receiver.received
    assert received["valid"] and received["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    payload = received["data"]
    assert payload["type"] == "block_actions" and payload["api_app_id"] == slack.app_id
    assert payload["user"] == {"id": ada["id"], "username": "ada", "name": "ada", "team_id": slack.team_id}
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": reviews["id"],
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": reviews["id"], "name": "reviews"}
    assert payload["message"]["blocks"] == BUTTONS and payload["response_url"].startswith(slack.root)
    (action,) = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
        "reject",
        "decision",
        "app-1",
        "button",
    )

    view = client.views_open(trigger_id=payload["trigger_id"], view=MODAL)["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "reject_reason" and view["state"] == {"values": {}}
    assert error_of(lambda: client.views_open(trigger_id=payload["trigger_id"], view=MODAL)) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="1.2.3", view=MODAL)) == "invalid_trigger_id"
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title longer than 24 chars"}}
    slack.click(ada["id"], reviews["id"], posted["ts"], "approve")
    fresh = receiver.data()[-1]["trigger_id"]
    assert error_of(lambda: client.views_open(trigger_id=fresh, view=long_title)) == "invalid_arguments"

    receiver.answers["view_submission"] = {"response_action": "errors", "errors": {"reason": "Too short"}}
    kept = slack.submit_view(ada["id"], view["id"], {"reason": {"text": "no"}})
    assert kept["response_action"] == "errors" and kept["view_open"] is True
    receiver.answers.clear()
    closed = slack.submit_view(
        ada["id"], view["id"], {"reason": {"text": {"type": "plain_text_input", "value": "Not eligible"}}}
    )
    assert closed["status"] == 200 and closed["view_open"] is False
    submitted = receiver.data()[-1]
    assert submitted["type"] == "view_submission" and submitted["view"]["private_metadata"] == "app-1"
    assert submitted["view"]["state"]["values"] == {
        "reason": {"text": {"type": "plain_text_input", "value": "Not eligible"}}
    }


def test_a_trigger_expires_after_three_seconds_of_emulator_time(slack, client, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    posted = client.chat_postMessage(channel=ada["id"], text="Approve?", blocks=BUTTONS)
    slack.configure(trigger_ttl=0.05)
    slack.click(ada["id"], posted["channel"], posted["ts"], "approve")
    time.sleep(0.1)
    trigger = receiver.data()[-1]["trigger_id"]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "expired_trigger_id"


def test_response_url_replaces_the_clicked_message(slack, client, receiver):
    ada = slack.create_user("ada", "Ada Lovelace")
    posted = client.chat_postMessage(channel=ada["id"], text="Approve?", blocks=BUTTONS)
    slack.click(ada["id"], posted["channel"], posted["ts"], "approve")
    url = receiver.data()[-1]["response_url"]
    answer = requests.post(url, json={"replace_original": True, "text": "Approved by Ada", "blocks": []}, timeout=5)
    assert answer.status_code == 200
    (message,) = slack.messages(posted["channel"])
    assert message["text"] == "Approved by Ada" and message["blocks"] == []
