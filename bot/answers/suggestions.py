"""Which topics to offer when the assistant is unsure what the learner meant."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

# A candidate below this confidence is noise, not a plausible reading.
MIN_CONFIDENCE = 0.08
MAX_SUGGESTIONS = 3


def pick_suggestions(
    intent_ranking: Iterable[Mapping],
    answerable: Collection[str],
    min_confidence: float = MIN_CONFIDENCE,
    limit: int = MAX_SUGGESTIONS,
) -> list[str]:
    """The best answerable intents of an NLU ranking, best first.

    Intents the assistant cannot answer with a topic (out_of_scope, greet,
    nlu_fallback, ...) are never offered.
    """
    ranked = sorted(intent_ranking, key=lambda item: item.get("confidence") or 0.0, reverse=True)
    picked: list[str] = []
    for item in ranked:
        name = item.get("name")
        if name in answerable and (item.get("confidence") or 0.0) >= min_confidence and name not in picked:
            picked.append(name)
        if len(picked) == limit:
            break
    return picked
