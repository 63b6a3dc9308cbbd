"""A local Slack emulator: the Web API methods the assistant calls, and Slack's side of the Events
API and interactivity, over real HTTP.

The Web API (`POST` or `GET /api/<method>`, form, multipart, JSON or query arguments) checks the
bot token (`not_authed` / `invalid_auth`, HTTP 200 like Slack) and answers in Slack's envelope
(`{"ok": true, ...}` / `{"ok": false, "error": ...}`); every call is recorded. Files are served
at their `url_private(_download)` only to the bot token (anyone else gets Slack's login page,
HTML with status 200), and uploads work the way `files_upload_v2` does them
(getUploadURLExternal, POST the bytes, completeUploadExternal).

Back doors under `/__emulator/` act as Slack's people and servers: create users, channels and
files, make a user write, mention, edit, delete, click a button or submit a modal. Each of these
is delivered as Slack would: an `event_callback` (JSON) or an interactivity `payload=` (form),
signed with the signing secret (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`), POSTed to the
project's URL, and given up after 3 s. Faults (429 with Retry-After, errors, slow answers,
dropped connections) are injected there too. State lives in memory.

`make run` can start it in place of Slack: `python -m emulators.slack --port 8091
--events-url http://127.0.0.1:5005/webhooks/slack/webhook`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import mimetypes
import re
import secrets
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from aiohttp import ClientError, ClientSession, ClientTimeout, web

log = logging.getLogger(__name__)

# Local-only credentials and ids. They are not secrets: only this emulator accepts them.
EMULATOR_PORT = 8091
EMULATOR_BOT_TOKEN = "xoxb-local-slack-emulator-token"
EMULATOR_SIGNING_SECRET = "local-slack-emulator-signing-secret"
EMULATOR_TEAM_ID = "T0ACTSLOCAL"
EMULATOR_BOT_USER_ID = "U0ACTSBOT1"
EMULATOR_BOT_ID = "B0ACTSBOT1"
EMULATOR_APP_ID = "A0ACTSAPP1"
VERIFICATION_TOKEN = "local-verification-token"  # Slack's deprecated `token` field in payloads
TEAM_DOMAIN = "acts-local"
TEAM_NAME = "ACTS (local Slack emulator)"
BOT_NAME = "acts-badges"
BOT_REAL_NAME = "ACTS Badges"

DELIVERY_TIMEOUT = 3.0  # Slack gives up on an event or an interaction that takes longer
TRIGGER_TTL = 3.0  # a trigger_id opens a view only within 3 s of the click
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
JSON_ARGUMENTS = {"blocks": "invalid_blocks_format", "attachments": "invalid_attachments", "view": "invalid_arguments"}
BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "table",
    "video",
}
# filetype and pretty_type as Slack names them; anything else is "binary".
FILE_TYPES = {
    "pdf": ("pdf", "PDF"),
    "png": ("png", "PNG"),
    "jpg": ("jpg", "JPEG"),
    "jpeg": ("jpg", "JPEG"),
    "gif": ("gif", "GIF"),
    "txt": ("text", "Plain Text"),
    "csv": ("csv", "CSV"),
    "doc": ("doc", "Word Document"),
    "docx": ("docx", "Word Document"),
    "json": ("json", "JSON"),
    "zip": ("zip", "Zip"),
}
LOGIN_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Slack</title></head>'
    f"<body><h1>Sign in to {TEAM_NAME}</h1><p>{TEAM_DOMAIN}.slack.com</p>"
    '<form action="/signin" method="post"><input type="email" name="email"></form></body></html>'
)
_ID_CHARACTERS = string.ascii_uppercase + string.digits
# What Slack leaves unescaped in a message's text: its own mention, channel, broadcast and link tokens.
_TOKEN = re.compile(r"<(?:[@#!]|https?://|mailto:)[^<>]*>")


# --- Slack's wire format ------------------------------------------------------------------------


def signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """`X-Slack-Signature`: v0 HMAC-SHA256 of `v0:{timestamp}:{raw body}`, the secret used as raw bytes."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def slack_json(payload: Any) -> str:
    """JSON as Slack sends it: compact, ASCII, slashes escaped. A receiver that re-serializes the
    parsed body instead of verifying the raw bytes gets a different signature, as with Slack."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_sent(typed: str) -> str:
    """A message's `text` as Slack sends it: &, < and > escaped, its own `<@U…>`-style tokens kept."""
    parts, last = [], 0
    for token in _TOKEN.finditer(typed):
        parts += [_escape(typed[last : token.start()]), token.group()]
        last = token.end()
    return "".join(parts + [_escape(typed[last:])])


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def rich_text(text: str) -> list[dict]:
    """The `rich_text` block Slack's clients attach to what a person writes."""
    elements: list[dict] = []
    last = 0

    def plain(piece: str) -> None:
        if piece:
            elements.append({"type": "text", "text": _unescape(piece)})

    for token in _TOKEN.finditer(text):
        plain(text[last : token.start()])
        last = token.end()
        target, _, label = token.group()[1:-1].partition("|")
        if target.startswith("@"):
            elements.append({"type": "user", "user_id": target[1:]})
        elif target.startswith("#"):
            elements.append({"type": "channel", "channel_id": target[1:]})
        elif target.startswith("!"):
            elements.append({"type": "broadcast", "range": target[1:]})
        else:
            elements.append({"type": "link", "url": target, **({"text": label} if label else {})})
    plain(text[last:])
    block_id = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(4))
    return [
        {"type": "rich_text", "block_id": block_id, "elements": [{"type": "rich_text_section", "elements": elements}]}
    ]


# --- state --------------------------------------------------------------------------------------


