"""A learner's aside in the middle of a question ("hang on, let me check"): not an answer to store.

People string asides together ("hmm not sure, hang on let me check"), so a message is read clause by clause
(cut at punctuation, "and" and "but"): it is an aside only when every clause is one, after fillers such
as "hmm" or "ok". A clause with anything else in it ("wait, is there a fee?", "Hang Seng Bank") may be an
answer or a question, and is left to the step. What a learner says they check may follow ("let me ask my
boss", "grabbing my certificate"), but only as a pronoun, a particle or a phrase led by a determiner or a
preposition, so that "Looking Glass Foundation" stays an organisation.
"""

from __future__ import annotations

import re

_UNIT = r"(?:sec(?:ond)?s?|moments?|min(?:ute)?s?|tick|bit|jiffy)"
_AMOUNT = r"(?:a|one|1|two|2|few|a few|(?:a )?couple(?: of)?|five|5|some)"
_TIME = rf"(?:(?:just |only )?(?:{_AMOUNT} )?{_UNIT})"
# What a learner checks, and where: "it up", "with my manager", "my certificate", "back to you on that".
# Only pronouns, particles and phrases led by a determiner or preposition: "looking glass foundation"
# or "Checkpoint Institute" are organisations, not asides.
_OBJECT = (
    r"(?: (?:it|that|this|them|those|up|out|now|again|back|around|later|soon|quickly|real quick|"
    r"(?:with|for|at|in|into|on|through|from|to|about) (?:(?:my|the|our|your|a|an|it|that|this|you|me) )?[a-z]+|"
    r"(?:my|the|our|your|their) [a-z]+(?: [a-z]+)?)){0,4}"
)
_VERB = (
    r"(?:check|look|see|find|think|dig|ask(?: (?:my |the |our )?[a-z]+)?|get|grab|search|confirm|verify|"
    r"double[- ]?check|go (?:check|look)|look it up|find out|figure (?:it |that )?out|come back|get back)"
)
_SOON = (
    r"(?:let me|lemme|let's|i need to|i have to|i(?:'ll| will)(?: have to| need to)?|i(?:'m| am) going to|"
    r"i'?m gonna|gonna|i gotta|gotta|need to|have to|i must|i should|i'd have to|i can|i could)"
)
_DOING = r"(?:(?:i(?:'m| am) |just |still |currently )*(?:checking|looking|searching|grabbing|finding|asking|digging))"
# Asking for time ("hang on", "give me a sec to look that up", "just checking with my manager").
_WAIT = (
    rf"(?:(?:hang|hold) on(?: (?:a )?{_TIME})?|(?:please )?hold(?: on)?(?: please)?|"
    rf"(?:can you |could you )?wait(?: (?:a )?{_TIME}| for me)?|"
    rf"(?:can you |could you )?(?:give me|gimme|allow me) {_TIME}(?: to {_VERB}{_OBJECT})?|"
    rf"{_TIME}|i need {_TIME}(?: to {_VERB}{_OBJECT})?|brb|be right back|bear with me|"
    rf"(?:{_SOON} )?(?:come|get) back(?: to you)?{_OBJECT}|{_SOON} {_VERB}{_OBJECT}|{_DOING}{_OBJECT}|"
    r"what(?:'s| is| was) it(?: called)?(?: again)?|(?:still )?thinking|please|(?:no )?sorry)"
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
