"""How a reply is scored (shared/eval/README.md): which answers it carries, and whether that is right.

A reply carries an FAQ answer when it contains one of that answer's signature phrases: facts of the
answer in bot/content/faq.yml that no other seed answer contains (so "LinkedIn", in two answers, is
no signature). The assistant's own conversations are recognised by their first question.

- A question is answered right when the reply carries one of the answers named for it and at most
  one other FAQ answer; a "Did you mean ...?" or an "I can't answer that" is not right.
- An out-of-scope message is declined right when the reply gives the contact, carries no FAQ
  answer, and starts no conversation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.answers.faq import Faq, load_faq

# The "Credly support" answer of the dev set: a reply that points to Credly support.
CREDLY_SUPPORT = "credly_support"
APPLY, STATUS, DOCUMENT = "apply", "status", "document"

# Signature phrases of each seed answer (tests/unit/eval/test_eval_sets.py checks that each is in its
# own answer in bot/content/faq.yml and in no other seed answer).
SIGNATURES: dict[str, tuple[str, ...]] = {
    "faq_what_is_badge": ("verifiable, portable credential", "stackable"),
    "faq_available_badges": ("Team Science Professionals SIG", "three complementary"),
    "faq_prior_training": ("no need to retake",),
    "faq_badge_display": ("1EdTech", "IMS Global", "Open Badge Standards"),
    "faq_benefits": ("portable, shareable and verifiable", "validity period", "criteria met"),
    "faq_who_is_credly": ("end-to-end solution",),
    "faq_earned_notification": ("admin@credly.com",),
    "faq_privacy": ("privacy settings",),
    "faq_fee": ("no cost",),
    "faq_copy_protection": ("uniquely linked",),
    "faq_sharing": ("Facebook", "email signature"),
    "faq_export": ("Share Badge page", "Badgr", "Open Badge Infrastructure"),
    "faq_import": ("Accredible", "outside badge"),
    "faq_credly_support": ("support.credly.com",),
    CREDLY_SUPPORT: ("support.credly.com",),
}
# How the assistant starts its own conversations.
CONVERSATION_STARTS: dict[str, tuple[str, ...]] = {
    APPLY: ("Which badge would you like to apply for?", "Have you completed a qualifying training"),
    STATUS: ("What is your application reference?",),
    DOCUMENT: (
        "Which badge would you like to apply for?",
        "Have you completed a qualifying training",
        "upload your certificate",
    ),
}
DID_YOU_MEAN = "Did you mean"
CANT_ANSWER = ("can't answer", "cannot answer")
# Anything whose answer comes from the seed FAQ (the "other answers" a reply may carry at most one of).
SEED_ANSWERS = tuple(name for name in SIGNATURES if name.startswith("faq_"))


@dataclass(frozen=True)
class Reply:
    """The assistant's first reply to a message: all its texts and button titles."""

    texts: tuple[str, ...]
    buttons: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @classmethod
    def from_rest(cls, messages: Iterable[dict]) -> Reply:
        messages = list(messages)
        texts = tuple(m["text"] for m in messages if m.get("text"))
        buttons = tuple(b.get("title", "") for m in messages for b in m.get("buttons") or ())
        return cls(texts, buttons)


@dataclass(frozen=True)
class Verdict:
    right: bool
    why: str


def _folded(text: str) -> str:
    """Lower case with one kind of apostrophe and quote, so curly and straight compare equal."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}))


def carries(reply: Reply, answer: str) -> bool:
    text = _folded(reply.text)
    if answer in CONVERSATION_STARTS:
        return any(_folded(start) in text for start in CONVERSATION_STARTS[answer])
    return any(_folded(phrase) in text for phrase in SIGNATURES[answer])


def seed_answers_in(reply: Reply) -> list[str]:
    return [name for name in SEED_ANSWERS if carries(reply, name)]


def is_did_you_mean(reply: Reply) -> bool:
    return DID_YOU_MEAN.lower() in _folded(reply.text) and bool(reply.buttons)


def is_cant_answer(reply: Reply) -> bool:
    text = _folded(reply.text)
    return any(phrase in text for phrase in CANT_ANSWER)


def score_question(reply: Reply, named: Sequence[str]) -> Verdict:
    """A question whose right answers are `named` (seed topics, CREDLY_SUPPORT, APPLY, STATUS, DOCUMENT)."""
    if is_did_you_mean(reply):
        return Verdict(False, "did you mean")
    if is_cant_answer(reply):
        return Verdict(False, "can't answer")
    hit = [name for name in named if carries(reply, name)]
    if not hit:
        carried = seed_answers_in(reply)
        return Verdict(False, f"wrong answer ({', '.join(carried) or 'no FAQ answer'})")
    # support.credly.com is both the Credly-support answer and a fact of the seed support answer.
    same = set(hit) | ({"faq_credly_support"} if CREDLY_SUPPORT in hit else set())
    others = [name for name in seed_answers_in(reply) if name not in same]
    if len(others) > 1:
        return Verdict(False, f"a digest: also {', '.join(others)}")
    return Verdict(True, hit[0])


def score_out_of_scope(reply: Reply, contact: str) -> Verdict:
    """Declined honestly: the contact, no FAQ answer, no conversation started, no guess offered."""
    carried = seed_answers_in(reply)
    if carried:
        return Verdict(False, f"FAQ facts ({', '.join(carried)})")
    started = [name for name in (APPLY, STATUS) if carries(reply, name)]
    if started:
        return Verdict(False, f"started {started[0]}")
    if is_did_you_mean(reply):
        return Verdict(False, "did you mean")
    if _folded(contact) not in _folded(reply.text):
        return Verdict(False, "no contact")
    return Verdict(True, "declined")


def contact_address(faq: Faq | None = None) -> str:
    """The part of the contact a decline must show: its web address if it has one."""
    contact = (faq or load_faq()).contact()
    found = re.search(r"https?://\S+|\S+@\S+", contact)
    return found.group(0).rstrip(".") if found else contact


def _question_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _folded(text).replace("'", "")))


def named_answers(label: str, faq: Faq | None = None) -> list[str]:
    """The answers a dev-set label names ("Who is Credly? | Credly support (support.credly.com)")."""
    faq = faq or load_faq()
    by_question = {_question_key(t.question): t.intent for t in faq.topics.values() if t.question}
    names = []
    for part in (p.strip() for p in label.split("|")):
        lowered = part.lower()
        if lowered.startswith("credly support"):
            names.append(CREDLY_SUPPORT)
        elif lowered.startswith("applying for a badge"):
            names.append(APPLY)
        elif lowered.startswith("application status"):
            names.append(STATUS)
        elif lowered.startswith("document submission"):
            names.append(DOCUMENT)
        elif _question_key(part) in by_question:
            names.append(by_question[_question_key(part)])
        else:
            raise ValueError(f"unknown answer in the dev set: {part!r}")
    return names