class SlackError(Exception):
    """A Web API error: answered as `{"ok": false, "error": code}` (HTTP 200, like Slack)."""

    def __init__(self, code: str, messages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages or []


class BackDoorError(Exception):
    """A back-door request that Slack's people or servers could not have made."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Fault:
    kind: str  # "ratelimited", "error", "delay" or "disconnect"
    count: int
    method: str | None = None  # None: any Web API method
    retry_after: int = 1
    error: str = "fatal_error"
    status: int = 200
    delay: float = 0.0


@dataclass
class Trigger:
    user: str
    issued: float  # time.monotonic()
    used: bool = False


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    mimetype: str
    user: str
    created: int
    content: bytes | None  # None until the upload URL receives the bytes
    alt_txt: str | None = None
    shares: dict[str, list[str]] = field(default_factory=dict)  # channel id -> message ts


@dataclass
class ResponseUrl:
    channel: str
    message_ts: str
    user: str
    ephemeral: bool


@dataclass
class Workspace:
    """One Slack workspace with the project's app installed in it."""

    team_id: str
    bot_token: str
    signing_secret: str
    bot_user_id: str
    bot_id: str
    app_id: str
    events_url: str | None
    interactivity_url: str | None
    public_url: str | None  # how clients reach this emulator; from the first request when not given
    trigger_ttl: float | None
    delivery_timeout: float
    echo_bot_messages: bool  # Slack also sends the app its own messages; off unless asked for
    users: dict[str, dict] = field(default_factory=dict)
    channels: dict[str, dict] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)  # user id -> the bot's DM with them
    messages: dict[str, list[dict]] = field(default_factory=dict)  # channel id -> messages
    ephemeral: list[dict] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    uploads: dict[str, str] = field(default_factory=dict)  # upload URL key -> file id
    views: dict[str, dict] = field(default_factory=dict)
    view_users: dict[str, str] = field(default_factory=dict)
    open_views: set[str] = field(default_factory=set)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)
    deliveries: list[dict] = field(default_factory=list)
    sent_events: dict[str, dict] = field(default_factory=dict)  # event_id -> payload, for retries
    faults: list[Fault] = field(default_factory=list)
    tasks: set = field(default_factory=set)
    last_ts: int = 0
    taken_ids: set[str] = field(default_factory=set)

    # ids and times

    def new_id(self, prefix: str) -> str:
        while True:
            candidate = prefix + "0" + "".join(secrets.choice(_ID_CHARACTERS) for _ in range(8))
            if candidate not in self.taken_ids:
                self.taken_ids.add(candidate)
                return candidate

    def next_ts(self) -> str:
        """Message timestamps: epoch seconds with six digits, strictly increasing."""
        self.last_ts = max(self.last_ts + 1, time.time_ns() // 1000)
        return f"{self.last_ts // 1_000_000}.{self.last_ts % 1_000_000:06d}"

    # people and conversations

    def add_user(self, spec: dict) -> dict:
        user_id = spec.get("id") or self.new_id("U")
        self.taken_ids.add(user_id)
        name = spec.get("name") or user_id.lower()
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "real_name": spec.get("real_name") or name,
            "email": spec.get("email"),
            "is_bot": bool(spec.get("is_bot")),
            "deleted": bool(spec.get("deleted")),
            "tz": spec.get("tz") or "Europe/London",
        }
        return self.users[user_id]

    def user(self, user_id: str | None) -> dict:
        if user_id not in self.users:
            raise BackDoorError(404, f"no user {user_id!r}: create it with POST /__emulator/users")
        return self.users[user_id]

    def add_channel(self, spec: dict) -> dict:
        channel_id = spec.get("id") or self.new_id("C")
        self.taken_ids.add(channel_id)
        self.channels[channel_id] = {
            "id": channel_id,
            "name": spec.get("name") or channel_id.lower(),
            "is_private": bool(spec.get("is_private")),
            "is_im": False,
            "is_member": spec.get("is_member", True),  # the bot only hears channels it is in
            "created": int(time.time()),
        }
        self.messages[channel_id] = []
        return self.channels[channel_id]

    def dm_with(self, user_id: str) -> dict:
        """The bot's direct-message conversation with a user: one id per user, opened on first use."""
        if user_id not in self.dms:
            channel_id = self.new_id("D")
            self.dms[user_id] = channel_id
            self.channels[channel_id] = {
                "id": channel_id,
                "name": "directmessage",
                "is_private": True,
                "is_im": True,
                "user": user_id,
                "is_member": True,
                "created": int(time.time()),
            }
            self.messages[channel_id] = []
        return self.channels[self.dms[user_id]]

    def find_channel(self, value: str | None, users_open_dms: bool = False) -> dict | None:
        """A conversation by id or name (`#general`); a user id opens their DM where Slack allows it."""
        if not value:
            return None
        if value in self.channels:
            return self.channels[value]
        if users_open_dms and value in self.users and value != self.bot_user_id:
            return self.dm_with(value)
        name = value.removeprefix("#")
        return next((c for c in self.channels.values() if not c["is_im"] and c["name"] == name), None)

    def channel(self, value: str | None, users_open_dms: bool = False) -> dict:
        found = self.find_channel(value, users_open_dms)
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def backdoor_channel(self, value: str | None, user_id: str | None) -> dict:
        """Where a back-door message goes: the named conversation, else the user's DM with the bot."""
        if value:
            found = self.find_channel(value, users_open_dms=True)
            if found is None:
                raise BackDoorError(404, f"no channel {value!r}: create it with POST /__emulator/channels")
            return found
        if not user_id:
            raise BackDoorError(400, "give a channel, or a user whose DM with the bot is meant")
        return self.dm_with(user_id)

    @staticmethod
    def channel_type(channel: dict) -> str:
        return "im" if channel["is_im"] else "group" if channel["is_private"] else "channel"

    # messages

    def find_message(self, channel_id: str, ts: str | None) -> dict | None:
        return next((m for m in self.messages.get(channel_id, []) if m["ts"] == ts), None)

    def store(self, channel: dict, message: dict) -> dict:
        """Adds a message to a conversation; a reply also updates its thread's parent, as Slack does."""
        thread_ts = message.get("thread_ts")
        parent = self.find_message(channel["id"], thread_ts) if thread_ts else None
        if parent is not None:
            message["parent_user_id"] = parent.get("user") or parent.get("bot_id")
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            replier = message.get("user") or message.get("bot_id")
            parent["reply_users"] = list(dict.fromkeys([*parent.get("reply_users", []), replier]))
            parent["reply_users_count"] = len(parent["reply_users"])
            parent["latest_reply"] = message["ts"]
        self.messages[channel["id"]].append(message)
        return message

    def bot_message(self, text: str, blocks: Any = None, thread_ts: str | None = None, **extra: Any) -> dict:
        """A message as the app's bot user posts it with chat.postMessage."""
        message = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": self.next_ts(),
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": text,
            "team": self.team_id,
            "bot_profile": self.bot_profile(),
        }
        if blocks is not None:
            message["blocks"] = blocks
        if thread_ts:
            message["thread_ts"] = thread_ts
        message.update({k: v for k, v in extra.items() if v is not None})
        return message

    def bot_profile(self) -> dict:
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": BOT_REAL_NAME,
            "deleted": False,
            "team_id": self.team_id,
            "updated": 1700000000,
            "icons": {"image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png"},
        }

    def user_message(self, user_id: str, typed: str, thread_ts: str | None) -> dict:
        """A message as a person's Slack client sends it (what they typed, escaped as Slack escapes it)."""
        text = as_sent(typed)
        message = {
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": text,
            "user": user_id,
            "ts": self.next_ts(),
            "blocks": rich_text(text),
            "team": self.team_id,
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        return message

    # files

    def file_object(self, stored: StoredFile) -> dict:
        """A file as files.info and file_share events show it."""
        base, team = self.public_url, self.team_id
        extension = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else ""
        filetype, pretty = FILE_TYPES.get(extension, ("binary", "Binary"))
        shares: dict[str, dict[str, list]] = {}
        lists: dict[str, list[str]] = {"channels": [], "groups": [], "ims": []}
        for channel_id, stamps in stored.shares.items():
            channel = self.channels[channel_id]
            kind = self.channel_type(channel)
            lists[{"channel": "channels", "group": "groups", "im": "ims"}[kind]].append(channel_id)
            entries = [
                {"ts": ts, "channel_name": channel["name"], "team_id": team, "share_user_id": stored.user}
                for ts in stamps
            ]
            shares.setdefault("public" if kind == "channel" else "private", {})[channel_id] = entries
        name = quote(stored.name)
        return {
            "id": stored.id,
            "created": stored.created,
            "timestamp": stored.created,
            "name": stored.name,
            "title": stored.title,
            "mimetype": stored.mimetype,
            "filetype": filetype,
            "pretty_type": pretty,
            "user": stored.user,
            "user_team": team,
            "editable": False,
            "size": len(stored.content or b""),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(lists["channels"]),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/files-pri/{team}-{stored.id}/{name}",
            "url_private_download": f"{base}/files-pri/{team}-{stored.id}/download/{name}",
            "media_display_type": "unknown",
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{stored.user}/{stored.id}/{name}",
            "permalink_public": f"https://slack-files.com/{team}-{stored.id}-{stored.id.lower()}",
            "has_rich_preview": False,
            "file_access": "visible",
            "alt_txt": stored.alt_txt,
            "shares": shares,
            **lists,
        }

    def visible_to_bot(self, stored: StoredFile) -> bool:
        """The bot sees a file it uploaded, or one shared where it is a member."""
        return stored.user == self.bot_user_id or any(self.channels[c]["is_member"] for c in stored.shares)

    def share(self, stored: StoredFile, channel: dict, ts: str) -> None:
        stored.shares.setdefault(channel["id"], []).append(ts)

    # interactivity

    def issue_trigger(self, user_id: str) -> str:
        trigger_id = f"{time.time_ns() // 1_000_000}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(user=user_id, issued=time.monotonic())
        return trigger_id

    def exchange_trigger(self, trigger_id: str | None) -> Trigger:
        trigger = self.triggers.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.trigger_ttl is not None and time.monotonic() - trigger.issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def issue_response_url(self, target: ResponseUrl) -> str:
        key = f"{self.team_id}/{secrets.randbelow(10**12)}/{secrets.token_urlsafe(18)}"
        self.response_urls[key] = target
        return f"{self.public_url}/actions/{key}"

    def config(self) -> dict:
        return {
            "events_url": self.events_url,
            "interactivity_url": self.interactivity_url,
            "public_url": self.public_url,
            "api_url": f"{self.public_url}/api/" if self.public_url else None,
            "team_id": self.team_id,
            "bot_token": self.bot_token,
            "signing_secret": self.signing_secret,
            "bot_user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "trigger_ttl": self.trigger_ttl,
            "delivery_timeout": self.delivery_timeout,
            "echo_bot_messages": self.echo_bot_messages,
        }


WORKSPACE = web.AppKey("workspace", Workspace)


# --- validation of what the app sends -----------------------------------------------------------


def _plain_text_problems(value: Any, pointer: str, limit: int) -> list[str]:
    if not isinstance(value, dict) or value.get("type") not in ("plain_text", "mrkdwn") or "text" not in value:
        return [f"[ERROR] must be a text object [json-pointer:{pointer}]"]
    if len(str(value["text"])) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}/text]"]
    return []


