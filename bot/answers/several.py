"""A message that asks several things: what to say for each part, in the order asked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.answers.faq import Faq
from bot.answers.responses import response_name

OUT_OF_SCOPE = "out_of_scope"
MAX_ANSWERS = 3  # past that, a wall of text; the learner is invited to ask the rest


@dataclass(frozen=True)
class Said:
    """One thing to say: an FAQ answer by its Rasa response, or a sentence."""

    response: str | None = None
    text: str | None = None


def answers_for(parts: Iterable[tuple[str, str]], faq: Faq) -> list[Said]:
    """`parts`: (what the part was read as: an intent, out_of_scope or anything else for "not understood",
    the part's words). Each understood question gets its answer; each other part is named, so the
    learner knows which of their questions is still open and what to do about it."""
    said: list[Said] = []
    answered = 0
    for intent, words in parts:
        quoted = f'"{words.strip()}"'
        asked = "You also asked" if said else "You asked"
        if faq.topic(intent) is not None and answered < MAX_ANSWERS:
            said.append(Said(response=response_name(intent)))
            answered += 1
        elif faq.topic(intent) is not None:
            said.append(Said(text=f"{asked} {quoted}: please ask me that one on its own."))
        elif intent == OUT_OF_SCOPE:
            outside = f"the ACTS badge FAQ doesn't cover that, so please reach {faq.contact()}."
            said.append(Said(text=f"{asked} {quoted}: {outside}"))
        else:
            unclear = "I'm not sure I understood that part. Could you ask it in other words?"
            said.append(Said(text=f"{asked} {quoted}: {unclear}"))
    return said
