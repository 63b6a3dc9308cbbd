"""The learner's answers, one question at a time: each one checked, normalised, and what it sets.

Each function takes what the learner said (and the little context it needs) and returns
a Step: the slots to set (None clears a slot, so its question is asked again) and the
sentences to say. An answer may also correct one given earlier ("sorry, the date was wrong,
it was March 2024"), or confirm an answer read with some doubt. The Rasa form validation
action only passes these on; what a turn is before it is read as an answer is bot/applying/turns.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.answers.faq import load_faq
from bot.applying.catalogue import load_catalogue
from bot.applying.choices import match_option
from bot.applying.eligibility import badge_open, training_completed, training_qualifies
from bot.reading.asides import aside_reply
from bot.reading.corrections import Correction, field_named, parse_correction
from bot.reading.dates import check_completion_date, read_completion_date
from bot.reading.emails import check_email
from bot.reading.names import check_full_name
from bot.reading.orcid import normalise_orcid
from bot.store.applications import Details, DocumentInfo

FORM_SLOTS = (
    "badge_id",
    "training_completed",
    "training_id",
    "completion_date",
    "full_name",
    "email",
    "organisation",
    "orcid",
    "document",
    "confirmed",
)
# name_offered / email_offered: a name or address from a verified profile (Slack) was offered.
# guess: an answer read with some doubt, {"slot", "value", "spoken"}, to confirm before it is stored.
# misses: how many answers in a row to the current question were not understood.
HELPER_SLOTS = (
    "eligible",
    "email_suggestion",
    "email_typed",
    "upload_token",
    "name_offered",
    "email_offered",
    "guess",
    "misses",
)
SKIPPED = "skipped"
MAX_ORGANISATION = 200

_YES = re.compile(
    r"^\s*(y|yes|yep|yeah|yup|sure|correct|right|i did|i have|done|completed|confirm|submit|"
    r"send it|ok|okay|that's right|looks good|all good)\b",
    re.I,
)
_NO = re.compile(r"^\s*(n|no|nope|nah|not yet|i haven't|i have not|i didn't|i did not|never|negative)\b", re.I)
_SKIP = re.compile(r"\b(skip|none|no orcid|don't have|do not have|dont have|n/a|not applicable|no thanks|no)\b", re.I)
_OTHER = re.compile(r"\b(other|another|different|something else|none of (these|them|those))\b", re.I)
_A_TRAINING = re.compile(r"\b(training|course|workshop|class|module|program|programme|seminar|bootcamp)s?\b", re.I)


def describes_a_training(text: str) -> bool:
    """Whether the words describe a training ("a team science course at my university"): at the training
    question that is an answer to read, even when it sounds like an FAQ question about prior training."""
    return bool(_A_TRAINING.search(text))


AFFIRM, DENY = "affirm", "deny"
FREE_TEXT_SLOTS = {"full_name", "organisation"}
# How a field is named when the learner is told it changed.
FIELD_LABELS = {
    "completion_date": "completion date",
    "full_name": "name",
    "email": "email address",
    "organisation": "organisation",
    "orcid": "ORCID iD",
    "training_id": "training",
}


# Asked again when a question about the badge's trainings comes before the badge is known
# (the badge question's own words, bot/applying/prompts.py).
BADGE_QUESTION = "Which badge would you like to apply for?"


@dataclass
class Step:
    updates: dict[str, Any] = field(default_factory=dict)
    say: list[str] = field(default_factory=list)
    missed: bool = False  # the answer was not understood (counted, so the question can change tack)


def _guess(slot: str, value: Any, spoken: str) -> Step:
    """An answer read with some doubt: nothing stored until the learner confirms it."""
    return Step({slot: None, "guess": {"slot": slot, "value": value, "spoken": spoken}})


def _yes_no(text: str, intent: str | None) -> bool | None:
    if intent == AFFIRM or _YES.search(text):
        return True
    if intent == DENY or _NO.search(text):
        return False
    return None


def _not_eligible(slot: str, value: Any, message: str) -> Step:
    contact = load_faq().contact()
    return Step({slot: value, "eligible": False}, [message.replace("{contact}", contact)])


def choose_badge(text: str) -> Step:
    catalogue = load_catalogue()
    match = match_option(text, {b: (b.id, b.name, *b.aliases) for b in catalogue.badges})
    if match is None:
        names = ", ".join(b.name for b in catalogue.open_badges)
        return Step({"badge_id": None}, [f"I didn't catch which badge. You can apply for: {names}."], missed=True)
    badge = match.option
    if not match.sure:
        return _guess("badge_id", badge.id, f"The {badge.name} badge")
    return _badge_chosen(badge)


def _badge_chosen(badge) -> Step:
    verdict = badge_open(badge)
    if not verdict.eligible:
        return _not_eligible("badge_id", badge.id, verdict.message)
    return Step({"badge_id": badge.id, "eligible": True})


def _no_badge() -> Step:
    """A question about the badge's trainings before the badge is known: ask for the badge."""
    return Step({"badge_id": None}, [BADGE_QUESTION])