def _element_problems(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict) or "type" not in element:
        return [f"[ERROR] missing required field: type [json-pointer:{pointer}]"]
    problems = []
    if len(str(element.get("action_id", ""))) > 255:
        problems.append(f"[ERROR] must be less than 256 characters [json-pointer:{pointer}/action_id]")
    if element["type"] == "button":
        problems += _plain_text_problems(element.get("text"), f"{pointer}/text", 75)
        if len(str(element.get("value", ""))) > 2000:
            problems.append(f"[ERROR] must be less than 2001 characters [json-pointer:{pointer}/value]")
    return problems


def block_problems(blocks: Any, limit: int, where: str = "/blocks") -> list[str]:
    """The checks Slack makes on Block Kit that apps most often fail (sizes, ids, required parts)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{where}]"]
    problems = [] if len(blocks) <= limit else [f"[ERROR] no more than {limit} items allowed [json-pointer:{where}]"]
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        pointer = f"{where}/{index}"
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            problems.append(f"[ERROR] unsupported type [json-pointer:{pointer}/type]")
            continue
        if "block_id" in block:
            if block["block_id"] in block_ids:
                problems.append(f"[ERROR] duplicate block_id [json-pointer:{pointer}/block_id]")
            block_ids.add(block["block_id"])
        kind = block["type"]
        if kind == "section":
            if not block.get("text") and not block.get("fields"):
                problems.append(f"[ERROR] must provide either text or fields [json-pointer:{pointer}]")
            if block.get("text"):
                problems += _plain_text_problems(block["text"], f"{pointer}/text", 3000)
            if "accessory" in block:
                problems += _element_problems(block["accessory"], f"{pointer}/accessory")
        elif kind == "header":
            problems += _plain_text_problems(block.get("text"), f"{pointer}/text", 150)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                problems.append(f"[ERROR] must have 1 to 25 elements [json-pointer:{pointer}/elements]")
                continue
            action_ids = [e.get("action_id") for e in elements if isinstance(e, dict) and e.get("action_id")]
            if len(action_ids) != len(set(action_ids)):
                problems.append(f"[ERROR] action_ids must be unique in a block [json-pointer:{pointer}/elements]")
            for position, element in enumerate(elements):
                problems += _element_problems(element, f"{pointer}/elements/{position}")
        elif kind == "input":
            problems += _plain_text_problems(block.get("label"), f"{pointer}/label", 2000)
            problems += _element_problems(block.get("element"), f"{pointer}/element")
    return problems


def view_problems(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["[ERROR] view must be an object [json-pointer:/view]"]
    if view.get("type") != "modal":
        return ["[ERROR] must be modal [json-pointer:/view/type]"]
    problems = _plain_text_problems(view.get("title"), "/view/title", 24)
    problems += block_problems(view.get("blocks"), VIEW_BLOCK_LIMIT, "/view/blocks")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > 255:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
    if has_input and not view.get("submit"):
        problems.append("[ERROR] must provide submit when input blocks are present [json-pointer:/view/submit]")
    return problems


# --- Web API methods ----------------------------------------------------------------------------


def auth_test(ws: Workspace, args: dict) -> dict:
    return {
        "ok": True,
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": TEAM_NAME,
        "user": BOT_NAME,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def _content(args: dict, block_limit: int = MESSAGE_BLOCK_LIMIT) -> tuple[str, Any]:
    """A message's text and blocks, refused the way Slack refuses them."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if blocks is not None:
        problems = block_problems(blocks, block_limit)
        if problems:
            raise SlackError("invalid_blocks", problems)
    return str(text or ""), blocks


def _writable(channel: dict) -> None:
    if not channel["is_member"]:
        raise SlackError("not_in_channel")


def chat_post_message(ws: Workspace, args: dict) -> dict:
    channel = ws.channel(args.get("channel"), users_open_dms=True)
    _writable(channel)
    text, blocks = _content(args)
    extra = {"attachments": args.get("attachments"), "metadata": args.get("metadata")}
    message = ws.store(channel, ws.bot_message(text, blocks, args.get("thread_ts") or None, **extra))
    _echo(ws, channel, message)
    return {"ok": True, "channel": channel["id"], "ts": message["ts"], "message": message}


def chat_update(ws: Workspace, args: dict) -> dict:
    channel = ws.channel(args.get("channel"))  # a DM by its D… id only, as Slack requires
    message = ws.find_message(channel["id"], args.get("ts"))
    if message is None:
        raise SlackError("message_not_found")
    if message.get("bot_id") != ws.bot_id:
        raise SlackError("cant_update_message")
    if "text" in args or "blocks" in args:
        _content({"text": args.get("text", message.get("text")), "blocks": args.get("blocks", message.get("blocks"))})
    # Fields left out keep their value; `blocks: []` removes the blocks.
    for key in ("text", "blocks", "attachments", "metadata"):
        if key in args:
            message[key] = args[key]
    message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
    return {"ok": True, "channel": channel["id"], "ts": message["ts"], "text": message["text"], "message": message}


def chat_post_ephemeral(ws: Workspace, args: dict) -> dict:
    channel = ws.channel(args.get("channel"))
    _writable(channel)
    user = args.get("user")
    if user not in ws.users or (channel["is_im"] and channel["user"] != user):
        raise SlackError("user_not_in_channel")
    text, blocks = _content(args)
    message = {"type": "message", "user": ws.bot_user_id, "bot_id": ws.bot_id, "text": text, "ts": ws.next_ts()}
    if blocks is not None:
        message["blocks"] = blocks
    if args.get("thread_ts"):
        message["thread_ts"] = args["thread_ts"]
    ws.ephemeral.append({"channel": channel["id"], "user": user, "message": message})
    return {"ok": True, "message_ts": message["ts"]}


