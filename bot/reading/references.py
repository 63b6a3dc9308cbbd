"""Application references like "ACTS-7KQ2-M9XD": unguessable to make, forgiving to read back."""

from __future__ import annotations

import re
import secrets

from bot.reading.text import ascii_digits

PREFIX = "ACTS"
# Crockford base32: no I, L, O or U, so a reference read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP_LENGTH = 4

# Crockford's reading rules: letters a person may type for a digit they saw.
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Every letter but U: the alphabet plus the confusables above.
_SYMBOL = "[0-9A-TV-Z]"
_REFERENCE = re.compile(rf"\b{PREFIX}[\s-]*({_SYMBOL}{{{GROUP_LENGTH}}})[\s-]*({_SYMBOL}{{{GROUP_LENGTH}}})\b")


def new_reference() -> str:
    """A fresh reference: the prefix and 8 random symbols (40 bits) in two groups of four."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(2 * GROUP_LENGTH))
    return f"{PREFIX}-{symbols[:GROUP_LENGTH]}-{symbols[GROUP_LENGTH:]}"


def parse_reference(text: str) -> str | None:
    """The reference in `text` in canonical form, or None.

    Forgives case, spaces, missing hyphens, O/I/L for 0/1, and digits of any script ("ACTS-٧KQ٢-M٩XD").
    """
    match = _REFERENCE.search(ascii_digits(text).upper())
    if match is None:
        return None
    first, second = (group.translate(_CONFUSABLES) for group in match.groups())
    return f"{PREFIX}-{first}-{second}"


# "I don't have it", "can't find my reference", "lost it", "idk": the learner has no reference at hand.
_NONE_AT_HAND = re.compile(
    r"\b(?:don'?t|do not|dont|doesn'?t|haven'?t|have not|can'?t|cannot|never)\b.{0,25}\b(?:have|got|find|remember|"
    r"know|recall|get|keep|kept|receive[d]?|see)\b|\b(?:lost|forgot|forgotten|misplaced|no idea|dunno|idk|not sure)\b",
    re.IGNORECASE,
)


def no_reference_at_hand(text: str) -> bool:
    """Whether `text` says the learner doesn't have their reference to hand (and names none)."""
    return parse_reference(text) is None and _NONE_AT_HAND.search(text) is not None