def answer_training_completed(text: str, intent: str | None, badge_id: str) -> Step:
    badge = load_catalogue().get(badge_id)
    if badge is None:
        return _no_badge()
    answer = _yes_no(text, intent)
    if answer is None:
        return Step({"training_completed": None}, ["Please answer yes or no."], missed=True)
    verdict = training_completed(badge, answer)
    if not verdict.eligible:
        return _not_eligible("training_completed", False, verdict.message)
    return Step({"training_completed": True})


def choose_training(text: str, badge_id: str) -> Step:
    badge = load_catalogue().get(badge_id)
    if badge is None:
        return _no_badge()
    match = match_option(text, {t: (t.id, t.name, *t.aliases) for t in badge.trainings})
    if match is not None and match.sure:
        return Step({"training_id": match.option.id})
    if _OTHER.search(text):
        return _not_eligible("training_id", None, training_qualifies(badge, None).message)
    if match is not None:
        return _guess("training_id", match.option.id, f"The {match.option.name}")
    # No guess read back ("The ACTS ... training, right?" would steer a learner who took another provider's
    # course into a false claim): which trainings qualify, and who can tell whether theirs counts.
    names = "; ".join(t.name for t in badge.trainings)
    return Step(
        {"training_id": None},
        [
            f"I can't tell whether that is one of the trainings that qualify: for the {badge.name} badge only "
            f'these count: {names}. If yours was one of them, choose it below; if not, say "another training". '
            f"Not sure whether yours counts? The ACTS team can tell you: {load_faq().contact()}."
        ],
        missed=True,
    )


def answer_completion_date(text: str, today: date) -> Step:
    check = check_completion_date(text, today)
    if check.problem:
        return Step({"completion_date": None}, [check.problem], missed=True)
    if not check.sure:
        return _guess("completion_date", check.value.isoformat(), check.spoken)
    return Step({"completion_date": check.value.isoformat()})


def answer_full_name(text: str, intent: str | None = None, offered: str | bool | None = None) -> Step:
    """`offered`: the profile's name while "shall I use it?" waits for an answer, then True."""
    if isinstance(offered, str) and offered:
        answer = _yes_no(text, intent)
        if answer is True:
            return Step({"full_name": offered, "name_offered": True})
        if answer is False:
            return Step({"full_name": None, "name_offered": True})
    check = check_full_name(text)
    if check.problem:
        return Step({"full_name": None}, [check.problem], missed=True)
    if not check.sure:
        return _guess("full_name", check.full_name, check.full_name)
    return Step({"full_name": check.full_name})


def answer_email(text: str, intent: str | None, suggestion: str | None, typed: str | None) -> Step:
    cleared = {"email_suggestion": None, "email_typed": None}
    if suggestion:
        answer = _yes_no(text, intent) if "@" not in text else None
        if answer is True:
            return Step({"email": suggestion, **cleared})
        if answer is False:
            return Step({"email": typed, **cleared})
    check = check_email(text)
    if check.problem:
        return Step({"email": None, **cleared}, [check.problem], missed=True)
    if check.suggestion:
        return Step({"email": None, "email_suggestion": check.suggestion, "email_typed": check.address})
    return Step({"email": check.address, **cleared})


_AN_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def answer_organisation(text: str) -> Step:
    # Control and invisible characters (a right-to-left override, say) never reach a reviewer's screen.
    value = " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split()).strip(" .")
    letters = sum(c.isalnum() for c in value)  # of any script; "!!!" names no organisation
    if letters < 2 or len(value) > MAX_ORGANISATION or "?" in value:
        return Step({"organisation": None}, ["That doesn't look like the name of an organisation."], missed=True)
    if _AN_EMAIL.fullmatch(value):  # typed at the wrong question (the email again): a reviewer would see it as is
        return Step({"organisation": None}, ["That's an email address, not an organisation."], missed=True)
    return Step({"organisation": value})


def answer_orcid(text: str, intent: str | None) -> Step:
    orcid = normalise_orcid(text)
    if orcid:
        return Step({"orcid": orcid})
    if intent == DENY or _SKIP.search(text):
        return Step({"orcid": SKIPPED})
    return Step(
        {"orcid": None},
        [
            "That isn't a valid ORCID iD: it has 16 characters like 0000-0002-1825-0097, and the last one "
            'is a check digit. Could you check it, or say "skip"?'
        ],
        missed=True,
    )