def conversations_open(ws: Workspace, args: dict) -> dict:
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 1:
        raise SlackError("not_supported_by_emulator", ["group DMs (several users) are not emulated"])
    if users[0] not in ws.users or users[0] == ws.bot_user_id:
        raise SlackError("user_not_found")
    already_open = users[0] in ws.dms
    channel = ws.dm_with(users[0])
    answer: dict[str, Any] = {"ok": True, "channel": {"id": channel["id"]}}
    if already_open:
        answer.update(no_op=True, already_open=True)
    if str(args.get("return_im", "")).lower() in ("1", "true"):
        answer["channel"].update(created=channel["created"], is_im=True, user=users[0], is_open=True)
    return answer


def _user_object(ws: Workspace, user: dict) -> dict:
    first, _, last = user["real_name"].partition(" ")
    return {
        "id": user["id"],
        "team_id": ws.team_id,
        "name": user["name"],
        "deleted": user["deleted"],
        "real_name": user["real_name"],
        "tz": user["tz"],
        "profile": {
            "real_name": user["real_name"],
            "real_name_normalized": user["real_name"],
            "display_name": user["name"],
            "display_name_normalized": user["name"],
            "first_name": first,
            "last_name": last,
            "email": user["email"],
            "team": ws.team_id,
            **({"bot_id": ws.bot_id} if user["id"] == ws.bot_user_id else {}),
        },
        "is_admin": False,
        "is_owner": False,
        "is_bot": user["is_bot"],
        "is_app_user": False,
        "updated": 1700000000,
    }


def users_info(ws: Workspace, args: dict) -> dict:
    user = ws.users.get(args.get("user") or "")
    if user is None:
        raise SlackError("user_not_found")
    return {"ok": True, "user": _user_object(ws, user)}


def views_open(ws: Workspace, args: dict) -> dict:
    if not args.get("trigger_id"):
        raise SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
    view = args.get("view")
    problems = view_problems(view)
    if problems:
        raise SlackError("invalid_arguments", problems)
    trigger = ws.exchange_trigger(args["trigger_id"])
    view_id = ws.new_id("V")
    stored = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": "modal",
        "title": view["title"],
        "submit": view.get("submit"),
        "close": view.get("close"),
        "blocks": view["blocks"],
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{secrets.token_urlsafe(6)}",
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": ws.app_id,
        "app_installed_team_id": ws.team_id,
        "bot_id": ws.bot_id,
    }
    ws.views[view_id] = stored
    ws.view_users[view_id] = trigger.user
    ws.open_views.add(view_id)
    return {"ok": True, "view": stored}


def files_info(ws: Workspace, args: dict) -> dict:
    stored = ws.files.get(args.get("file") or "")
    if stored is None or stored.content is None or not ws.visible_to_bot(stored):
        raise SlackError("file_not_found")
    return {"ok": True, "file": ws.file_object(stored), "comments": [], "response_metadata": {"next_cursor": ""}}


def files_get_upload_url_external(ws: Workspace, args: dict) -> dict:
    filename, length = args.get("filename"), args.get("length")
    if not filename or length in (None, ""):
        raise SlackError("invalid_arguments", ["[ERROR] missing required field: filename or length"])
    try:
        int(length)
    except (TypeError, ValueError) as error:
        raise SlackError("invalid_arguments", ["[ERROR] length must be an integer"]) from error
    file_id = ws.new_id("F")
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    ws.files[file_id] = StoredFile(
        file_id, filename, filename, mimetype, ws.bot_user_id, int(time.time()), None, args.get("alt_txt")
    )
    key = secrets.token_urlsafe(24)
    ws.uploads[key] = file_id
    return {"ok": True, "upload_url": f"{ws.public_url}/upload/v1/{key}", "file_id": file_id}


def files_complete_upload_external(ws: Workspace, args: dict) -> dict:
    try:
        entries = json.loads(args["files"]) if isinstance(args.get("files"), str) else args.get("files")
    except ValueError as error:
        raise SlackError("invalid_arguments", ["[ERROR] files must be a JSON array"]) from error
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments", ["[ERROR] missing required field: files"])
    stored_files = []
    for entry in entries:
        stored = ws.files.get(str(entry.get("id") if isinstance(entry, dict) else ""))
        if stored is None or stored.content is None or stored.user != ws.bot_user_id:
            raise SlackError("file_not_found")
        stored_files.append((stored, entry))
    targets = [v for v in str(args.get("channels") or "").split(",") if v] or (
        [args["channel_id"]] if args.get("channel_id") else []
    )
    channels = [ws.channel(target) for target in targets]
    for channel in channels:
        _writable(channel)
    for stored, entry in stored_files:
        stored.title = entry.get("title") or stored.title
    for channel in channels:
        message = ws.bot_message(
            str(args.get("initial_comment") or ""),
            args.get("blocks"),
            args.get("thread_ts") or None,
            subtype="file_share",
            upload=True,
            display_as_bot=False,
        )
        for stored, _ in stored_files:
            ws.share(stored, channel, message["ts"])
        message["files"] = [ws.file_object(stored) for stored, _ in stored_files]
        _echo(ws, channel, ws.store(channel, message))
    return {"ok": True, "files": [ws.file_object(stored) for stored, _ in stored_files]}


METHODS: dict[str, Callable[[Workspace, dict], dict]] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "conversations.open": conversations_open,
    "users.info": users_info,
    "views.open": views_open,
    "files.info": files_info,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}


async def _arguments(request: web.Request) -> tuple[dict, str | None]:
    """Query, form (urlencoded or multipart) or JSON arguments, all at once as Slack reads them;
    and a token given in a form body (Slack accepts one there too)."""
    args: dict[str, Any] = dict(request.query)
    args.pop("token", None)  # Slack refuses tokens in query strings
    body_token = None
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as error:
                raise SlackError("invalid_json") from error
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            args.update({key: value for key, value in form.items() if isinstance(value, str)})
            body_token = args.pop("token", None)
        else:
            raise SlackError("invalid_post_type")
    return args, body_token


def _decode_json_arguments(args: dict) -> None:
    """Form posts carry blocks, attachments and views as JSON strings; Slack accepts both forms."""
    for key, error in JSON_ARGUMENTS.items():
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError as problem:
                raise SlackError(error, [f"[ERROR] {key} is not valid JSON"]) from problem


def _authenticate(ws: Workspace, request: web.Request, body_token: str | None) -> None:
    header = request.headers.get("Authorization", "")
    token = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else body_token
    if not token:
        raise SlackError("not_authed")
    if not hmac.compare_digest(token.encode(), ws.bot_token.encode()):
        raise SlackError("invalid_auth")


def _take_fault(ws: Workspace, method: str) -> Fault | None:
    for fault in ws.faults:
        if fault.method in (None, method):
            fault.count -= 1
            if fault.count <= 0:
                ws.faults.remove(fault)
            return fault
    return None


