"""Which offered option a learner means, in their own words: "the fundamentals course" is the
ACTS Team Science Fundamentals training.

Options are named by their names and aliases in bot/content/badges.yml. A learner's words match an
option surely when one of its names is in them word for word, allowing for words that mean the same
here ("course" or "workshop" for "training") and small typos; they match as a guess when most of the
words of one of its names are there. A guess is confirmed with the learner before it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Generic, TypeVar

Option = TypeVar("Option")

# Words learners use for the same thing as a word of an option's name.
SAME_MEANING = {
    "course": "training",
    "workshop": "training",
    "class": "training",
    "module": "training",
    "modules": "training",
    "programme": "training",
    "program": "training",
    "seminar": "training",
    "trainings": "training",
    "curriculum": "training",
    "badges": "badge",
    "credential": "badge",
    "certificate": "badge",
}
# Words that say nothing about which option is meant.
FILLER = frozenset("the a an one i did took completed finished it was my of for in on acts training badge".split())
# Words that may stand around an option's name in a guess ("I think it was the team science one"); any
# other word the names don't explain ("clinical research", "hospital") points elsewhere: no guess then.
AROUND_A_NAME = FILLER | frozenset(
    "about called named this that think guess maybe probably perhaps yes yeah yep its is me we our by with to s".split()
)
MIN_TYPO_SIMILARITY = 0.8
MIN_GUESS_SHARE = 0.6  # of the distinctive words of a name


@dataclass(frozen=True)
class Match(Generic[Option]):
    option: Option
    sure: bool


def _words(text: str) -> list[str]:
    return [SAME_MEANING.get(w, w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def _same_word(said: str, named: str) -> bool:
    if said == named:
        return True
    return min(len(said), len(named)) >= 4 and SequenceMatcher(None, said, named).ratio() >= MIN_TYPO_SIMILARITY


def _contains(said: list[str], name: list[str]) -> bool:
    """The name's words, in order and adjacent, somewhere in what was said (typos allowed)."""
    n = len(name)
    starts = range(len(said) - n + 1)
    return any(all(_same_word(s, w) for s, w in zip(said[i : i + n], name, strict=True)) for i in starts)


def _share_of(said: list[str], name: list[str]) -> float:
    distinctive = [w for w in name if w not in FILLER]
    if not distinctive:
        return 0.0
    return sum(any(_same_word(s, w) for s in said) for w in distinctive) / len(distinctive)


def match_option(text: str, names: Mapping[Option, Iterable[str]]) -> Match[Option] | None:
    """The option `text` names: surely (the longest name found word for word), else the one whose names'
    distinctive words it mostly has (a guess, only when no other option comes close and the message says
    nothing its names don't explain: a guess read back must never lead the learner), else None."""
    said = _words(text)
    best, best_length = None, 0
    for option, candidates in names.items():
        for candidate in candidates:
            name = _words(candidate)
            if name and _contains(said, name) and len(name) > best_length:
                best, best_length = option, len(name)
    if best is not None:
        return Match(best, sure=True)
    shares = sorted(
        ((max((_share_of(said, _words(c)) for c in candidates), default=0.0), i, option)
         for i, (option, candidates) in enumerate(names.items())),
        key=lambda item: (-item[0], item[1]),
    )  # fmt: skip
    if not shares or shares[0][0] < MIN_GUESS_SHARE:
        return None
    if len(shares) > 1 and shares[1][0] >= shares[0][0]:
        return None  # two options fit as well: ask, don't pick
    guessed = shares[0][2]
    if _unexplained(said, [w for c in names[guessed] for w in _words(c)]):
        return None  # the other words point elsewhere ("fundamentals of clinical research"): ask, don't lead
    return Match(guessed, sure=False)


def _unexplained(said: list[str], named: list[str]) -> list[str]:
    """The words said that neither an option's names nor the words around a name explain."""
    return [w for w in said if w not in AROUND_A_NAME and not any(_same_word(w, n) for n in named)]
