"""What a turn in the middle of a form is, decided before the message is read as an answer.

A learner in the middle of a form may click 👍 / 👎 under an earlier answer, say "stop", come back from
the upload, correct an answer given earlier, ask about the form itself ("why do you need my email?"),
ask something else (an FAQ question, a person), ask several things at once, or ask something the
classifier is unsure of; else the message answers the question asked. decide_turn says which, trying
them in that order: the first that applies is the turn. Only a confident classification counts, and
never when the message is in fact a valid answer to the question asked (a name or organisation can be
almost any words: there only a plain question is no answer). The form validation actions
(actions/forms.py) build the state from the conversation and act on the turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from bot.answers import feedback
from bot.answers.faq import load_faq
from bot.answers.suggestions import FALLBACK, Closest, closest_answers
from bot.applying.answers import FREE_TEXT_SLOTS
from bot.applying.form_questions import answer_about_form
from bot.reading.corrections import parse_correction

# "tell me a joke": a request, never a name or an organisation.
_REQUEST_START = re.compile(
    r"^\s*(?:please )?(?:tell me|give me|show me|let me know|can you|could you|would you|i want|i need|"
    r"i'd like|i would like|help me)\b",
    re.I,
)
_QUESTION_START = re.compile(r"^\s*(what|how|why|where|who|when|is|are|can|could|do|does|will|would|should)\b", re.I)

INTERRUPTIONS = {"help", "human_handoff", "bot_challenge", "out_of_scope"}
STOP = "stop"
# Cancelling throws answers away, so only a confident "stop" does it: "change my organisation"
# must never be taken for "cancel".
CANCEL_CONFIDENCE = 0.7
INTERRUPTION_CONFIDENCE = 0.6


class Kind(Enum):
    """What a turn is, in the order decide_turn tries them."""

    FEEDBACK = "feedback"  # 👍 / 👎 on an earlier answer: thanked, then the question comes back
    CANCEL = "cancel"  # the learner leaves the form
    UPLOAD_DONE = "upload done"  # back from doing what the question asked (the upload): the form looks for it
    CORRECTION = "correction"  # an answer given earlier is corrected, however the classifier read the message
    FORM_QUESTION = "form question"  # a question about the form itself, answered before its question comes back
    ASIDE = "aside"  # an FAQ question, a person asked for, ...: answered, then the question comes back
    SEVERAL_QUESTIONS = "several questions"  # a message that asks several things: each gets its answer
    UNSURE = "unsure"  # a question the classifier is unsure of: its closest answers
    ANSWER = "answer"  # an answer to the question asked, to check


@dataclass(frozen=True)
class Turn:
    """What this turn is, with what answering it needs."""

    kind: Kind
    reply: str | None = None  # FORM_QUESTION: the answer to it
    intent: str | None = None  # ASIDE: the intent to answer
    questions: tuple[tuple[str, int, int], ...] = ()  # SEVERAL_QUESTIONS: each part's intent, start and end
    closest: Closest | None = None  # UNSURE: the closest answers


@dataclass(frozen=True)
class Message:
    """The learner's latest message as the classifier read it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    ranking: tuple[Mapping[str, Any], ...] = ()  # every intent with its confidence
    entities: tuple[Mapping[str, Any], ...] = ()  # the parts of a message that asks several things among them


@dataclass(frozen=True)
class FormState:
    """Where the form is, and how it reads a message: its readings are asked only when the decision gets
    to them (one may look in the database), at most once each."""

    requested: str | None  # the slot whose question was asked
    # Intents this form answers itself as asides, beyond INTERRUPTIONS and the FAQ topics.
    asides: Collection[str] = ()
    # Whether the words are a valid answer to the question asked.
    answers: Callable[[str], bool] = lambda text: False
    # Whether the words correct the answer to another question already given ("the date was wrong, ...").
    corrects_earlier_answer: Callable[[str], bool] = lambda text: False
    # Whether any message now only says the learner is back from doing what the question asked (an upload).
    back_from_elsewhere: Callable[[], bool] = lambda: False


