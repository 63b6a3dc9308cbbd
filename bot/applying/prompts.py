"""What the assistant says in the application form: each question, the summary to confirm, and the replies
that end the form.

Each question is a Prompt, its text and its buttons. After two answers in a row that were not understood,
a question is asked another way (prompt_after_misses); an answer read with some doubt is read back first
(prompt_guess). The Rasa actions only send these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.answers.faq import load_faq
from bot.applying.answers import BADGE_QUESTION, SKIPPED
from bot.applying.catalogue import load_catalogue

# After this many misses in a row the question is not asked the same way again (prompt_after_misses).
MISSES_BEFORE_HELP = 2
CANCELLED = (
    "OK, I've cancelled your application. Nothing was submitted, and any file you uploaded "
    "for it has been deleted. You can start again any time."
)
# The application left for a person (actions/forms.py): its answers are kept in the conversation.
KEPT_FOR_LATER = 'Your answers so far are kept: say "continue my application" any time to pick up where you left off.'
STATUS_MID_FORM = (
    "This application isn't sent yet: we're filling it in now, and when it's submitted you'll get its "
    'reference. To check one you sent before, finish or say "stop" here, then ask me "where is my application?".'
)


def summary(slots: Mapping[str, Any]) -> str:
    catalogue = load_catalogue()
    badge = catalogue.get(slots.get("badge_id"))
    training = badge.training(slots.get("training_id")) if badge else None
    orcid = slots.get("orcid")
    lines = [
        "Here is your application:",
        f"- Badge: {badge.name if badge else '?'}",
        f"- Qualifying training: {training.name if training else '?'}",
        f"- Completed: {slots.get('completion_date')}",
        f"- Name: {slots.get('full_name')}",
        f"- Email: {slots.get('email')}",
        f"- Organisation: {slots.get('organisation')}",
        f"- ORCID iD: {orcid if orcid and orcid != SKIPPED else 'not given'}",
        f"- Document: {slots.get('document')}",
        'Shall I submit it? You can also change any of it ("change my email to ...") or cancel.',
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: tuple[dict, ...] = ()


def _button(title: str, payload: str | None = None) -> dict:
    return {"title": title, "payload": payload or title}


def prompt_badge() -> Prompt:
    badges = load_catalogue().badges
    return Prompt(BADGE_QUESTION, tuple(_button(b.name) for b in badges))


def prompt_training_completed(badge_id: str) -> Prompt:
    badge = load_catalogue().get(badge_id)
    names = " or ".join(t.name for t in badge.trainings)
    return Prompt(
        f"Have you completed a qualifying training for the {badge.name} badge ({names})?",
        (_button("Yes", "/affirm"), _button("No", "/deny")),
    )


def prompt_training(badge_id: str) -> Prompt:
    badge = load_catalogue().get(badge_id)
    buttons = tuple(_button(t.name) for t in badge.trainings) + (_button("Another training"),)
    return Prompt("Which qualifying training did you complete?", buttons)


TALK_TO_A_PERSON = _button("Talk to a person", "/human_handoff")
STOP_APPLYING = _button("Stop applying", "/stop")


def prompt_guess(guess: Mapping[str, Any]) -> Prompt:
    """ "February 2025, right?": an answer read with some doubt, read back before it is stored."""
    return Prompt(f"{guess['spoken']}, right?", (_button("Yes", "/affirm"), _button("No", "/deny")))


# What each question needs, said plainly when the learner's answers were not understood twice in a row.
NEEDED = {
    "badge_id": "Let me make it easier: choose the badge you're applying for below.",
    "training_completed": "Let me put it another way: have you already finished a qualifying training? Choose below.",
    "training_id": (
        'Let me make it easier: choose your training below. If it isn\'t one of these, choose "Another training".'
    ),
    "completion_date": (
        'I need the month and year you finished the training, for example "March 2024", or the exact day like '
        "\"2024-03-15\". If you don't remember exactly, an approximate answer is fine: I'll read it back to you."
    ),
    "full_name": (
        'I need your first and last name as they should appear on your badge, for example "Jane Doe" or '
        '"María José de la Cruz": letters, spaces, hyphens and apostrophes.'
    ),
    "email": "I need an email address like jane.doe@uni.edu: Credly sends your badge there.",
    "organisation": 'I need the name of your university, hospital or company, for example "UNC Chapel Hill".',
    "orcid": 'An ORCID iD has 16 characters, like 0000-0002-1825-0097. It\'s optional: choose "Skip" to leave it out.',
    "document": (
        "I still haven't received your file. Upload it with the link (a PDF, PNG or JPEG of up to 10 MB), then "
        'say "done". If it won\'t upload, a person can help.'
    ),
    "confirmed": "Please choose one of these: submit your application, change something, or cancel it.",
}


def prompt_after_misses(slot: str, slots: Mapping[str, Any]) -> Prompt:
    """The question asked another way, after two answers in a row were not understood: what it needs, the
    choices as buttons where there are choices, and a person to talk to (never the same question a third time)."""
    badge = load_catalogue().get(slots.get("badge_id"))
    choices: tuple[dict, ...] = ()
    if slot == "badge_id":
        choices = prompt_badge().buttons
    elif slot == "training_completed":
        choices = (_button("Yes", "/affirm"), _button("No", "/deny"))
    elif slot == "training_id" and badge:
        choices = prompt_training(badge.id).buttons
    elif slot == "orcid":
        choices = (_button("Skip", "skip"),)
    elif slot == "confirmed":
        choices = prompt_confirmation(slots).buttons
    contact = f" Or talk to a person: {load_faq().contact()}."
    ways_out = (TALK_TO_A_PERSON,) if slot == "confirmed" else (TALK_TO_A_PERSON, STOP_APPLYING)
    return Prompt(NEEDED[slot] + contact, choices + ways_out)


def needs_help(slots: Mapping[str, Any]) -> bool:
    return int(slots.get("misses") or 0) >= MISSES_BEFORE_HELP


def prompt_completion_date() -> Prompt:
    return Prompt('When did you complete it? A date like 2024-03-15, "March 2024" or "last spring" is fine.')


def prompt_organisation() -> Prompt:
    return Prompt("Which organisation or institution are you with?")


def prompt_orcid() -> Prompt:
    return Prompt(
        "If you have an ORCID iD, type it (like 0000-0002-1825-0097). It's optional: say \"skip\" if you'd rather not."
    )


def prompt_email(suggestion: str | None, typed: str | None) -> Prompt:
    if suggestion:
        return Prompt(
            f"Did you mean {suggestion}?",
            (_button(f"Yes, {suggestion}", "/affirm"), _button(f"No, keep {typed}", "/deny")),
        )
    return Prompt("What email address should we use? Credly will send your badge there, from admin@credly.com.")


def prompt_full_name() -> Prompt:
    return Prompt("What is your full name, as it should appear on the badge?")


def prompt_profile_name(name: str) -> Prompt:
    return Prompt(
        f"Shall I put {name} on your badge, as in your Slack profile?",
        (_button(f"Yes, {name}", "/affirm"), _button("No, I'll type it", "/deny")),
    )


def prompt_profile_email(email: str) -> Prompt:
    return Prompt(
        f"Shall we use {email}, the email address of your Slack profile? Credly will send your badge there, "
        "from admin@credly.com.",
        (_button(f"Yes, {email}", "/affirm"), _button("No, another address", "/deny")),
    )


def prompt_document(badge_id: str, url: str, can_share_here: bool = False, stuck: bool = False) -> Prompt:
    """The document's question; `stuck` (two uploads refused) adds the way to a person."""
    badge = load_catalogue().get(badge_id)
    document = badge.documents[0].name if badge and badge.documents else "certificate"
    buttons = (TALK_TO_A_PERSON,) if stuck else ()
    if can_share_here:
        return Prompt(
            f"Please share your {document} (PDF, PNG or JPEG, up to 10 MB) here: drag the file into this "
            f"conversation. Or upload it with this one-time link: {url}",
            buttons,
        )
    return Prompt(
        f"Please upload your {document} (PDF, PNG or JPEG, up to 10 MB) with this one-time link: "
        f'{url}\nWhen it\'s uploaded, come back here and say "done".',
        buttons,
    )


