"""A learner's aside in the middle of a question ("hang on, let me check"): not an answer to store.

People string asides together ("hmm not sure, hang on let me check"), so a message is read clause by clause
(cut at punctuation, "and" and "but"): it is an aside only when every clause is one, after fillers such
as "hmm" or "ok". A clause with anything else in it ("wait, is there a fee?", "Hang Seng Bank") may be an
answer or a question, and is left to the step.
"""

from __future__ import annotations

import re

_UNIT = r"(?:sec(?:ond)?s?|moment|min(?:ute)?s?|tick|bit)"
_OBJECT = r"(?: (?:at|in|on|through|for))? (?:my|the|it) ?[a-z]*(?: [a-z]+)?"
# Asking for time ("hang on", "let me look at my certificate").
_WAIT = (
    rf"(?:hang on|hold on|wait(?: a {_UNIT})?|one {_UNIT}|just a {_UNIT}|give me a {_UNIT}|a {_UNIT}|"
    r"brb|be right back|bear with me|"
    r"(?:let me|i need to|i have to|i(?:'ll| will)|i(?:'m| am) going to|i gotta|gotta) "
    rf"(?:check|look(?: it up)?|see|find|think|dig (?:it|that) (?:out|up))(?:{_OBJECT})?|"
    rf"i(?:'m| am) (?:checking|looking|searching)(?:{_OBJECT})?|checking|looking|(?:still )?thinking|"
    r"please|(?:no )?sorry)"
)
# Not knowing (yet).
_UNSURE = (
    r"(?:(?:i(?:'m| am) )?(?:not (?:sure|certain)|unsure)|no idea|dunno|no clue|"
    r"(?:i )?(?:don'?t|do not|can'?t|cannot) (?:know|remember|recall)(?: exactly)?|"
    r"i forget|i forgot|good question)"
)
_ASIDE = re.compile(rf"^(?:(?:{_WAIT}|{_UNSURE})\s*)+$")
_HAS_WAIT = re.compile(rf"(?:^|\s){_WAIT}(?:\s|$)")
_FILLER = re.compile(r"^(?:(?:ok(?:ay)?|um+|uh+|erm*|hmm+|mm+|ah+|oh+|so|right|well|actually|honestly)\b[\s,]*)+")
_CLAUSE_CUT = re.compile(r"\s*(?:[,.;:!?…]+|\s-\s|\band\b|\bbut\b)\s*")

TAKE_YOUR_TIME = "No rush: take your time. I'll wait."
NOT_SURE = "That's fine: an answer you're not sure of is fine too, I'll read it back to you to check."


def _clauses(text: str) -> list[str]:
    folded = text.strip().lower().replace("\u2019", "'")
    clauses = [_FILLER.sub("", clause).strip() for clause in _CLAUSE_CUT.split(folded)]
    return [clause for clause in clauses if clause]


def aside_reply(text: str) -> str | None:
    """What to say to an aside, or None when `text` may be an answer."""
    folded = text.strip().lower()
    clauses = _clauses(text)
    if not clauses:
        # Only fillers ("hmm", "um..."): thinking aloud, not an answer.
        return TAKE_YOUR_TIME if _FILLER.match(folded) else None
    if not all(_ASIDE.match(c) for c in clauses):
        return None
    if all(c in ("please", "sorry", "no sorry") for c in clauses):
        return None  # politeness alone is no aside
    return TAKE_YOUR_TIME if any(_HAS_WAIT.search(c) for c in clauses) else NOT_SURE
