"""A learner's aside in the middle of a question ("hang on, let me check"): not an answer to store."""

from __future__ import annotations

import re

_ASIDE = re.compile(
    r"^\W*(?:ok(?:ay)?|um+|uh+|hmm+|so|right|sorry)?[\s,.]*"
    r"(?:hang on|hold on|wait(?: a (?:sec(?:ond)?|moment|minute))?|one (?:sec(?:ond)?|moment|minute)|"
    r"just a (?:sec(?:ond)?|moment|minute)|give me a (?:sec(?:ond)?|moment|minute)|brb|be right back|"
    r"let me (?:check|look|see|find (?:it|out)|think)|i(?:'ll| will) (?:check|look|find (?:it|out))|"
    r"i(?:'m| am) (?:checking|looking)|hmm+|um+|uh+)\b"
    r"(?:[\s,.!]*(?:let me (?:check|look|see|find (?:it|out)|think)|i(?:'ll| will) (?:check|look)|"
    r"i need to (?:check|look)|(?:a|one) (?:sec(?:ond)?|moment|minute)|please))*[\s,.!…]*$",
    re.IGNORECASE,
)
_UNSURE = re.compile(
    r"^\W*(?:i\s+)?(?:don'?t|do not|dont) (?:know|remember|recall)\b|^\W*(?:not sure|no idea|dunno|can'?t remember)\b",
    re.IGNORECASE,
)

TAKE_YOUR_TIME = "No rush: take your time. I'll wait."
NOT_SURE = "That's fine: an answer you're not sure of is fine too, I'll read it back to you to check."


def aside_reply(text: str) -> str | None:
    """What to say to an aside, or None when `text` may be an answer."""
    if _ASIDE.match(text.strip()):
        return TAKE_YOUR_TIME
    if _UNSURE.match(text.strip()):
        return NOT_SURE
    return None
