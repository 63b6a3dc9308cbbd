"""Which topics to answer, and which to offer, when the assistant is unsure what the learner meant."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

# A candidate below this confidence is noise, not a plausible reading.
MIN_CONFIDENCE = 0.08
MAX_SUGGESTIONS = 3
# A second reading is answered too when it is at least this likely relative to the first: a real
# contender. Two short answers cost the learner less than a click, and one of them is usually it.
CONTENDER = 0.5
FALLBACK, THANKS = "nlu_fallback", "thanks"


@dataclass(frozen=True)
class Closest:
    """The readings of an unsure message: those answered at once, and those only offered as buttons."""

    answered: tuple[str, ...]
    offered: tuple[str, ...]


def closest_answers(
    intent_ranking: Iterable[Mapping],
    answerable: Collection[str],
    min_confidence: float = MIN_CONFIDENCE,
    contender: float = CONTENDER,
) -> Closest:
    """The likeliest reading is answered; the second too when it is a real contender; the rest are offered."""
    ranked = _ranked(intent_ranking, answerable, min_confidence)[:MAX_SUGGESTIONS]
    if not ranked:
        return Closest((), ())
    best = ranked[0][1]
    answered = [ranked[0][0]] + [name for name, conf in ranked[1:2] if conf >= contender * best]
    return Closest(tuple(answered), tuple(name for name, _ in ranked[len(answered) :]))


def only_thanks(intent_ranking: Iterable[Mapping]) -> bool:
    """Whether the likeliest reading of an unsure message is a thank-you ("yes that's it, thanks"):
    a message to acknowledge, not a question to decline."""
    readings = [item for item in intent_ranking if item.get("name") != FALLBACK]
    best = max(readings, key=lambda item: item.get("confidence") or 0.0, default=None)
    return best is not None and best.get("name") == THANKS


def _ranked(intent_ranking: Iterable[Mapping], answerable: Collection[str], min_confidence: float):
    """The answerable intents of an NLU ranking with their confidence, best first. Intents the assistant
    cannot answer with a topic (out_of_scope, greet, nlu_fallback, ...) are never answered or offered."""
    ranked = sorted(intent_ranking, key=lambda item: item.get("confidence") or 0.0, reverse=True)
    picked: dict[str, float] = {}
    for item in ranked:
        name, confidence = item.get("name"), item.get("confidence") or 0.0
        if name in answerable and confidence >= min_confidence and name not in picked:
            picked[name] = confidence
    return list(picked.items())
