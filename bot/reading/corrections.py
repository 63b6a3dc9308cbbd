"""Reading "change my email to jane@uni.edu" at the confirmation step: which field, what value."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words a learner uses for each field they may change, longest first within a field.
FIELD_WORDS = {
    "email": ("email address", "e-mail", "email", "address", "mail"),
    "full_name": (
        "full name",
        "last name",
        "family name",
        "first name",
        "given name",
        "surname",
        "name",
        "spelling",
    ),
    "organisation": (
        "organisation",
        "organization",
        "institution",
        "employer",
        "university",
        "company",
        "affiliation",
        "org",
    ),
    "orcid": ("orcid id", "orcid"),
    "completion_date": ("completion date", "date", "when i finished", "when i completed", "finished", "completed"),
    "training_id": ("training", "course", "programme", "program"),
}
_CHANGE = re.compile(r"\b(change|update|correct|fix|edit|wrong|mistake|typo|should be|actually|instead)\b", re.I)
_MY_FIELD_IS = re.compile(r"\bmy (?:\w+ ){1,2}(?:is|should be)\b", re.I)
# The value starts at a non-space: "\s*(.+)$" would try every split of a long run of spaces.
_VALUE = re.compile(r"(?:\b(?:to|is|was|it's|it’s|should be|should have been)\b|=|:)\s*(\S.*)$", re.I)
# What follows "is"/"was" in "the date was wrong, it was March 2024" before the new value: a verdict, no value.
_VERDICT = re.compile(
    r"^(?:(?:spelt |spelled )?wrong|incorrect|not right|not correct|a mistake|a typo|mistyped|misspelt|misspelled)\b",
    re.I,
)
# Spaces and brackets never occur in an email address.
_BREAK = re.compile(r"[\s<>()\[\],;:\"]+")


# Words for one part of a name: "my surname is just O'Neill" changes that part only.
NAME_PARTS = {
    "last name": "last",
    "family name": "last",
    "surname": "last",
    "first name": "first",
    "given name": "first",
}
# Said before a value, not part of it: "it's just O'Neill".
_FILLER = re.compile(r"^(?:just|simply|only|actually|really)\s+", re.I)


@dataclass(frozen=True)
class Correction:
    field: str
    value: str | None  # None: ask the question again
    part: str | None = None  # "first" or "last" when only that part of the name is changed


def parse_correction(text: str) -> Correction | None:
    if not _CHANGE.search(text) and not _MY_FIELD_IS.search(text):
        return None
    named = _field_named(text)
    if named is None:
        return None
    field, end = named
    word = next((w for w in NAME_PARTS if text[:end].lower().endswith(w)), None)
    return Correction(field=field, value=_value(text[end:], field), part=NAME_PARTS.get(word or ""))


# "the completion date", "my organisation please": a field named on its own, as after "What would you like
# to change?". A longer message naming a field is something else ("my name is on my certificate ...").
MAX_WORDS_NAMING_A_FIELD = 5


def field_named(text: str) -> str | None:
    """The field a short message names on its own, or None."""
    if len(text.split()) > MAX_WORDS_NAMING_A_FIELD:
        return None
    named = _field_named(text)
    return named[0] if named else None


def _field_named(text: str) -> tuple[str, int] | None:
    """The first field mentioned, and where its mention ends (the new value comes after it).

    Matched ignoring case rather than in text.lower(), which can be longer ("İ" lowers to two
    characters) and would put that end in the wrong place in `text`.
    """
    best, position, end = None, len(text) + 1, 0
    for field, words in FIELD_WORDS.items():
        for word in words:
            found = re.search(rf"\b{re.escape(word)}\b", text, re.I)
            if found and found.start() < position:
                best, position, end = field, found.start(), found.end()
    return (best, end) if best else None


def _value(rest: str, field: str) -> str | None:
    if field == "email":
        # The first word with an @ inside it; split, as a regex search for one is slow on a long message.
        found = next((word for word in _BREAK.split(rest) if "@" in word[1:-1]), None)
        return found.rstrip(".") if found else None
    position = 0
    while (match := _VALUE.search(rest, position)) is not None:
        value = _FILLER.sub("", match.group(1).strip()).strip("\"'").rstrip(".!")
        if not _VERDICT.match(value):
            return value or None
        position = match.start(1)
    return None
