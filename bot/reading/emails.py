"""Read a learner's email address out of what they typed, and offer a fix for a likely typo."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The providers most learners use; a near miss of one of these is probably a typo.
COMMON_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "aol.com",
    "protonmail.com",
    "msn.com",
    "comcast.net",
    "me.com",
)

# Real mail domains that sit within typo distance of a common one: never "correct" them.
REAL_LOOKALIKES = frozenset({"mail.com", "email.com", "ymail.com"})

# Top-level domains that do not exist and are slips of a common one.
TLD_TYPOS = {
    "con": "com",
    "cmo": "com",
    "ocm": "com",
    "comm": "com",
    "ogr": "org",
    "eud": "edu",
    "nte": "net",
}

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_LENGTH = 64

# Spaces and brackets never occur in an address, so they end the token we pick out.
_BREAK = re.compile(r"[\s<>()\[\],;:\"]+")
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"[a-z]{2,63}")

NOT_FOUND = "I couldn't find an email address in that. Could you type it like name@example.com?"
TOO_MANY_ATS = "An email address has exactly one @ sign, and that one has more. Could you type it again?"
BAD_LOCAL = (
    "The part before the @ doesn't look right: it can use letters, numbers and . _ - +, "
    "but no spaces, and no dot at the start, the end or twice in a row. Could you check it?"
)
BAD_DOMAIN = (
    "The part after the @ doesn't look like an email domain, which is something like "
    "gmail.com or jhu.edu. Could you check it?"
)
TOO_LONG = "That address is longer than an email address can be. Could you check it?"


@dataclass(frozen=True)
class EmailCheck:
    """`address` is set only when valid; `suggestion` is a corrected address worth asking about."""

    address: str | None
    suggestion: str | None
    problem: str | None


def check_email(text: str) -> EmailCheck:
    """The first email address in `text`, validated, with a suggestion if its domain looks mistyped."""
    candidate = _find_candidate(text)
    if candidate is None:
        return EmailCheck(None, None, NOT_FOUND)
    problem = _syntax_problem(candidate)
    if problem:
        return EmailCheck(None, None, problem)
    local, _, domain = candidate.partition("@")
    domain = domain.lower()
    better = _suggest_domain(domain)
    return EmailCheck(f"{local}@{domain}", f"{local}@{better}" if better else None, None)


def _find_candidate(text: str) -> str | None:
    """The first token with an @ in it.

    Split, not searched for with a regex: a search that starts again at every character takes
    seconds on a long message without an @, and the learner gets no reply.
    """
    # Learners often type "jane @ gmail.com"; the spaces are never part of the address.
    joined = "@".join(part.strip() for part in text.split("@"))
    token = next((token for token in _BREAK.split(joined) if "@" in token), None)
    if token is None:
        return None
    # Sentence punctuation and quotes around the address are not part of it.
    return token.rstrip(".!?'").lstrip("'")


def _syntax_problem(address: str) -> str | None:
    if address.count("@") > 1:
        return TOO_MANY_ATS
    local, _, domain = address.partition("@")
    if len(local) > MAX_LOCAL_LENGTH or not _LOCAL.fullmatch(local):
        return BAD_LOCAL
    if not _is_valid_domain(domain.lower()):
        return BAD_DOMAIN
    if len(address) > MAX_ADDRESS_LENGTH:
        return TOO_LONG
    return None


def _is_valid_domain(domain: str) -> bool:
    *labels, tld = domain.split(".")
    return bool(labels) and all(_LABEL.fullmatch(label) for label in labels) and bool(_TLD.fullmatch(tld))


def _suggest_domain(domain: str) -> str | None:
    """A corrected domain, or None when `domain` should be left as typed."""
    fixed = _fix_tld(domain)
    better = _closest_provider(fixed) or fixed
    return better if better != domain else None


def _fix_tld(domain: str) -> str:
    name, _, tld = domain.rpartition(".")
    return f"{name}.{TLD_TYPOS.get(tld, tld)}"


def _closest_provider(domain: str) -> str | None:
    """The one common provider `domain` is a near miss of, if there is exactly one."""
    if domain in COMMON_DOMAINS or domain in REAL_LOOKALIKES:
        return None
    # A different real country code (yahoo.ca, protonmail.ch) is a choice, not a slip.
    scored = sorted(
        (damerau_levenshtein(domain, provider), provider)
        for provider in COMMON_DOMAINS
        if damerau_levenshtein(_tld(domain), _tld(provider)) <= 1
    )
    if not scored:
        return None
    distance, provider = scored[0]
    tied = len(scored) > 1 and scored[1][0] == distance
    return provider if distance <= _typo_budget(provider) and not tied else None


def _typo_budget(provider: str) -> int:
    # Short names have many real neighbours (live.com ~ life.com, aol.com ~ ao.com),
    # so the shorter the provider's name, the fewer slips we assume.
    name = provider.split(".")[0]
    if len(name) >= 7:
        return 2
    return 1 if len(name) >= 5 else 0


def _tld(domain: str) -> str:
    return domain.rpartition(".")[2]


def damerau_levenshtein(a: str, b: str) -> int:
    """How many edits turn `a` into `b`: insert, delete, substitute, or swap two neighbours.

    This is the optimal-string-alignment form, which edits no substring twice: enough for typos.
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