def document_received(documents: list[DocumentInfo]) -> Step:
    if not documents:
        return Step({"document": None}, ["I haven't received a file yet."], missed=True)
    latest = documents[-1]
    return Step({"document": latest.summary}, [f"Got your {latest.summary}."])


def _correct(field_name: str, value: str, slots: Mapping[str, Any], today: date) -> Step:
    steps = {
        "email": lambda: answer_email(value, None, None, None),
        "full_name": lambda: answer_full_name(value),
        "organisation": lambda: answer_organisation(value),
        "orcid": lambda: answer_orcid(value, None),
        "completion_date": lambda: answer_completion_date(value, today),
        "training_id": lambda: choose_training(value, slots.get("badge_id")),
    }
    return steps[field_name]()


def _with_name_part(correction: Correction, slots: Mapping[str, Any]) -> Correction:
    """ "my surname is O'Neill": the whole name with that part changed (the first word is the given name,
    the rest the surname, so "de la Cruz" stays one surname)."""
    name = str(slots.get("full_name") or "").split()
    if correction.field != "full_name" or not correction.part or not correction.value or len(name) < 2:
        return correction
    parts = [correction.value, *name[1:]] if correction.part == "first" else [name[0], correction.value]
    return Correction("full_name", " ".join(parts))


# "sorry, I meant Mary-Kate D'Arcy": a new value for the answer just given, said at the next question.
_I_MEANT = re.compile(
    r"^\s*(?:(?:sorry|oops|whoops|apologies)[,.!]?\s*)?"
    r"(?:i meant|i mean|meant|make that|that should be)[,:]?\s+(\S.*)$",
    re.I,
)


def _meant_earlier(slot: str, text: str, slots: Mapping[str, Any], today: date) -> Correction | None:
    found = _I_MEANT.match(text)
    if found is None or slot not in FORM_SLOTS:
        return None
    before = [s for s in FORM_SLOTS[: FORM_SLOTS.index(slot)] if s in FIELD_LABELS and slots.get(s) is not None]
    if not before:
        return None
    value = found.group(1).strip().rstrip(".!")
    # Only when it can't be an answer to the question of the moment (any text can be a name or an
    # organisation: there, "I meant" says it), and reads as the one before.
    if slot not in FREE_TEXT_SLOTS and not answer(slot, value, None, slots, today, documents=lambda: []).missed:
        return None
    if _correct(before[-1], value, slots, today).updates.get(before[-1]) is None:
        return None
    return Correction(before[-1], value)


def _earlier_correction(slot: str, text: str, slots: Mapping[str, Any], today: date) -> Correction | None:
    """The correction `text` makes to the answer of another question already given, if it makes one."""
    if slot == "confirmed":
        return None  # the confirmation step reads corrections itself
    correction = parse_correction(text)
    if correction is None:
        return _meant_earlier(slot, text, slots, today)
    if correction.field == slot or slots.get(correction.field) is None:
        return None
    return correction


def corrects_earlier_answer(slot: str, text: str, slots: Mapping[str, Any], today: date) -> bool:
    """Whether `text`, said at the question about `slot`, corrects the answer to another question already given."""
    return _earlier_correction(slot, text, slots, today) is not None


def _corrected(correction: Correction, asking: str, slots: Mapping[str, Any], today: date) -> Step:
    """The corrected field, or that question asked again when no new value was given; `asking` (the question
    of the moment) is cleared so that it comes back after."""
    if correction.value is None:
        return Step({correction.field: None, asking: None})
    correction = _with_name_part(correction, slots)
    step = _correct(correction.field, correction.value, slots, today)
    step.updates[asking] = None
    return step


def _earlier_answer_corrected(slot: str, text: str, slots: Mapping[str, Any], today: date) -> Step | None:
    """Said while another question is asked ("sorry, the date was wrong, it was March 2024"): the earlier
    answer is corrected (or asked again when no new value is given), then the question asked now comes back."""
    correction = _earlier_correction(slot, text, slots, today)
    if correction is None:
        return None
    step = _corrected(correction, slot, slots, today)
    new_value = step.updates.get(correction.field)
    if new_value is not None:
        # A name is said back: the assistant may have put it together ("my surname is O'Neill").
        shown = f" to {new_value}" if correction.field == "full_name" else ""
        step.say.insert(0, f"Updated your {FIELD_LABELS[correction.field]}{shown}.")
    step.missed = False  # a correction that didn't read is asked again as its own question, not a miss here
    return step