async def web_api(request: web.Request) -> web.StreamResponse:
    ws = request.app[WORKSPACE]
    method = request.match_info["method"]
    call: dict[str, Any] = {"method": method, "args": {}, "time": time.time(), "http_method": request.method}
    ws.calls.append(call)
    fault = _take_fault(ws, method)
    if fault is not None and fault.kind == "delay":
        await asyncio.sleep(fault.delay)
    elif fault is not None and fault.kind == "disconnect":
        call.update(status=None, ok=False, error="disconnected")
        request.transport.close()  # the client sees the connection drop, not an answer
        return web.Response()
    elif fault is not None and fault.kind == "ratelimited":
        call.update(status=429, ok=False, error="ratelimited")
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(fault.retry_after)}
        )
    elif fault is not None:
        call.update(status=fault.status, ok=False, error=fault.error)
        return web.json_response({"ok": False, "error": fault.error}, status=fault.status)
    try:
        if method not in METHODS:
            raise SlackError("unknown_method")
        args, body_token = await _arguments(request)
        call["args"] = args
        _authenticate(ws, request, body_token)
        _decode_json_arguments(args)
        answer = METHODS[method](ws, args)
    except SlackError as error:
        answer = {"ok": False, "error": error.code}
        if error.code == "unknown_method":
            answer["req_method"] = method
        if error.messages:
            answer["response_metadata"] = {"messages": error.messages}
    call.update(status=200, ok=answer["ok"], error=answer.get("error"))
    return web.json_response(answer)


# --- files over HTTP ----------------------------------------------------------------------------


async def receive_upload(request: web.Request) -> web.Response:
    """The upload URL: raw bytes (what slack_sdk sends) or a multipart form with a file part."""
    ws = request.app[WORKSPACE]
    file_id = ws.uploads.pop(request.match_info["key"], None)
    if file_id is None:
        return web.Response(status=404, text="upload URL unknown or already used")
    if request.content_type == "multipart/form-data":
        form = await request.post()
        part = next((value for value in form.values() if hasattr(value, "file")), None)
        content = part.file.read() if part is not None else b""
    else:
        content = await request.read()
    ws.files[file_id].content = content
    return web.Response(text=f"OK - {len(content)}")


async def private_file(request: web.Request) -> web.Response:
    """`url_private(_download)`: the bytes for the bot token, Slack's login page for anyone else."""
    ws = request.app[WORKSPACE]
    team, _, file_id = request.match_info["team_file"].partition("-")
    header = request.headers.get("Authorization", "")
    authorised = header.startswith("Bearer ") and hmac.compare_digest(
        header[7:].strip().encode(), ws.bot_token.encode()
    )
    if not authorised:
        return web.Response(text=LOGIN_PAGE, content_type="text/html", charset="utf-8")
    stored = ws.files.get(file_id)
    if team != ws.team_id or stored is None or stored.content is None or not ws.visible_to_bot(stored):
        return web.Response(status=404, text="<html><body>File not found</body></html>", content_type="text/html")
    disposition = "attachment" if "/download/" in request.path else "inline"
    return web.Response(
        body=stored.content,
        content_type=stored.mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{stored.name}"'},
    )


async def response_url(request: web.Request) -> web.Response:
    """A block action's response_url: replace or delete the clicked message, or answer the user."""
    ws = request.app[WORKSPACE]
    key = "/".join(request.match_info[part] for part in ("team", "number", "secret"))
    target = ws.response_urls.get(key)
    if target is None:
        return web.Response(status=404, text="invalid_token")
    try:
        body = (
            await request.json()
            if request.content_type == "application/json"
            else json.loads((await request.post()).get("payload", "{}"))
        )
    except ValueError:
        return web.Response(status=400, text="invalid_payload")
    ws.calls.append({"method": "response_url", "args": body, "time": time.time(), "status": 200, "ok": True})
    channel = ws.channels[target.channel]
    if target.ephemeral:
        original = next((e["message"] for e in ws.ephemeral if e["message"]["ts"] == target.message_ts), None)
    else:
        original = ws.find_message(target.channel, target.message_ts)
    if body.get("delete_original"):
        if target.ephemeral:
            ws.ephemeral = [e for e in ws.ephemeral if e["message"]["ts"] != target.message_ts]
        else:
            ws.messages[target.channel] = [m for m in ws.messages[target.channel] if m["ts"] != target.message_ts]
        return web.Response(text="ok")
    if original is not None and body.get("replace_original") and body.get("replace_original") != "false":
        for name in ("text", "blocks"):
            if name in body:
                original[name] = body[name]
        return web.Response(text="ok")
    if body.get("response_type") == "in_channel":
        message = ws.bot_message(str(body.get("text") or ""), body.get("blocks"), body.get("thread_ts"))
        _echo(ws, channel, ws.store(channel, message))
    else:
        message = {"type": "message", "user": ws.bot_user_id, "bot_id": ws.bot_id, "ts": ws.next_ts()}
        message.update({k: body[k] for k in ("text", "blocks", "thread_ts") if k in body})
        ws.ephemeral.append({"channel": target.channel, "user": target.user, "message": message})
    return web.Response(text="ok")


# --- delivering to the project, signed as Slack signs -------------------------------------------


def _signed_headers(ws: Workspace, body: bytes, content_type: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "User-Agent": SLACK_USER_AGENT,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(ws.signing_secret, timestamp, body),
    }


async def _post(ws: Workspace, url: str | None, body: bytes, headers: dict[str, str], **about: Any) -> dict:
    """POSTs like Slack: no redirects followed, given up after the delivery timeout; reports what happened."""
    if not url:
        raise BackDoorError(409, "no events URL: start with --events-url or POST /__emulator/config")
    report: dict[str, Any] = {**about, "url": url, "status": None, "body": None, "error": None}
    started = time.monotonic()
    try:
        async with ClientSession(timeout=ClientTimeout(total=ws.delivery_timeout)) as session:
            async with session.post(url, data=body, headers=headers, allow_redirects=False) as answer:
                report["status"] = answer.status
                report["body"] = (await answer.text(errors="replace"))[:4000]
                report["content_type"] = answer.content_type
                if not 200 <= answer.status < 300:
                    report["error"] = "http_error"
    except asyncio.TimeoutError:
        report["error"] = "http_timeout"
    except (ClientError, OSError) as error:
        report["error"] = "connection_failed"
        report["detail"] = str(error)
    report["elapsed"] = round(time.monotonic() - started, 4)
    ws.deliveries.append(report)
    return report


