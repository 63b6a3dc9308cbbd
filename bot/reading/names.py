"""A learner's full name from what they typed: lead-ins removed, checked, split for Credly.

spaCy's blank English tokenizer (no downloaded model) tells words from emails,
numbers and URLs, so "it's jane.doe@uni.edu" is not taken for a name.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_NAME_LENGTH = 120
_LEAD_IN = re.compile(
    r"^\s*(?:(?:hi|hello|sure|ok(?:ay)?|yes)[,!. ]+)?"
    r"(?:my (?:full )?name is|my name's|name is|name's|i am|i'm|im|it is|it's|its|this is|call me)\s+",
    re.IGNORECASE,
)
NOT_A_NAME = (
    "That doesn't look like a full name. Could you type your first and last name, as they should appear on the badge?"
)
ONE_WORD = "Could you give your full name, first and last, as it should appear on the badge?"
# What may join the letters of one word: Jean-Luc, O'Brien or O’Brien (as phones type it), Q.
_JOINERS = frozenset("-'\u2019.")
# Apostrophes as other keyboards type them (a left quote, a backtick, an acute accent, a prime, a
# full-width one) are stored as the straight one; the straight and the curly one are kept as typed.
_OTHER_APOSTROPHES = str.maketrans({c: "'" for c in "\u2018`\u00b4\u2032\uff07\u02b9"})
# Hyphens of other keyboards (a non-breaking one, a dash typed by autocorrect) as the plain one.
_OTHER_HYPHENS = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013"})
# Particles of surnames, kept in lower case inside a name ("Jane de la Cruz", "Ludwig van Beethoven").
PARTICLES = frozenset(
    "de la le du des da das do dos di del della van von der den ter ten zu y e bin binti ibn al el".split()
)
# Words rarely part of a name: a name containing one is read back to the learner before it is kept.
_UNLIKELY_IN_NAMES = frozenset(
    """the a an is am are was on in at to of it this that my your me let check wait hold hang sec
    second minute moment sure know don't dont not no yes ok okay what why how please thanks thank
    name full first last email address later sorry hmm um""".split()
)
MAX_SURE_WORDS = 4


@dataclass(frozen=True)
class NameCheck:
    """`sure` False: a name with words rarely in names, or many words, to read back to the learner first."""

    full_name: str | None
    problem: str | None
    sure: bool = True


@lru_cache(maxsize=1)
def _tokenizer():
    # thinc (under spaCy) imports TensorFlow if it can: ~300 MB and seconds in the action
    # server for a tokenizer that never uses it. Hide it while spaCy loads.
    hidden = "tensorflow" not in sys.modules
    if hidden:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]
    try:
        import spacy

        return spacy.blank("en")
    finally:
        if hidden:
            del sys.modules["tensorflow"]


def _capitalised(word: str) -> str:
    """ "o'brien" -> "O'Brien", "jean-luc" -> "Jean-Luc": each part after a joiner starts upper case."""
    parts = re.split(r"([-'\u2019])", word.lower())
    return "".join(part[:1].upper() + part[1:] if part not in "-'\u2019" else part for part in parts)


def _tidy_case(words: list[str]) -> list[str]:
    """ "jane doe" and "JANE DOE" become "Jane Doe", "jane de la cruz" "Jane de la Cruz"; a name typed
    in mixed case ("McKay", "Jane de la Cruz") stays as typed."""
    joined = " ".join(words)
    if not (joined.islower() or joined.isupper()):
        return words
    return [w.lower() if i and w.lower() in PARTICLES else _capitalised(w) for i, w in enumerate(words)]


def _is_name_word(word: str) -> bool:
    """A letter of any script, then letters, combining marks and joiners.

    Marks are part of writing many names: Devanagari, Tamil or Thai vowel signs, an accent typed
    as a separate character. Digits of any script (3, ٣, ², Ⅷ) and invisible characters are not.
    """
    return unicodedata.category(word[0])[0] == "L" and all(
        unicodedata.category(char)[0] in "LM" or char in _JOINERS for char in word[1:]
    )


def check_full_name(text: str) -> NameCheck:
    # Composed form: "é" typed as e + a combining accent is stored, and sent to Credly, as one "é".
    text = unicodedata.normalize("NFC", text).translate(_OTHER_APOSTROPHES).translate(_OTHER_HYPHENS)
    stripped = _LEAD_IN.sub("", text.strip()).strip(" .!,")
    if not stripped or len(stripped) > MAX_NAME_LENGTH or "?" in stripped:
        return NameCheck(None, NOT_A_NAME)
    tokens = [t for t in _tokenizer()(stripped) if not t.is_space]
    if any(t.like_email or t.like_url or t.like_num or t.is_digit for t in tokens):
        return NameCheck(None, NOT_A_NAME)
    words = stripped.split()
    if not all(_is_name_word(word) for word in words):
        return NameCheck(None, NOT_A_NAME)
    if len(words) < 2:
        return NameCheck(None, ONE_WORD)
    unlikely = any(w.lower().strip(".") in _UNLIKELY_IN_NAMES for w in words)
    return NameCheck(" ".join(_tidy_case(words)), None, sure=not unlikely and len(words) <= MAX_SURE_WORDS)


def split_name(full_name: str) -> tuple[str, str]:
    """First and last name for Credly's issued_to_first_name / issued_to_last_name."""
    first, _, rest = full_name.partition(" ")
    return first, rest or first