def prompt_confirmation(slots: Mapping[str, Any]) -> Prompt:
    return Prompt(
        summary(slots), (_button("Submit", "/affirm"), _button("Change something"), _button("Cancel", "/stop"))
    )


def submitted_message(submission) -> str:
    if submission.duplicate:
        # Nothing the status check protects: anyone can type an email address.
        return (
            "An application for this badge is already open for that email address, so I haven't filed a "
            "second one, and the document you just uploaded wasn't kept. Its reference was given when it was "
            "filed: you can ask me about its status with that reference and your email. If you can't find "
            f"the reference, please contact {load_faq().contact()}."
        )
    return (
        f"Your application is submitted. Your reference is {submission.reference}: please keep it. "
        "What happens next: an ACTS reviewer checks your application and document. If it is approved, "
        "Credly emails you from admin@credly.com with instructions for claiming your badge. "
        "You can ask me about its status any time with your reference and email."
    )


# The questions asked the same way wherever the learner is (full_name and email are first offered from a
# verified profile, and the document question sends an upload link: their actions say so themselves).
_QUESTIONS: dict[str, Callable[[Mapping[str, Any]], Prompt]] = {
    "badge_id": lambda slots: prompt_badge(),
    "training_completed": lambda slots: prompt_training_completed(slots.get("badge_id")),
    "training_id": lambda slots: prompt_training(slots.get("badge_id")),
    "completion_date": lambda slots: prompt_completion_date(),
    "full_name": lambda slots: prompt_full_name(),
    "email": lambda slots: prompt_email(slots.get("email_suggestion"), slots.get("email_typed")),
    "organisation": lambda slots: prompt_organisation(),
    "orcid": lambda slots: prompt_orcid(),
    "confirmed": prompt_confirmation,
}


def question(slot: str, slots: Mapping[str, Any]) -> Prompt:
    """The question about `slot`, from the answers so far (`slots`)."""
    return _QUESTIONS[slot](slots)
