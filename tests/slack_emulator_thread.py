"""Runs the Slack emulator on a free port in a background thread, and drives it as Slack's people would."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from aiohttp import web

from emulators.slack import (
    DELIVERY_TIMEOUT,
    EMULATOR_APP_ID,
    EMULATOR_BOT_ID,
    EMULATOR_BOT_TOKEN,
    EMULATOR_BOT_USER_ID,
    EMULATOR_SIGNING_SECRET,
    EMULATOR_TEAM_ID,
    TRIGGER_TTL,
    WORKSPACE,
    Workspace,
    make_app,
)
from tests.emulator_thread import serve_in_thread


class RunningSlackEmulator:
    """The emulator's back doors as Python calls; each returns the emulator's JSON answer."""

    def __init__(self, root: str, app: web.Application) -> None:
        self.root = root
        self.api_url = f"{root}/api/"  # SLACK_API_URL for the project's WebClient
        self.app = app
        self.token = EMULATOR_BOT_TOKEN
        self.signing_secret = EMULATOR_SIGNING_SECRET
        self.team_id = EMULATOR_TEAM_ID
        self.bot_user_id = EMULATOR_BOT_USER_ID
        self.bot_id = EMULATOR_BOT_ID
        self.app_id = EMULATOR_APP_ID

    @property
    def workspace(self) -> Workspace:
        return self.app[WORKSPACE]

    def _post(self, path: str, body: dict | None = None) -> dict:
        response = requests.post(f"{self.root}/__emulator/{path}", json=body or {}, timeout=15)
        if response.status_code >= 400:
            raise AssertionError(f"emulator refused {path}: {response.status_code} {response.text}")
        return response.json()

    def _get(self, path: str, **query: str | None) -> dict:
        params = {key: value for key, value in query.items() if value is not None}
        response = requests.get(f"{self.root}/__emulator/{path}", params=params, timeout=5)
        response.raise_for_status()
        return response.json()

    # configuration and people

    def configure(self, **settings: Any) -> dict:
        """events_url, interactivity_url, trigger_ttl (None: no expiry), delivery_timeout, echo_bot_messages."""
        return self._post("config", settings)

    def create_user(
        self, name: str, real_name: str | None = None, email: str | None = None, id: str | None = None, **extra: Any
    ) -> dict:
        return self._post("users", {"name": name, "real_name": real_name, "email": email, "id": id, **extra})

    def create_channel(
        self, name: str, is_private: bool = False, id: str | None = None, is_member: bool = True
    ) -> dict:
        return self._post("channels", {"name": name, "is_private": is_private, "id": id, "is_member": is_member})

    def create_file(self, user: str, name: str, content: bytes, mimetype: str | None = None) -> dict:
        encoded = base64.b64encode(content).decode()
        return self._post("files", {"user": user, "name": name, "mimetype": mimetype, "content_base64": encoded})

    # what people do in Slack

    def say(
        self,
        user: str,
        text: str,
        channel: str | None = None,
        thread_ts: str | None = None,
        files: list[str] | None = None,
    ) -> dict:
        """`{channel, message, deliveries: [{event_id, kind, status, elapsed, body, error}]}`."""
        body = {"user": user, "text": text, "channel": channel, "thread_ts": thread_ts, "files": files}
        return self._post("deliver/message", body)

    def bot_says(self, text: str = "", channel: str | None = None, own: bool = False, **extra: Any) -> dict:
        return self._post("deliver/bot_message", {"text": text, "channel": channel, "own": own, **extra})

    def edit(self, channel: str, ts: str, text: str) -> dict:
        return self._post("deliver/edit", {"channel": channel, "ts": ts, "text": text})

    def delete(self, channel: str, ts: str) -> dict:
        return self._post("deliver/delete", {"channel": channel, "ts": ts})

    def retry(self, event_id: str, reason: str = "http_timeout") -> dict:
        return self._post("deliver/retry", {"event_id": event_id, "reason": reason})

    def url_verification(self) -> dict:
        return self._post("deliver/url_verification")

    def click(
        self,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
    ) -> dict:
        body = {
            "user": user,
            "channel": channel,
            "message_ts": message_ts,
            "action_id": action_id,
            "value": value,
            "block_id": block_id,
        }
        return self._post("deliver/block_action", body)

    def submit_view(self, user: str, view_id: str, values: dict) -> dict:
        """values: `{block_id: {action_id: "text" or {"type": ..., "value": ...}}}`."""
        return self._post("deliver/view_submission", {"user": user, "view_id": view_id, "values": values})

    def raw(self, body: Any, **overrides: Any) -> dict:
        """timestamp / signature (None leaves the header out), timestamp_offset, content_type, headers, url."""
        return self._post("deliver/raw", {"body": body, **overrides})

    # what happened

    def calls(self, method: str | None = None) -> list[dict]:
        return self._get("calls", method=method)["calls"]

    def clear_calls(self) -> None:
        requests.delete(f"{self.root}/__emulator/calls", timeout=5).raise_for_status()

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict]:
        """The project answers after acknowledging an event: wait for its Web API calls."""
        deadline = time.monotonic() + timeout
        while True:
            calls = [c for c in self.calls(method) if c.get("ok")]
            if len(calls) >= count or time.monotonic() > deadline:
                return calls
            time.sleep(0.05)

    def messages(self, channel: str) -> list[dict]:
        """A conversation's messages by id, name, or user id (their DM with the bot)."""
        return self._get("messages", channel=channel)["messages"]

    def ephemeral(self, channel: str | None = None, user: str | None = None) -> list[dict]:
        return self._get("ephemeral", channel=channel, user=user)["ephemeral"]

    def views(self, user: str | None = None) -> list[dict]:
        return self._get("views", user=user)["views"]

    def deliveries(self) -> list[dict]:
        return self._get("deliveries")["deliveries"]

    def fail(self, kind: str = "ratelimited", method: str | None = None, count: int = 1, **extra: Any) -> None:
        """The next `count` calls of `method` (any method when None) are rate limited (retry_after=s),
        fail (error=..., status=...), are slow (delay=s) or lose their connection ("disconnect")."""
        self._post("faults", {"kind": kind, "method": method, "count": count, **extra})


@contextmanager
def slack_emulator(
    events_url: str | None = None,
    trigger_ttl: float | None = TRIGGER_TTL,
    delivery_timeout: float = DELIVERY_TIMEOUT,
    echo_bot_messages: bool = False,
) -> Iterator[RunningSlackEmulator]:
    app = make_app(
        events_url, trigger_ttl=trigger_ttl, delivery_timeout=delivery_timeout, echo_bot_messages=echo_bot_messages
    )
    with serve_in_thread(app) as root:
        app[WORKSPACE].public_url = root
        yield RunningSlackEmulator(root, app)
