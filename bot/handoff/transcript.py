"""What is handed over with a request: the learner's question in their own words, what the assistant
answered, and the recent turns, read from the conversation's events (Rasa's event dictionaries)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RECENT_TURNS = 12
# Messages that ask nothing: the request itself, yes/no, courtesies, votes. The question is the one before.
_NOT_A_QUESTION = {
    "human_handoff",
    "affirm",
    "deny",
    "greet",
    "thanks",
    "goodbye",
    "feedback",
    "stop",
}


@dataclass(frozen=True)
class Turn:
    sender: str  # "learner" or "assistant"
    text: str


def _intent(event: Mapping[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def _said(event: Mapping[str, Any]) -> str:
    text = str(event.get("text") or "").strip()
    return "(chose a button)" if text.startswith("/") else text


def recent_turns(events: Sequence[Mapping[str, Any]], limit: int = RECENT_TURNS) -> list[Turn]:
    """The turns up to the learner's request for a person: not what came after (their address, the code
    that proved it), which the staff don't need and must not read."""
    asked = [i for i, event in enumerate(events) if event.get("event") == "user" and _intent(event) == "human_handoff"]
    before = events[: asked[-1] + 1] if asked else events
    turns = [
        Turn("learner" if event["event"] == "user" else "assistant", _said(event))
        for event in before
        if event.get("event") in ("user", "bot") and str(event.get("text") or "").strip()
    ]
    return turns[-limit:]


def the_question(events: Sequence[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """(the learner's latest question in their words, the assistant's first answer to it), or Nones."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        text = str(event.get("text") or "").strip()
        if event.get("event") != "user" or not text or text.startswith("/") or _intent(event) in _NOT_A_QUESTION:
            continue
        answer = next((str(e["text"]) for e in events[index + 1 :] if e.get("event") == "bot" and e.get("text")), None)
        return text, answer
    return None, None