def answer_confirmation(text: str, intent: str | None, slots: Mapping[str, Any], today: date) -> Step:
    correction = parse_correction(text)
    if correction is not None:
        step = _corrected(correction, "confirmed", slots, today)
        if step.updates.get(correction.field) is not None:
            step.say.insert(0, "Updated.")  # the summary that follows shows the new value
        return step
    answer = _yes_no(text, intent)
    named = field_named(text)
    if named is not None and answer is None:
        # "the completion date", "my organisation": after "What would you like to change?", or on its own.
        return Step({named: None, "confirmed": None})
    if answer is True:
        return Step({"confirmed": True})
    if answer is False or re.search(r"\b(change|edit|wrong)\b", text, re.I):
        return Step(
            {"confirmed": None},
            ['What would you like to change? For example: "change my email to jane@uni.edu" or "change my name".'],
        )
    return Step(
        {"confirmed": None},
        ['Say "submit" to send your application, tell me what to change, or say "cancel".'],
        missed=True,
    )


def answer(
    slot: str,
    text: str,
    intent: str | None,
    slots: Mapping[str, Any],
    today: date,
    documents: Callable[[], list[DocumentInfo]],
) -> Step:
    """What the learner's reply to the question about `slot` does."""
    guess = slots.get("guess")
    if isinstance(guess, dict) and guess.get("slot") == slot:
        confirmed = _yes_no(text, intent)
        if confirmed is True:
            return _confirmed_guess(slot, guess["value"])
        if confirmed is False:
            # "no, it was more like November 2023": the right answer often comes with the no.
            rest = _NO.sub("", text, count=1).strip(" ,.;:-!")
            if rest:
                step = _answer_after_no(slot, rest, guess, slots, today, documents)
                if step.updates.get(slot) is not None or (step.updates.get("guess") or {}).get("slot") == slot:
                    step.updates.setdefault("guess", None)
                    return step
            return Step({slot: None, "guess": None}, ["OK, let's try again."])
        # Anything else is a new answer to the same question.
        step = answer(slot, text, intent, {**slots, "guess": None}, today, documents)
        step.updates.setdefault("guess", None)
        return step
    reply = aside_reply(text) if slot not in ("orcid", "document", "confirmed") else None
    if reply:
        return Step({slot: None}, [reply])
    earlier = _earlier_answer_corrected(slot, text, slots, today)
    if earlier is not None:
        return earlier
    if meant := _I_MEANT.match(text):  # "I mean UCD": a new answer to this question
        text = meant.group(1).strip().rstrip(".!")
    badge_id = slots.get("badge_id")
    if slot == "badge_id":
        return choose_badge(text)
    if slot == "training_completed":
        return answer_training_completed(text, intent, badge_id)
    if slot == "training_id":
        return choose_training(text, badge_id)
    if slot == "completion_date":
        return answer_completion_date(text, today)
    if slot == "full_name":
        return answer_full_name(text, intent, slots.get("name_offered"))
    if slot == "email":
        return answer_email(text, intent, slots.get("email_suggestion"), slots.get("email_typed"))
    if slot == "organisation":
        return answer_organisation(text)
    if slot == "orcid":
        return answer_orcid(text, intent)
    if slot == "document":
        return document_received(documents())
    return answer_confirmation(text, intent, slots, today)


def _answer_after_no(
    slot: str, rest: str, guess: Mapping[str, Any], slots: Mapping[str, Any], today: date, documents
) -> Step:
    """ "no, more like June" after "January 2024, right?": the month the learner gives, in the year of the
    date being corrected, read back because the year is the assistant's, not the learner's."""
    said = read_completion_date(rest, today) if slot == "completion_date" else None
    year = str(guess.get("value") or "")[:4]
    if said is not None and year.isdigit():
        # Read with that year added, the words mean another date only when they named no year themselves.
        check = check_completion_date(f"{rest} {year}", today)
        if check.value is not None and check.value != said.value:
            return _guess(slot, check.value.isoformat(), check.spoken)
    return answer(slot, rest, None, {**slots, "guess": None}, today, documents)


def _confirmed_guess(slot: str, value: Any) -> Step:
    if slot == "badge_id":
        step = _badge_chosen(load_catalogue().get(value))
    else:
        step = Step({slot: value})
    step.updates["guess"] = None
    return step


def details_from(slots: Mapping[str, Any]) -> Details:
    orcid = slots.get("orcid")
    return Details(
        badge_id=slots["badge_id"],
        training_id=slots["training_id"],
        completion_date=date.fromisoformat(slots["completion_date"]),
        full_name=slots["full_name"],
        email=slots["email"],
        organisation=slots["organisation"],
        orcid=None if orcid in (None, SKIPPED) else orcid,
    )
