"""Rasa's events, as its event broker publishes them, read into analytics facts.

Each event is a dictionary (`Event.as_dict()` plus `sender_id`). A learner's message becomes a
Message; what the assistant did next (its first action after the message) decides the message's
outcome; slots and actions of the application form become Steps. Nothing here keeps the
conversation id, a name, an address, an ORCID, a reference or a link: conversations are known by a
keyed hash, and a question's text only masked, and only when it was not answered.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.answers import feedback
from bot.insights.masking import mask

# What became of a learner's message, by the first action that answered it.
ANSWERED = "answered"  # an FAQ answer (its topic is the intent)
UNSURE = "unsure"  # the closest answers, with "not sure"
DECLINED = "declined"  # "I can't answer that", with the contact
SEVERAL = "several"  # a message of several questions, each answered
OTHER = "other"  # greetings, the application form, status, privacy...
OUTCOMES = (ANSWERED, UNSURE, DECLINED, SEVERAL, OTHER)
# Outcomes whose question text staff need to see (masked): the assistant did not answer it.
UNANSWERED = (UNSURE, DECLINED)

# An application's steps seen in the conversation, in order. Submission, approval and Credly's claim
# come from the applications table (bot/insights/report.py), which knows them for certain.
STARTED, ELIGIBLE, EMAIL_PROVEN, DOCUMENT = "started", "eligible", "email proven", "document uploaded"
STEPS = (STARTED, ELIGIBLE, EMAIL_PROVEN, DOCUMENT)
STATUS_CHECK = "status check"
# Intents whose answer is an FAQ response (utter_<intent>): the topics of the report.
TOPIC_PREFIXES = ("faq_", "credly_")
TOPIC_INTENTS = ("badge_expiry", "application_documents", "own_data")
_ACTION_OUTCOMES = {
    "action_closest_answers": UNSURE,
    "action_cant_help": DECLINED,
    "action_answer_questions": SEVERAL,
}
_IGNORED_ACTIONS = {"action_listen", "action_session_start", "action_extract_slots"}
_STEP_SLOTS = {"eligible", "email_code", "requested_slot"}
_SLOTS = _STEP_SLOTS | {feedback.RECORD_SLOT}


@dataclass(frozen=True)
class Message:
    key: str
    conversation: str
    channel: str
    at: datetime
    intent: str | None
    confidence: float | None
    question: str  # masked


@dataclass(frozen=True)
class Reply:
    """The first action after a learner's message: it decides the message's outcome."""

    conversation: str
    outcome: str
    topic: str | None


@dataclass(frozen=True)
class Step:
    key: str
    conversation: str
    step: str
    at: datetime


@dataclass(frozen=True)
class Feedback:
    """A 👍 / 👎 on one answer (bot/answers/feedback.py): known by the answer, so a second vote on it
    replaces the first."""

    key: str
    conversation: str
    topic: str
    helpful: bool
    at: datetime  # when the vote was given
    question: str | None  # masked; only with a 👎
    ask_note: bool  # "what was missing?" was asked: the learner's next message says


Fact = Message | Reply | Step | Feedback


def conversation_key(sender_id: str, secret: bytes) -> str:
    """The conversation as the analytics know it: a keyed hash, which without the key can't be matched to an id."""
    return hmac.new(secret, b"insights:" + sender_id.encode(), hashlib.sha256).hexdigest()[:32]


def event_key(event: dict[str, Any], secret: bytes) -> str:
    """One event's identity, the same on every delivery of it (brokers deliver at least once)."""
    parts = (event.get("sender_id"), event.get("event"), repr(event.get("timestamp")), event.get("name"))
    parts += (event.get("text"), repr(event.get("value")))
    material = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(secret, b"event:" + material, hashlib.sha256).hexdigest()[:32]


def is_topic(intent: str | None) -> bool:
    return bool(intent) and (intent.startswith(TOPIC_PREFIXES) or intent in TOPIC_INTENTS)


def is_needed(kind: str | None, name: str | None) -> bool:
    """Whether `read` uses an event of this kind and name (an action's, a loop's or a slot's name): the
    test `needed` makes first, cheap enough for the Rasa server to make before it turns an event into a
    dictionary at all."""
    if kind == "user":
        return True
    if kind == "action":
        return name not in _IGNORED_ACTIONS
    if kind == "active_loop":
        return name == "apply_form"
    return kind == "slot" and name in _SLOTS


