"""Reads Rasa NLU YAML files into {intent: [examples]} for the data tests."""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

import yaml


def load_examples(paths) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for block in yaml.safe_load(Path(path).read_text()).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples[block["intent"]].append(line[2:].strip())
    return dict(examples)


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: near-identical sentences compare equal."""
    return " ".join(re.sub(r"[^\w\s@.]", " ", text.lower()).replace(".", " ").split())


# Near-duplicates: a held-out sentence that is a training sentence with a word or two changed measures
# memory, not generalisation. Two sentences are near-duplicates (compared as normalise()d word lists) when
#  - at most MAX_WORD_EDITS whole words are inserted, deleted or substituted to turn one into the other,
#    and those edits touch fewer than half the words of the longer one (so 1-2 word replies such as
#    "quit" vs "stop" or "yeah" vs "yep" are not flagged, 3-4 word sentences may differ by one word and
#    sentences of 5+ words by two), or
#  - their content words (STOPWORDS left out) overlap with Jaccard >= MIN_CONTENT_JACCARD, both sets having
#    at least MIN_CONTENT_WORDS words: the same sentence with a few function words or the word order changed
#    ("define digital badge for me pls" / "define digital badge"). With 3-4 words that means the same set,
#    with 5+ one extra word.
MAX_WORD_EDITS = 2
MIN_CONTENT_JACCARD = 0.8
MIN_CONTENT_WORDS = 3
STOPWORDS = frozenset(
    """a an the and or but so if then than to of for in on at by with from into about as up out over
    i me my mine we us our you your u it its this that these those there here he she they them their
    is are am be been being was were do does did done have has had can could would will should shall may might
    must what which who whom how when where why whats hows s t d ll m re ve pls please just any some all
    really actually exactly ok okay hey hi um uh""".split()
)


def words(text: str) -> tuple[str, ...]:
    return tuple(normalise(text).split())


def word_edit_distance(a, b, limit: int) -> int:
    """Levenshtein distance over whole words; any distance above `limit` is returned as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def is_near_duplicate(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    longest = max(len(a), len(b))
    # Cheap bound first: every distinct word of one sentence missing from the other costs at least one edit.
    if abs(len(a) - len(b)) <= MAX_WORD_EDITS and len(set(a) ^ set(b)) <= 2 * MAX_WORD_EDITS:
        edits = word_edit_distance(a, b, MAX_WORD_EDITS)
        if edits <= MAX_WORD_EDITS and 2 * edits < longest:
            return True
    content_a, content_b = set(a) - STOPWORDS, set(b) - STOPWORDS
    if min(len(content_a), len(content_b)) < MIN_CONTENT_WORDS:
        return False
    return len(content_a & content_b) >= MIN_CONTENT_JACCARD * len(content_a | content_b)


def near_duplicates(held_out: dict[str, list[str]], training: dict[str, list[str]]) -> list[str]:
    """Each held-out example that is a near-duplicate of some training example (of any intent), described."""
    trained = [(intent, text, words(text)) for intent, texts in training.items() for text in texts]
    found = []
    for intent, texts in held_out.items():
        for text in texts:
            mine = words(text)
            for other_intent, other, theirs in trained:
                if is_near_duplicate(mine, theirs):
                    found.append(f"{intent}: {text!r} ~ {other_intent}: {other!r}")
                    break
    return found


# Copies: a question of a set we measure with (the shared dev set) that is in the training data as it is,
# with its content words unchanged (function words, word order or punctuation changed), or with one word
# added, dropped or mistyped. Looser than near-duplicates above, which also catch sentences that only share
# a frame ("how do I accept my badge" / "how do I download my badge"): a standard for the held-out set we
# write ourselves, while the dev set's short questions share their frames with every FAQ's wording.
MAX_COPY_LENGTH_CHANGE = 2
MIN_TYPO_SIMILARITY = 0.75


def _one_word_apart(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if abs(len(a) - len(b)) == 1:
        return word_edit_distance(a, b, 1) <= 1
    if len(a) != len(b):
        return False
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differing) == 1 and SequenceMatcher(None, *differing[0]).ratio() >= MIN_TYPO_SIMILARITY


def is_near_copy(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a == b or (min(len(a), len(b)) >= 3 and _one_word_apart(a, b)):
        return True
    content_a, content_b = set(a) - STOPWORDS, set(b) - STOPWORDS
    return len(content_a) >= 2 and content_a == content_b and abs(len(a) - len(b)) <= MAX_COPY_LENGTH_CHANGE


def near_copies(measured: list[str], training: dict[str, list[str]]) -> list[str]:
    """Each measured question that is (nearly) a copy of a training example, described."""
    trained = [(intent, text, words(text)) for intent, texts in training.items() for text in texts]
    found = []
    for text in measured:
        mine = words(text)
        found += [f"{text!r} ~ {intent}: {other!r}" for intent, other, theirs in trained if is_near_copy(mine, theirs)]
    return found
