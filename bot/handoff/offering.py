"""When the assistant offers a person without being asked: after two answers in a row that did not help
(the assistant declined, was unsure, or the learner gave the answer a 👎). Counted from the
conversation's own events (Rasa's event dictionaries), so nothing extra is stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

UNHELPFUL_ACTIONS = {"action_cant_help", "action_closest_answers"}
OFFER_AFTER = 2
_IGNORED = {"action_listen", "action_session_start", "action_extract_slots"}


def _entities(event: Mapping[str, Any]) -> dict[str, Any]:
    return {e.get("entity"): e.get("value") for e in (event.get("parse_data") or {}).get("entities") or []}


def _vote(user: Mapping[str, Any]) -> bool | None:
    """A 👍 (True) or 👎 (False) on the answer before, or None for any other message."""
    intent = ((user.get("parse_data") or {}).get("intent") or {}).get("name")
    if intent != "feedback":
        return None
    return str(_entities(user).get("helpful", "no")).lower() == "yes"


def unhelpful_in_a_row(events: Sequence[Mapping[str, Any]], this_turn_unhelpful: bool) -> int:
    """How many of the latest answers in a row did not help, this turn's included: an answer the assistant
    declined or was unsure of, or one the learner gave a 👎 (a vote is about the answer before it, not
    an answer of its own)."""
    turns: list[tuple[Mapping[str, Any], str | None]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append((event, None))
        elif event.get("event") == "action" and turns and turns[-1][1] is None and event.get("name") not in _IGNORED:
            turns[-1] = (turns[-1][0], event.get("name"))
    answers: list[bool] = []  # did not help, answer by answer
    for index, (user, first_action) in enumerate(turns):
        vote = _vote(user)
        now = index == len(turns) - 1
        if vote is not None:
            if answers:
                answers[-1] = not vote
        else:
            answers.append(this_turn_unhelpful if now else first_action in UNHELPFUL_ACTIONS)
    count = 0
    for unhelpful in reversed(answers):
        if not unhelpful:
            break
        count += 1
    return count


def offer_now(events: Sequence[Mapping[str, Any]], this_turn_unhelpful: bool) -> bool:
    """Exactly at the second unhelpful turn in a row: offered once, not again at every one after."""
    return unhelpful_in_a_row(events, this_turn_unhelpful) == OFFER_AFTER