def _envelope(ws: Workspace, event: dict) -> dict:
    """The `event_callback` wrapper Slack puts around every event."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "context_team_id": ws.team_id,
        "context_enterprise_id": None,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": ws.new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + base64.urlsafe_b64encode(secrets.token_bytes(24)).decode().rstrip("="),
    }


async def deliver_event(ws: Workspace, payload: dict, retry_num: int | None = None, reason: str = "") -> dict:
    body = slack_json(payload).encode()
    ws.sent_events[payload["event_id"]] = payload
    headers = _signed_headers(ws, body, "application/json")
    if retry_num:
        headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason})
    kind = payload["event"].get("type")
    subtype = payload["event"].get("subtype")
    return await _post(
        ws, ws.events_url, body, headers, kind=kind, subtype=subtype, event_id=payload["event_id"], retry_num=retry_num
    )


def _message_event(ws: Workspace, channel: dict, message: dict) -> dict:
    return {**message, "channel": channel["id"], "event_ts": message["ts"], "channel_type": ws.channel_type(channel)}


async def _deliver_message(ws: Workspace, channel: dict, message: dict) -> list[dict]:
    """What Slack sends for a new message: nothing where the bot is not a member; in a channel that
    mentions the bot, an `app_mention` and then the `message`; otherwise the `message`."""
    if not channel["is_member"]:
        return []
    events = []
    mentioned = f"<@{ws.bot_user_id}>" in message.get("text", "") or f"<@{ws.bot_user_id}|" in message.get("text", "")
    if mentioned and not channel["is_im"] and message.get("user") != ws.bot_user_id:
        mention = {k: v for k, v in message.items() if k not in ("subtype", "upload", "display_as_bot")}
        events.append({**mention, "type": "app_mention", "channel": channel["id"], "event_ts": message["ts"]})
    events.append(_message_event(ws, channel, message))
    return [await deliver_event(ws, _envelope(ws, event)) for event in events]


def _echo(ws: Workspace, channel: dict, message: dict) -> None:
    """With echo on, the app hears its own messages, as a real Slack app does."""
    if ws.echo_bot_messages:
        task = asyncio.get_running_loop().create_task(_deliver_message(ws, channel, message))
        ws.tasks.add(task)
        task.add_done_callback(ws.tasks.discard)


async def _deliver_interaction(ws: Workspace, payload: dict) -> dict:
    body = urlencode({"payload": slack_json(payload)}).encode()
    headers = _signed_headers(ws, body, "application/x-www-form-urlencoded")
    url = ws.interactivity_url or ws.events_url
    return await _post(ws, url, body, headers, kind=payload["type"], payload=payload)


# --- back doors: Slack's people and servers -----------------------------------------------------


async def _body(request: web.Request, delivers: bool = True) -> dict:
    """A back door's JSON body; one that delivers to the project first checks there is somewhere to deliver."""
    ws = request.app[WORKSPACE]
    if delivers and not (ws.events_url or ws.interactivity_url):
        raise BackDoorError(409, "no events URL: start with --events-url or POST /__emulator/config")
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError as error:
        raise BackDoorError(400, "the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise BackDoorError(400, "the body must be a JSON object")
    return body


async def create_user(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    body = await _body(request, delivers=False)
    if not body.get("name"):
        raise BackDoorError(400, "a user needs a name")
    return web.json_response(_user_object(ws, ws.add_user(body)))


async def list_users(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    return web.json_response({"users": [_user_object(ws, user) for user in ws.users.values()]})


async def create_channel(request: web.Request) -> web.Response:
    body = await _body(request, delivers=False)
    if not body.get("name"):
        raise BackDoorError(400, "a channel needs a name")
    return web.json_response(request.app[WORKSPACE].add_channel(body))


async def list_channels(request: web.Request) -> web.Response:
    return web.json_response({"channels": list(request.app[WORKSPACE].channels.values())})


async def create_file(request: web.Request) -> web.Response:
    """A user uploads a file into Slack (not shared anywhere until a message carries it)."""
    ws = request.app[WORKSPACE]
    body = await _body(request, delivers=False)
    ws.user(body.get("user"))
    if not body.get("name"):
        raise BackDoorError(400, "a file needs a name")
    try:
        content = base64.b64decode(body["content_base64"], validate=True) if "content_base64" in body else None
    except (binascii.Error, ValueError) as error:
        raise BackDoorError(400, "content_base64 is not base64") from error
    if content is None:
        content = str(body.get("content", "")).encode()
    mimetype = body.get("mimetype") or mimetypes.guess_type(body["name"])[0] or "application/octet-stream"
    stored = StoredFile(
        ws.new_id("F"),
        body["name"],
        body.get("title") or body["name"],
        mimetype,
        body["user"],
        int(time.time()),
        content,
    )
    ws.files[stored.id] = stored
    return web.json_response(ws.file_object(stored))


async def say(request: web.Request) -> web.Response:
    """A user writes a message (with files: a file_share), delivered as Slack delivers it."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    user = ws.user(body.get("user"))
    channel = ws.backdoor_channel(body.get("channel"), user["id"])
    if channel["is_im"] and channel["user"] != user["id"]:
        raise BackDoorError(403, f"{channel['id']} is {channel['user']}'s DM with the bot, not {user['id']}'s")
    thread_ts = body.get("thread_ts")
    if thread_ts and ws.find_message(channel["id"], thread_ts) is None:
        raise BackDoorError(404, f"no message {thread_ts} in {channel['id']} to reply to")
    files = []
    for file_id in body.get("files") or []:
        stored = ws.files.get(file_id)
        if stored is None or stored.user != user["id"]:
            raise BackDoorError(404, f"{user['id']} has no file {file_id}: create it with POST /__emulator/files")
        files.append(stored)
    message = ws.user_message(user["id"], str(body.get("text", "")), thread_ts)
    for stored in files:
        ws.share(stored, channel, message["ts"])
    if files:
        message.update(
            subtype="file_share", files=[ws.file_object(s) for s in files], upload=False, display_as_bot=False
        )
    ws.store(channel, message)
    deliveries = await _deliver_message(ws, channel, message)
    return web.json_response({"channel": channel["id"], "message": message, "deliveries": deliveries})


async def bot_says(request: web.Request) -> web.Response:
    """A bot's message: another integration's (`subtype: bot_message`), or the app's own (`own`),
    either new or, with `ts`, one the app already posted."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    channel = ws.backdoor_channel(body.get("channel"), body.get("user"))
    if body.get("own") and body.get("ts"):
        message = ws.find_message(channel["id"], body["ts"])
        if message is None or message.get("bot_id") != ws.bot_id:
            raise BackDoorError(404, f"the app posted no message {body['ts']} in {channel['id']}")
    elif body.get("own"):
        message = ws.store(channel, ws.bot_message(str(body.get("text", "")), None, body.get("thread_ts")))
    else:
        message = {
            "type": "message",
            "subtype": "bot_message",
            "text": str(body.get("text", "")),
            "ts": ws.next_ts(),
            "username": body.get("username") or "other-integration",
            "bot_id": body.get("bot_id") or "B0OTHERBOT",
        }
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        ws.store(channel, message)
    deliveries = await _deliver_message(ws, channel, message)
    return web.json_response({"channel": channel["id"], "message": message, "deliveries": deliveries})


async def edit(request: web.Request) -> web.Response:
    """A person edits their message: `message_changed`, with the message and the previous one."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    channel = ws.backdoor_channel(body.get("channel"), body.get("user"))
    message = ws.find_message(channel["id"], body.get("ts"))
    if message is None or not message.get("user") or message.get("bot_id"):
        raise BackDoorError(404, f"no person's message {body.get('ts')} in {channel['id']} (the app uses chat.update)")
    previous = json.loads(json.dumps(message))
    text = as_sent(str(body.get("text", "")))
    event_ts = ws.next_ts()
    message.update(text=text, blocks=rich_text(text), edited={"user": message["user"], "ts": event_ts})
    event = {
        "type": "message",
        "subtype": "message_changed",
        "message": {**message, "type": "message"},
        "previous_message": previous,
        "channel": channel["id"],
        "hidden": True,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": ws.channel_type(channel),
    }
    deliveries = [await deliver_event(ws, _envelope(ws, event))] if channel["is_member"] else []
    return web.json_response({"channel": channel["id"], "message": message, "deliveries": deliveries})


async def delete(request: web.Request) -> web.Response:
    """A message is deleted: `message_deleted`, with the previous message and `deleted_ts`."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    channel = ws.backdoor_channel(body.get("channel"), body.get("user"))
    message = ws.find_message(channel["id"], body.get("ts"))
    if message is None:
        raise BackDoorError(404, f"no message {body.get('ts')} in {channel['id']}")
    ws.messages[channel["id"]].remove(message)
    event_ts = ws.next_ts()
    event = {
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": message,
        "channel": channel["id"],
        "hidden": True,
        "deleted_ts": message["ts"],
        "event_ts": event_ts,
        "ts": event_ts,
        "channel_type": ws.channel_type(channel),
    }
    deliveries = [await deliver_event(ws, _envelope(ws, event))] if channel["is_member"] else []
    return web.json_response({"channel": channel["id"], "deliveries": deliveries})


async def retry(request: web.Request) -> web.Response:
    """Slack re-sends an event it thinks was missed, same body and event_id, with retry headers."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    payload = ws.sent_events.get(body.get("event_id") or "")
    if payload is None:
        raise BackDoorError(404, f"no event {body.get('event_id')!r} was delivered")
    earlier = sum(1 for d in ws.deliveries if d.get("event_id") == payload["event_id"]) - 1
    number = int(body.get("retry_num") or earlier + 1)
    reason = str(body.get("reason") or "http_timeout")
    return web.json_response(await deliver_event(ws, payload, retry_num=number, reason=reason))


async def url_verification(request: web.Request) -> web.Response:
    """Slack checks a new events URL: the answer must echo the challenge (text, form or JSON)."""
    ws = request.app[WORKSPACE]
    body = await _body(request, delivers=False)
    challenge = secrets.token_urlsafe(38)
    payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    raw = slack_json(payload).encode()
    url = body.get("url") or ws.events_url
    report = await _post(ws, url, raw, _signed_headers(ws, raw, "application/json"), kind="url_verification")
    answer = (report["body"] or "").strip()
    try:
        parsed = json.loads(answer)
    except ValueError:
        parsed = None
    form = parse_qs(answer).get("challenge", [None])[0]
    echoed = (
        answer == challenge or form == challenge or (isinstance(parsed, dict) and parsed.get("challenge") == challenge)
    )
    return web.json_response({**report, "challenge": challenge, "echoed": report["status"] == 200 and echoed})


def _find_button(blocks: list, action_id: str, block_id: str | None, value: str | None) -> tuple[dict, str]:
    for block in blocks or []:
        if block_id and block.get("block_id") != block_id:
            continue
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") != "button" or element.get("action_id") != action_id:
                continue
            if value is not None and element.get("value") != value:
                continue
            return element, block.get("block_id") or ""
    raise BackDoorError(404, f"no button with action_id {action_id!r} (value {value!r}) in that message")


async def block_action(request: web.Request) -> web.Response:
    """A user clicks a button in a message the app posted (ephemeral ones too)."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    user = ws.user(body.get("user"))
    channel = ws.backdoor_channel(body.get("channel"), user["id"])
    ts = body.get("message_ts")
    message = ws.find_message(channel["id"], ts)
    ephemeral = None
    if message is None:
        ephemeral = next((e for e in ws.ephemeral if e["channel"] == channel["id"] and e["message"]["ts"] == ts), None)
        if ephemeral is None or ephemeral["user"] != user["id"]:
            raise BackDoorError(404, f"{user['id']} sees no message {ts} in {channel['id']}")
    shown = message if message is not None else ephemeral["message"]
    element, block_id = _find_button(
        shown.get("blocks") or [], str(body.get("action_id")), body.get("block_id"), body.get("value")
    )
    action = {
        "action_id": element["action_id"],
        "block_id": block_id,
        "text": element.get("text"),
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    for key in ("value", "style"):
        if key in element:
            action[key] = element[key]
    target = ResponseUrl(channel["id"], ts, user["id"], ephemeral is not None)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user["id"], "username": user["name"], "name": user["name"], "team_id": ws.team_id},
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel["id"],
            "is_ephemeral": ephemeral is not None,
        },
        "trigger_id": ws.issue_trigger(user["id"]),
        "team": {"id": ws.team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel["id"], "name": channel["name"]},
        "state": {"values": {}},
        "response_url": ws.issue_response_url(target),
        "actions": [action],
    }
    if message is not None:  # Slack leaves the message out for an ephemeral one
        payload["message"] = message
    report = await _deliver_interaction(ws, payload)
    return web.json_response(report)


def _state_values(view: dict, given: dict) -> dict:
    """The view's state as Slack builds it: every input, what the user typed or null; unknown
    inputs and empty required ones are refused, as Slack's client refuses them."""
    values: dict[str, dict] = {}
    known: set[tuple[str, str]] = set()
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        block_id, action_id = block.get("block_id") or "", element.get("action_id") or ""
        known.add((block_id, action_id))
        answer = (given.get(block_id) or {}).get(action_id)
        if isinstance(answer, str) or answer is None:
            answer = {"type": element.get("type"), "value": answer}
        empty = all(v in (None, "", [], {}) for k, v in answer.items() if k != "type")
        if empty and not block.get("optional"):
            raise BackDoorError(400, f"the required input {block_id}/{action_id} is empty")
        values.setdefault(block_id, {})[action_id] = answer
    for block_id, actions in given.items():
        for action_id in actions or {}:
            if (block_id, action_id) not in known:
                raise BackDoorError(400, f"the view has no input {block_id}/{action_id}")
    return values


async def view_submission(request: web.Request) -> web.Response:
    """A user submits a modal the app opened; the app's answer may keep it open (`errors`),
    update it, push another or clear it, as Slack applies `response_action`."""
    ws = request.app[WORKSPACE]
    body = await _body(request)
    user = ws.user(body.get("user"))
    view_id = body.get("view_id")
    if view_id not in ws.open_views or ws.view_users.get(view_id) != user["id"]:
        raise BackDoorError(404, f"{user['id']} has no open view {view_id!r}")
    view = ws.views[view_id]
    view["state"] = {"values": _state_values(view, body.get("values") or {})}
    payload = {
        "type": "view_submission",
        "team": {"id": ws.team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user["id"], "username": user["name"], "name": user["name"], "team_id": ws.team_id},
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": ws.issue_trigger(user["id"]),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    report = await _deliver_interaction(ws, payload)
    action: dict = {}
    if report["status"] == 200 and (report["body"] or "").strip():
        try:
            action = json.loads(report["body"])
        except ValueError:
            action = {}
    kind = action.get("response_action") if isinstance(action, dict) else None
    if report["status"] == 200 and kind != "errors":
        if kind == "update" and isinstance(action.get("view"), dict):
            view.update(action["view"], id=view_id, hash=f"{int(time.time())}.{secrets.token_urlsafe(6)}")
        elif kind != "push":
            ws.open_views.discard(view_id)
    return web.json_response({**report, "response_action": kind, "view_open": view_id in ws.open_views})


async def raw(request: web.Request) -> web.Response:
    """Any body, signed unless told otherwise: `timestamp` / `signature` override the headers
    (null leaves the header out), `timestamp_offset` moves the clock (stale or future requests)."""
    ws = request.app[WORKSPACE]
    body = await _body(request, delivers=False)
    content = body.get("body", "")
    payload = (content if isinstance(content, str) else slack_json(content)).encode()
    content_type = body.get("content_type") or ("application/json" if not isinstance(content, str) else "text/plain")
    timestamp = str(int(time.time()) + int(body.get("timestamp_offset") or 0))
    if "timestamp" in body:
        timestamp = None if body["timestamp"] is None else str(body["timestamp"])
    headers = {"Content-Type": content_type, "User-Agent": SLACK_USER_AGENT}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    sig = signature(ws.signing_secret, timestamp or "", payload)
    if "signature" in body:
        sig = body["signature"]
    if sig is not None:
        headers["X-Slack-Signature"] = sig
    headers.update(body.get("headers") or {})
    return web.json_response(await _post(ws, body.get("url") or ws.events_url, payload, headers, kind="raw"))


async def add_fault(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    body = await _body(request, delivers=False)
    kind = body.get("kind", "ratelimited")
    if kind not in ("ratelimited", "error", "delay", "disconnect"):
        raise BackDoorError(400, "kind is one of ratelimited, error, delay, disconnect")
    ws.faults.append(
        Fault(
            kind=kind,
            count=int(body.get("count", 1)),
            method=body.get("method"),
            retry_after=int(body.get("retry_after", 1)),
            error=str(body.get("error", "fatal_error")),
            status=int(body.get("status", 200)),
            delay=float(body.get("delay", 0)),
        )
    )
    return web.json_response({"faults": len(ws.faults)})


async def clear_faults(request: web.Request) -> web.Response:
    request.app[WORKSPACE].faults.clear()
    return web.json_response({"faults": 0})


async def list_calls(request: web.Request) -> web.Response:
    method = request.query.get("method")
    calls = [c for c in request.app[WORKSPACE].calls if method in (None, c["method"])]
    return web.json_response({"calls": calls})


async def forget_calls(request: web.Request) -> web.Response:
    request.app[WORKSPACE].calls.clear()
    return web.json_response({"calls": []})


async def list_messages(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    channel = ws.backdoor_channel(request.query.get("channel"), request.query.get("user"))
    return web.json_response({"channel": channel["id"], "messages": ws.messages[channel["id"]]})


async def list_ephemeral(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    channel, user = request.query.get("channel"), request.query.get("user")
    found = ws.find_channel(channel, users_open_dms=True) if channel else None
    chosen = [
        e
        for e in ws.ephemeral
        if (not channel or (found and e["channel"] == found["id"])) and user in (None, e["user"])
    ]
    return web.json_response({"ephemeral": chosen})


async def list_views(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    user = request.query.get("user")
    views = [
        {**view, "user": ws.view_users[view_id], "open": view_id in ws.open_views}
        for view_id, view in ws.views.items()
        if user in (None, ws.view_users[view_id])
    ]
    return web.json_response({"views": views})


async def list_deliveries(request: web.Request) -> web.Response:
    return web.json_response({"deliveries": request.app[WORKSPACE].deliveries})


async def get_config(request: web.Request) -> web.Response:
    return web.json_response(request.app[WORKSPACE].config())


async def set_config(request: web.Request) -> web.Response:
    ws = request.app[WORKSPACE]
    body = await _body(request, delivers=False)
    for key in ("events_url", "interactivity_url", "trigger_ttl", "delivery_timeout", "echo_bot_messages"):
        if key in body:
            setattr(ws, key, body[key])
    return web.json_response(ws.config())


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@web.middleware
async def guard(request: web.Request, handler):
    ws = request.app[WORKSPACE]
    if ws.public_url is None:  # URLs in answers (files, uploads) point where the first client came from
        ws.public_url = f"{request.scheme}://{request.host}"
    try:
        return await handler(request)
    except BackDoorError as error:
        return web.json_response({"error": str(error)}, status=error.status)


def make_app(
    events_url: str | None = None,
    signing_secret: str = EMULATOR_SIGNING_SECRET,
    bot_token: str = EMULATOR_BOT_TOKEN,
    team_id: str = EMULATOR_TEAM_ID,
    bot_user_id: str = EMULATOR_BOT_USER_ID,
    *,
    interactivity_url: str | None = None,
    bot_id: str = EMULATOR_BOT_ID,
    app_id: str = EMULATOR_APP_ID,
    public_url: str | None = None,
    trigger_ttl: float | None = TRIGGER_TTL,
    delivery_timeout: float = DELIVERY_TIMEOUT,
    echo_bot_messages: bool = False,
) -> web.Application:
    ws = Workspace(
        team_id=team_id,
        bot_token=bot_token,
        signing_secret=signing_secret,
        bot_user_id=bot_user_id,
        bot_id=bot_id,
        app_id=app_id,
        events_url=events_url,
        interactivity_url=interactivity_url,
        public_url=public_url.rstrip("/") if public_url else None,
        trigger_ttl=trigger_ttl,
        delivery_timeout=delivery_timeout,
        echo_bot_messages=echo_bot_messages,
    )
    ws.add_user({"id": bot_user_id, "name": BOT_NAME, "real_name": BOT_REAL_NAME, "is_bot": True})
    app = web.Application(middlewares=[guard], client_max_size=100 * 1024**2)
    app[WORKSPACE] = ws
    app.router.add_get("/health", health)
    app.router.add_route("GET", "/api/{method}", web_api)
    app.router.add_route("POST", "/api/{method}", web_api)
    app.router.add_post("/upload/v1/{key}", receive_upload)
    app.router.add_get("/files-pri/{team_file}/download/{name}", private_file)
    app.router.add_get("/files-pri/{team_file}/{name}", private_file)
    app.router.add_post("/actions/{team}/{number}/{secret}", response_url)
    back = "/__emulator"
    app.router.add_post(f"{back}/users", create_user)
    app.router.add_get(f"{back}/users", list_users)
    app.router.add_post(f"{back}/channels", create_channel)
    app.router.add_get(f"{back}/channels", list_channels)
    app.router.add_post(f"{back}/files", create_file)
    app.router.add_post(f"{back}/deliver/message", say)
    app.router.add_post(f"{back}/deliver/bot_message", bot_says)
    app.router.add_post(f"{back}/deliver/edit", edit)
    app.router.add_post(f"{back}/deliver/delete", delete)
    app.router.add_post(f"{back}/deliver/retry", retry)
    app.router.add_post(f"{back}/deliver/url_verification", url_verification)
    app.router.add_post(f"{back}/deliver/block_action", block_action)
    app.router.add_post(f"{back}/deliver/view_submission", view_submission)
    app.router.add_post(f"{back}/deliver/raw", raw)
    app.router.add_post(f"{back}/faults", add_fault)
    app.router.add_delete(f"{back}/faults", clear_faults)
    app.router.add_get(f"{back}/calls", list_calls)
    app.router.add_delete(f"{back}/calls", forget_calls)
    app.router.add_get(f"{back}/messages", list_messages)
    app.router.add_get(f"{back}/ephemeral", list_ephemeral)
    app.router.add_get(f"{back}/views", list_views)
    app.router.add_get(f"{back}/deliveries", list_deliveries)
    app.router.add_get(f"{back}/config", get_config)
    app.router.add_post(f"{back}/config", set_config)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Slack emulator (Web API, Events API, interactivity)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=EMULATOR_PORT)
    parser.add_argument("--events-url", default=None, help="the app's Events API URL (also interactivity)")
    parser.add_argument("--interactivity-url", default=None, help="when it differs from --events-url")
    parser.add_argument("--signing-secret", default=EMULATOR_SIGNING_SECRET)
    parser.add_argument("--bot-token", default=EMULATOR_BOT_TOKEN)
    parser.add_argument("--team-id", default=EMULATOR_TEAM_ID)
    parser.add_argument("--bot-user-id", default=EMULATOR_BOT_USER_ID)
    parser.add_argument("--public-url", default=None, help="how clients reach the emulator (file and upload URLs)")
    parser.add_argument("--trigger-ttl", type=float, default=TRIGGER_TTL, help="seconds; 0 for no expiry")
    parser.add_argument("--delivery-timeout", type=float, default=DELIVERY_TIMEOUT)
    parser.add_argument("--echo-bot-messages", action="store_true", help="send the app its own messages too")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = make_app(
        args.events_url,
        args.signing_secret,
        args.bot_token,
        args.team_id,
        args.bot_user_id,
        interactivity_url=args.interactivity_url,
        public_url=args.public_url or f"http://{args.host}:{args.port}",
        trigger_ttl=args.trigger_ttl or None,
        delivery_timeout=args.delivery_timeout,
        echo_bot_messages=args.echo_bot_messages,
    )
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
