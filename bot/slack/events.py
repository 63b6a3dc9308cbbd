"""Which Slack events are a learner's message, each handled exactly once.

Slack sends a mention in a channel twice (an `app_mention` and a `message` event with the same
channel and ts), re-delivers an event it thinks we missed (`X-Slack-Retry-Num`), and sends bots'
messages, edits and deletions as `message` events too. Only a person's new message counts, once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.recent import Recent, recent

# A person's new message, or one that shares a file; everything else (edits, deletions, bots,
# joins, topic changes...) has another subtype.
_LEARNER_SUBTYPES = {None, "file_share", "thread_broadcast"}
_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|ftp)://[^|>]+)(?:\|([^>]*))?>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class StaffReply:
    """A message in a thread of the support channel: a staff member answering a request (bot/handoff)."""

    user: str
    channel: str
    thread_ts: str
    text: str


@dataclass(frozen=True)
class LearnerMessage:
    user: str
    channel: str
    text: str
    thread_ts: str | None  # where to answer: the thread in a channel, None in a direct message
    conversation_id: str
    file_ids: tuple[str, ...] = ()


def plain_text(text: str, bot_user_id: str | None) -> str:
    """What the person typed, without Slack's markup: the bot's mention removed, `<mailto:a@b|a@b>`
    back to `a@b`, links back to their address, other mentions to @user, entities decoded."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _MAILTO.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _USER.sub(lambda m: "@" + m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def conversation_of(user: str, channel: str | None = None, root: str | None = None) -> str:
    """The conversation a learner's message belongs to: their DM (no channel), or in a channel one
    conversation per person and thread, so two people in one thread are never one conversation."""
    return f"slack:{channel}:{root}:{user}" if channel and root else f"slack:{user}"


def thread_of(conversation_id: str) -> tuple[str, str] | None:
    """The channel and thread of a conversation held in a channel's thread; None for a DM (or not Slack)."""
    parts = conversation_id.split(":")
    return (parts[1], parts[2]) if len(parts) == 4 and parts[0] == "slack" else None


class EventFilter:
    """Turns verified Events API bodies into learner messages: each message once, only people's."""

    def __init__(
        self,
        bot_user_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        handled: Recent | None = None,
        threads: Recent | None = None,
        support_channel: str | None = None,
    ) -> None:
        self.bot_user_id = bot_user_id
        # The staff's channel: its messages are never a learner's; replies in its threads answer requests.
        self.support_channel = support_channel
        # Shared by every server when a Redis is configured (bot/recent.py): Slack may send its retry
        # of an event, or a reply in a thread, to another server than the first.
        if handled is None:
            handled = recent("acts:slack:handled", ttl=3600, capacity=50_000, clock=clock)
        self._handled = handled
        # Threads the assistant talks in: a reply there needs no new mention (for a day).
        if threads is None:
            threads = recent("acts:slack:threads", ttl=86_400, capacity=50_000, clock=clock)
        self._threads = threads

    def remember_thread(self, channel: str, thread_ts: str) -> None:
        self._threads.add((channel, thread_ts))

    def _person_says(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The event, if it is a person's new message (not a bot's, an edit, a deletion...)."""
        event = body.get("event") if body.get("type") == "event_callback" else None
        if not isinstance(event, dict) or event.get("type") not in ("message", "app_mention"):
            return None
        user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
        if event.get("subtype") not in _LEARNER_SUBTYPES or event.get("bot_id") or not (user and channel and ts):
            return None
        return None if user == self.bot_user_id else event

    def staff_reply(self, body: dict[str, Any]) -> StaffReply | None:
        """A reply in a thread of the support channel, once (Slack's retries and mention pairs dropped)."""
        event = self._person_says(body)
        if event is None or not self.support_channel or event["channel"] != self.support_channel:
            return None
        root = event.get("thread_ts")
        if not root or root == event["ts"] or not self._handled.add((event["channel"], event["ts"])):
            return None
        text = plain_text(str(event.get("text") or ""), self.bot_user_id)
        return StaffReply(event["user"], event["channel"], root, text) if text else None

    def interpret(self, body: dict[str, Any]) -> LearnerMessage | None:
        event = self._person_says(body)
        if event is None or (self.support_channel and event["channel"] == self.support_channel):
            return None
        user, channel, ts = event["user"], event["channel"], event["ts"]
        direct = event.get("channel_type") == "im" or str(channel).startswith("D")
        text = str(event.get("text") or "")
        root = event.get("thread_ts") or ts
        if not direct and not self._addressed(event["type"], text, channel, root):
            return None
        if not self._handled.add((channel, ts)):  # the other half of a mention pair, or a retry
            return None
        files = tuple(f["id"] for f in event.get("files") or [] if isinstance(f, dict) and f.get("id"))
        if direct:
            return LearnerMessage(user, channel, plain_text(text, self.bot_user_id), None, conversation_of(user), files)
        self.remember_thread(channel, root)
        conversation = conversation_of(user, channel, root)
        return LearnerMessage(user, channel, plain_text(text, self.bot_user_id), root, conversation, files)

    def _addressed(self, kind: str, text: str, channel: str, root: str) -> bool:
        """In a channel the assistant answers a mention, or a reply in a thread it is part of."""
        mentioned = kind == "app_mention" or (self.bot_user_id and f"<@{self.bot_user_id}" in text)
        return bool(mentioned) or (channel, root) in self._threads
