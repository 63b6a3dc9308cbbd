"""Where one message asks more than one thing: "is it free? and can I put it on LinkedIn".

A message is cut after a question mark or a full stop followed by more words, and before "and", "also" or
"plus" when a new question starts there ("is there a fee and where can I share it"). The intent
classifier then reads each part on its own. Plain text, no Rasa, so it is cheap and easy to test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASKING = (
    r"(?:how|what|what's|whats|where|when|who|whom|why|which|can|could|do|does|did|is|are|will|would|"
    r"should|may|must)\b"
)
# Words that can begin the second of two questions after "and": an asking word, or "I"/"my" ("and I also
# want to know", "and my badge ...").
_QUESTION_WORD = rf"(?:{_ASKING}|(?:if|i|i'm|im|my)\b)"
# A cut: after "?", "!" or ". " (a full stop, not the dot of "support.credly.com"); before a joining word
# that begins a new question.
_CUT = re.compile(
    rf"(?<=[?!;])\s*|(?<=\.)\s+|\s*,?\s+(?:and also|and|also|plus|but)\s+(?={_QUESTION_WORD})",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# A part that begins with a joining word ("Also, where ...") is quoted and read without it.
_JOINING = re.compile(r"^(?:and also|and|also|plus|but|oh and|btw)\b[\s,]*", re.IGNORECASE)
MIN_WORDS = 2


@dataclass(frozen=True)
class Part:
    text: str
    start: int
    end: int

    @property
    def is_question(self) -> bool:
        """Reads as a question of its own (rather than "thanks" or "I have a question")."""
        return self.text.rstrip().endswith("?") or re.match(_ASKING, self.text, re.IGNORECASE) is not None


def question_parts(text: str) -> list[Part]:
    """The parts of `text` with at least MIN_WORDS words each, in order; one part if nothing cuts it."""
    parts, start = [], 0
    for cut in _CUT.finditer(text):
        if cut.end() == 0 or cut.start() >= len(text.rstrip()):
            continue
        parts.append((start, cut.start()))
        start = cut.end()
    parts.append((start, len(text)))
    found = []
    for begin, end in parts:
        piece = text[begin:end]
        stripped = piece.strip(" ,")
        stripped = stripped[_JOINING.match(stripped).end() :] if _JOINING.match(stripped) else stripped
        if len(_WORD.findall(stripped)) >= MIN_WORDS:
            offset = begin + piece.index(stripped)
            found.append(Part(stripped, offset, offset + len(stripped)))
    return found
