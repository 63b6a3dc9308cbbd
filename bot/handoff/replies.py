"""What the assistant says around a handoff. It never speaks for the staff: their answers reach the
learner as theirs (bot/notices/handoff_delivery.py), and the assistant only says where things stand."""

from __future__ import annotations

import re
from datetime import datetime

from bot.answers.faq import Faq
from bot.handoff.desk import Request
from bot.handoff.hours import SupportHours

BACK = "Back to the assistant"
CONSENT_BUTTONS = ({"title": "Yes, pass it on", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"})
# What a learner says to leave the handoff and talk to the assistant again.
_BACK = re.compile(
    r"\b(back to (the )?(assistant|bot|chat ?bot)|talk to (the )?(assistant|bot) again|cancel (my |the |this )?request|"
    r"close (my |the |this )?request|i no longer need (a person|help|it))\b",
    re.I,
)


def wants_the_assistant(text: str) -> bool:
    return bool(_BACK.search(text or ""))


def offer(faq: Faq, hours: SupportHours) -> str:
    return (
        f"I can pass your question to {hours.team}, with what we've said so far, and they'll answer you here"
        f" (and by email if you've left the page). {faq.message('contact')} Shall I pass it on?"
    )


def opened(request: Request, hours: SupportHours, now: datetime) -> str:
    return (
        f"Done: your request is {request.reference}. {hours.expectation(now)} Until then, anything you write here "
        f'goes to them, not to me. Say "{BACK.lower()}" any time to talk to me again.'
    )


def already_open(request: Request) -> str:
    return (
        f"Your request {request.reference} is already with the team: anything you write here goes to them. "
        f'Say "{BACK.lower()}" to talk to me again.'
    )


# A status or decision the learner says is wrong ("deny" right after a status: data/rules/handoff.yml).
DISPUTES = {"dispute_status", "deny"}
DISPUTED = (
    "I can only tell you what ACTS's records and Credly show, and I can't change a decision. If they look wrong "
    "to you, a person on the ACTS team can look into it."
)
PASSED_ON = "Passed on to the team ({reference})."
LEFT = "OK: your request {reference} is closed, and you're back with me. Ask me anything about ACTS badges."
CLOSED_BY_STAFF = "Your request {reference} was closed by the team, so you're back with me."
STORE_DOWN = (
    "I can't reach our database right now, so I can't pass your question on. Please try again in a few "
    "minutes, or {contact}"
)
NOT_PROVEN = "I couldn't confirm that address, so I haven't passed anything on. Ask me again to get a new code."