def decide_turn(state: FormState, message: Message) -> Turn:
    """What the message is at this point of the form: the first of the kinds, in their order, that it is."""
    slot, text, intent, confidence = state.requested, message.text, message.intent, message.confidence
    answers = cache(lambda: state.answers(text))
    # A 👍 / 👎 button is never an answer; "that didn't help" typed only when it is no answer either.
    if intent == feedback.INTENT and (feedback.is_button(message.entities) or not answers()):
        return Turn(Kind.FEEDBACK)
    if is_cancel(slot, text, intent, confidence) and (plainly_stop(slot, text) or not answers()):
        return Turn(Kind.CANCEL)
    if slot and state.back_from_elsewhere():
        return Turn(Kind.UPLOAD_DONE)
    if slot and state.corrects_earlier_answer(text):
        return Turn(Kind.CORRECTION)
    about_form = question_about_form(slot, text)
    if about_form and not answers():
        return Turn(Kind.FORM_QUESTION, reply=about_form)
    # A name or organisation can be almost any words, so there a plain question decides:
    # "what's the weather like in boston today" would pass as an organisation.
    if is_interruption(slot, text, intent, confidence, also=state.asides) and (
        plainly_a_question(slot, text) or not answers()
    ):
        return Turn(Kind.ASIDE, intent=intent)
    asked = questions_asked(message.entities)
    if slot and asked and not answers():
        return Turn(Kind.SEVERAL_QUESTIONS, questions=tuple(asked))
    closest = unsure_question(slot, message)
    if closest is not None and (plainly_a_question(slot, text) or not answers()):
        return Turn(Kind.UNSURE, closest=closest)
    return Turn(Kind.ANSWER)


def question_about_form(slot: str | None, text: str) -> str | None:
    """The answer to a question about the application itself ("why do you need my email?"), if it is one."""
    return answer_about_form(slot, text) if slot else None


def is_cancel(slot: str | None, text: str, intent: str | None, confidence: float) -> bool:
    """Whether the learner wants to stop the application altogether."""
    if intent != STOP or confidence < CANCEL_CONFIDENCE:
        return False
    return not (slot == "confirmed" and parse_correction(text) is not None)


# What a learner types to leave a form: at a name or organisation question these words are never the answer.
_PLAIN_STOP = re.compile(
    r"^\W*(?:(?:please|ok|okay|no|just)\W+)?(?:stop|cancel|quit|exit|abort|never ?mind|nevermind|forget it|"
    r"stop applying|cancel (?:it|this|that|the application|my application)|i give up)\W*$",
    re.I,
)


def plainly_stop(slot: str | None, text: str) -> bool:
    """At a name or organisation question, "stop" or "cancel" leaves the form: it would pass as an answer."""
    return slot in FREE_TEXT_SLOTS and bool(_PLAIN_STOP.match(text))


def asks(text: str) -> bool:
    """Reads as a question or a request: a question mark, or the words a question or request starts with."""
    return "?" in text or bool(_QUESTION_START.search(text) or _REQUEST_START.search(text))


def is_interruption(
    slot: str | None, text: str, intent: str | None, confidence: float, also: Collection[str] = ()
) -> bool:
    """Whether the learner asked something else mid-form (answered, then the form goes on). `also`: intents
    a form answers itself as asides, beyond INTERRUPTIONS and the FAQ topics."""
    if slot is None or confidence < INTERRUPTION_CONFIDENCE:
        return False
    if intent not in INTERRUPTIONS and intent not in also and load_faq().topic(intent) is None:
        return False
    if slot == "confirmed" and parse_correction(text) is not None:
        return False
    if slot in FREE_TEXT_SLOTS or intent == "out_of_scope":
        # A name or organisation can be almost any words; and a message the classifier can't place may
        # answer another question ("around the end of 2023" at the training question): only a question
        # or a request is taken for one.
        return asks(text)
    return True


def plainly_a_question(slot: str | None, text: str) -> bool:
    """At a name or organisation question, a message that can't be one: a question mark, or a sentence that
    starts like a question. Short ones may be names ("Will Smith", "Do Van Minh", "Can Yilmaz")."""
    if slot not in FREE_TEXT_SLOTS:
        return False
    if "?" in text or _REQUEST_START.search(text):
        return True
    return asks(text) and len(text.split()) >= 5


def questions_asked(entities: Iterable[Mapping[str, Any]]) -> list[tuple[str, int, int]]:
    """The parts of a message that asks several things (marked by the intent classifier), if it does:
    each part's intent, start and end."""
    return [
        (str(e.get("value")), int(e.get("start", 0)), int(e.get("end", 0)))
        for e in entities
        if e.get("entity") == "question"
    ]


def unsure_question(slot: str | None, message: Message) -> Closest | None:
    """A question the classifier is unsure of, asked mid-form ("do badges carry any weight"): its closest
    answers, or None when it isn't a question or nothing is plausible (then it is read as an answer)."""
    if slot is None or not asks(message.text):
        return None
    if message.intent != FALLBACK and message.confidence >= INTERRUPTION_CONFIDENCE:
        return None
    closest = closest_answers(message.ranking, load_faq().topics)
    return closest if closest.answered else None