def needed(event: dict[str, Any]) -> dict[str, Any] | None:
    """The part of an event that `read` uses, or None if it uses none of it. The broker spools only this:
    a third of the events, without the bot's replies or any slot but four (the form's three and the
    👍 / 👎), so less is written on the server's machine and less of what learners wrote sits on disk."""
    kind = event.get("event")
    if not is_needed(kind, event.get("name")):
        return None
    base = {"sender_id": event.get("sender_id"), "event": kind, "timestamp": event.get("timestamp")}
    if kind == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        parse = {"intent": {"name": intent.get("name"), "confidence": intent.get("confidence")}}
        return base | {"text": event.get("text"), "input_channel": event.get("input_channel"), "parse_data": parse}
    if kind == "slot":
        return base | {"name": event.get("name"), "value": event.get("value")}
    return base | {"name": event.get("name")}  # an action, or the application form's loop


def read(event: dict[str, Any], secret: bytes) -> list[Fact]:
    """The analytics facts in one event (most events hold none)."""
    sender = event.get("sender_id")
    if not sender:
        return []
    conversation, kind = conversation_key(str(sender), secret), event.get("event")
    at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
    if kind == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        channel = str(event.get("input_channel") or "unknown")[:20]
        return [
            Message(
                event_key(event, secret),
                conversation,
                channel,
                at,
                intent.get("name"),
                intent.get("confidence"),
                mask(str(event.get("text") or "")),
            )
        ]
    if kind == "action":
        return _action(str(event.get("name") or ""), event, conversation, at, secret)
    if kind == "active_loop" and event.get("name") == "apply_form":
        return [Step(event_key(event, secret), conversation, STARTED, at)]
    if kind == "slot" and event.get("name") == feedback.RECORD_SLOT:
        return _feedback(event.get("value"), conversation, at, secret)
    if kind == "slot":
        step = _slot_step(str(event.get("name")), event.get("value"))
        return [Step(event_key(event, secret), conversation, step, at)] if step else []
    return []


def _action(name: str, event: dict[str, Any], conversation: str, at: datetime, secret: bytes) -> list[Fact]:
    if name in _IGNORED_ACTIONS or not name:
        return []
    facts: list[Fact] = []
    if name in _ACTION_OUTCOMES:
        facts.append(Reply(conversation, _ACTION_OUTCOMES[name], None))
    elif name.startswith("utter_") and is_topic(name.removeprefix("utter_")):
        facts.append(Reply(conversation, ANSWERED, name.removeprefix("utter_")))
    else:
        facts.append(Reply(conversation, OTHER, None))
    if name == "action_check_status":
        facts.append(Step(event_key(event, secret), conversation, STATUS_CHECK, at))
    return facts


def _feedback(value: Any, conversation: str, at: datetime, secret: bytes) -> list[Fact]:
    if not isinstance(value, dict) or not value.get("topic") or not isinstance(value.get("helpful"), bool):
        return []  # the slot reset, or not the action's record
    answer = f"{conversation}\x1f{value.get('answer_at')!r}\x1f{value['topic']}".encode()
    key = hmac.new(secret, b"answer:" + answer, hashlib.sha256).hexdigest()[:32]
    question = mask(str(value["question"])) if value.get("question") and not value["helpful"] else None
    topic, ask_note = str(value["topic"])[:80], bool(value.get("ask_note"))
    return [Feedback(key, conversation, topic, value["helpful"], at, question, ask_note)]


def _slot_step(name: str, value: Any) -> str | None:
    """Only what the form's validation sets counts: `eligible` (set by validation alone); `email_code` set
    to the address it proved (a typed code is first set as typed, then checked); the form moving on to
    its last question, the summary, once the document was accepted."""
    if name == "eligible" and value is True:
        return ELIGIBLE
    if name == "email_code" and isinstance(value, str) and "@" in value:
        return EMAIL_PROVEN
    if name == "requested_slot" and value == "confirmed":
        return DOCUMENT
    return None
