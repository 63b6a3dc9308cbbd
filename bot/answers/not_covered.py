"""Questions next to the FAQ that carry one of its words but ask what it does not cover: credit for a
badge (continuing education, CME, academic credit), ACTS membership, or what a training costs.

"does this badge give me CME hours" reads like the benefits of a badge to a classifier, and "how much
is the fundamentals course" like the fees; the FAQ answers neither, so answering with its fact would
mislead. Such a question gets the honest decline with the contact instead, unless the answer the
classifier chose itself speaks of the concept asked about (then it does answer it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answers.faq import Faq


@dataclass(frozen=True)
class Concept:
    name: str
    asked_in: Callable[[str], object]  # truthy when a message asks about it
    answered: re.Pattern[str]  # the words by which an FAQ answer would speak of it


_CREDIT = re.compile(
    r"\b(?:cmes?|ces?|ceus?|cnes?|cpd|continuing (?:medical |nursing |professional )?education|"
    r"(?:academic|course|college|university|degree|transfer|graduate) credits?|credit[- ]bearing|"
    r"credit hours?|contact hours?|for credit|credits?(?! cards?))\b",
    re.I,
)
_MEMBERSHIP = re.compile(
    r"\b(?:membership|dues|acts members?|(?:be|become|being) an? (?:acts )?member|members? of acts|"
    r"members? (?:rate|price|discount|fee)s?)\b",
    re.I,
)
_COST = re.compile(r"\b(?:cost|costs|price|priced|how much|fee|fees|pay|paid|free|tuition|charge|expensive)\b", re.I)
_TRAINING = re.compile(r"\b(?:training|course|workshop|program|programme|class|module)s?\b", re.I)
# The badge's own cost is the FAQ's ("is the badge free?"): a training's cost is asked without naming it.
_BADGE = re.compile(r"\b(?:badges?|credly|credentials?)\b", re.I)


def _asks_what_a_training_costs(text: str) -> bool:
    return bool(_COST.search(text) and _TRAINING.search(text) and not _BADGE.search(text))


CONCEPTS = (
    Concept("credit for a badge", _CREDIT.search, _CREDIT),
    Concept("ACTS membership", _MEMBERSHIP.search, re.compile(r"\bmember", re.I)),
    Concept(
        "what a training costs",
        _asks_what_a_training_costs,
        re.compile(r"\b(?:training|course)s? (?:costs?|fees?)\b", re.I),
    ),
)


def concept_asked(text: str) -> Concept | None:
    """The concept outside the FAQ that `text` asks about, if any."""
    return next((concept for concept in CONCEPTS if concept.asked_in(text)), None)


def not_covered(text: str, intent: str | None, faq: Faq) -> Concept | None:
    """The concept `text` asks about that the FAQ answer for `intent` does not cover; None when that
    answer does, or when `intent` is no FAQ answer (a conversation, a status check, a person asked for)."""
    topic = faq.topic(intent)
    if topic is None:
        return None
    concept = concept_asked(text)
    if concept is None or concept.answered.search(topic.answer):
        return None
    return concept
