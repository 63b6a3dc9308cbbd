"""A learner's feedback on an answer: 👍 or 👎 under an FAQ answer, or "that didn't help" typed.

Every FAQ answer carries its topic (the response's custom payload, bot/answers/responses.py); the
widget and Slack show two buttons under it, whose payload is the `feedback` intent with the topic and
the verdict. Typed, the same intent has neither: a typed 👍 is a thank-you (the `thanks` intent), so a
typed `feedback` is always the 👎 kind, about the latest answer.

The vote is about an answer the conversation really got: the latest answer of that topic, found in
the conversation's own events, and known by its time. So a forged click counts for nothing, one
answer is counted once, and a second click on it (changing one's mind) replaces the first. What is
kept (bot/insights) is the topic, the verdict, and for a 👎 the question that drew the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.answers.faq import Faq
from bot.answers.responses import response_name

INTENT = "feedback"
TOPIC_ENTITY = "answer_topic"
HELPFUL_ENTITY = "helpful"
# The conversation's slots: the vote as the analytics read it, and whether "what was missing?" was asked.
RECORD_SLOT = "answer_feedback"
ASKED_SLOT = "feedback_asked"


def payload(topic: str, helpful: bool) -> str:
    """What a 👍 or 👎 button sends: the intent with its entities, as Rasa reads a "/intent{...}" message."""
    entities = {TOPIC_ENTITY: topic, HELPFUL_ENTITY: "yes" if helpful else "no"}
    return f"/{INTENT}{json.dumps(entities, separators=(',', ':'))}"


@dataclass(frozen=True)
class Vote:
    topic: str | None  # None: typed, about the latest answer
    helpful: bool


def vote_from(entities: Iterable[Mapping[str, Any]]) -> Vote:
    """The vote in a `feedback` message's entities (none when typed: a 👎 on the latest answer)."""
    found = {entity.get("entity"): entity.get("value") for entity in entities}
    topic = found.get(TOPIC_ENTITY)
    return Vote(str(topic) if topic else None, str(found.get(HELPFUL_ENTITY, "no")).lower() == "yes")


def is_button(entities: Iterable[Mapping[str, Any]]) -> bool:
    return any(entity.get("entity") == TOPIC_ENTITY for entity in entities)


@dataclass(frozen=True)
class Answered:
    """The answer a vote is about: its topic, when it was given, and the learner's words that drew it."""

    topic: str
    at: float
    question: str | None  # None when a button, not the learner's words, asked


def _is_feedback(event: Mapping[str, Any]) -> bool:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name") == INTENT


def answer_voted_on(events: Sequence[Mapping[str, Any]], faq: Faq, topic: str | None) -> Answered | None:
    """The latest answer of `topic` (of any FAQ topic when None) the conversation got, or None."""
    wanted = {response_name(topic)} if topic else {response_name(intent) for intent in faq.topics}
    if topic is not None and faq.topic(topic) is None:
        return None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        action = (event.get("metadata") or {}).get("utter_action")
        if event.get("event") == "bot" and action in wanted:
            asked = next(
                (e for e in reversed(events[:index]) if e.get("event") == "user" and not _is_feedback(e)), None
            )
            text = str((asked or {}).get("text") or "").strip()
            question = None if not text or text.startswith("/") else text
            return Answered(action.removeprefix("utter_"), float(event.get("timestamp") or 0.0), question)
    return None


def record(answered: Answered, vote: Vote, ask_note: bool) -> dict[str, Any]:
    """The vote as the conversation keeps it (a slot) and the analytics read it (bot/insights/reading.py).
    The question only with a 👎: staff need it to improve the answer, and only then."""
    return {
        "topic": answered.topic,
        "answer_at": answered.at,
        "helpful": vote.helpful,
        "question": None if vote.helpful else answered.question,
        "ask_note": ask_note,
    }


def reply(faq: Faq, vote: Vote, ask_what_was_missing: bool) -> str:
    """What the assistant says to a vote: thanks; to a 👎, the contact, and the first time (outside a
    form) the question what was missing, which the learner may answer or not."""
    if vote.helpful:
        return faq.message("feedback_thanks")
    return faq.message("feedback_what_was_missing" if ask_what_was_missing else "feedback_noted")
