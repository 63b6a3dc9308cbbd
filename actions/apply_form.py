"""The badge application form: validation, dynamic questions, submission and cancellation."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import InterruptibleForm, latest_intent
from actions.proving import SENT_TO, ask_for_code, is_proven, read_code_reply
from bot.applying import prompts
from bot.applying.answers import FORM_SLOTS, HELPER_SLOTS, Step, answer, describes_a_training, details_from
from bot.applying.answers import corrects_earlier_answer as earlier_answer_corrected
from bot.applying.catalogue import load_catalogue
from bot.identity import SHARED_FILES_KEY, identity_of
from bot.notices.tell import queue_review_post
from bot.notices.worker import RIGHT_AWAY_SECONDS, deliver_quietly
from bot.proving.replies import read_reply
from bot.settings import public_web_url, slack
from bot.slack.files import attach_shared_file
from bot.store.applications import ApplicationStore, UploadRejected
from bot.store.conversations import REDACTED
from bot.store.db import DatabaseUnavailable
from bot.store.uploads import STUCK_AFTER

log = logging.getLogger(__name__)
STORE_DOWN = (
    "I can't reach our application database right now, so I can't save this step. "
    'Your answers so far are kept: say "continue my application" in a minute to pick up here.'
)


UNPROVEN = "Before I file it, I need to confirm your email address again: it's been a while since the code."


def _say(dispatcher: CollectingDispatcher, step: Step) -> dict[str, Any]:
    for text in step.say:
        dispatcher.utter_message(text=text)
    return step.updates


def _ask(dispatcher: CollectingDispatcher, prompt: prompts.Prompt) -> None:
    dispatcher.utter_message(text=prompt.text, buttons=list(prompt.buttons))


def _ask_for(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, prompt: prompts.Prompt) -> None:
    """The question about `slot`: an answer to confirm first, or after two misses the question put another
    way, else `prompt`."""
    slots = _slots(tracker)
    guess = slots.get("guess")
    if isinstance(guess, dict) and guess.get("slot") == slot:
        _ask(dispatcher, prompts.prompt_guess(guess))
    elif prompts.needs_help(slots):
        _ask(dispatcher, prompts.prompt_after_misses(slot, slots))
    else:
        _ask(dispatcher, prompt)


# The email question is followed by the code that proves the address (actions/proving.py), unless the
# address is the learner's Slack profile's: Slack verified that one.
CODE_SLOTS = ("email_code", SENT_TO)


def _slots(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in FORM_SLOTS + HELPER_SLOTS + CODE_SLOTS}


def _profile_email(tracker: Tracker, email: str | None) -> bool:
    """Whether `email` is the address of the learner's verified Slack profile."""
    identity = _identity(tracker)
    return bool(identity and identity.email and email and identity.email.lower() == email.lower())


def _with_code_question(tracker: Tracker, slots: list[str]) -> list[str]:
    email = tracker.get_slot("email")
    if _profile_email(tracker, email) or (email and tracker.get_slot("email_code") == email.lower()):
        return slots
    return slots[: slots.index("email") + 1] + ["email_code"] + slots[slots.index("email") + 1 :]


def _identity(tracker: Tracker):
    """The learner as their channel verified them (Slack), else None."""
    return identity_of(tracker.latest_message.get("metadata"), tracker.get_latest_input_channel())


def _validated_before_this_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the learner's latest message if the form had set it, that is, had
    validated it; None otherwise (a value Rasa's slot extraction stored was never checked)."""
    users = [index for index, event in enumerate(tracker.events) if event.get("event") == "user"]
    value, action = None, None
    for event in tracker.events[: users[-1] if users else 0]:
        if event.get("event") == "action":
            action = event.get("name")
        elif event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value") if action == "apply_form" else None
        elif event.get("event") in ("restart", "reset_slots"):
            value = None
    return value


def _cleared() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in FORM_SLOTS + HELPER_SLOTS + CODE_SLOTS + ("requested_slot",)]


class ValidateApplyForm(InterruptibleForm):
    # "where is my application?" while filling it in: the one being filled in isn't sent yet.
    asides = {"check_status": prompts.STATUS_MID_FORM}
    leaving_for_a_person = prompts.KEPT_FOR_LATER

    def name(self) -> str:
        return "validate_apply_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # Not eligible: no more questions; action_finish_application then stores nothing.
        return [] if tracker.get_slot("eligible") is False else _with_code_question(tracker, list(FORM_SLOTS))

    async def run(self, dispatcher, tracker, domain):
        intent, _ = latest_intent(tracker)
        resumed = not _form_was_active(tracker)  # mid-form, "the team science fundamentals workshop" is an answer
        if resumed and intent == "apply_badge" and any(tracker.get_slot(s) is not None for s in FORM_SLOTS):
            dispatcher.utter_message(text="Welcome back: let's pick up your application where we left off.")
        return await super().run(dispatcher, tracker, domain)

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        """("Team Science Fundamentals" reads like an FAQ question to the classifier, but it
        answers "which badge?")."""
        if slot == "document":
            return False  # any message only prompts a look for the upload; its words answer nothing
        if slot == "email_code":
            return read_reply(text).kind != "other"
        try:
            updates = self._step(slot, text, tracker).updates
        except DatabaseUnavailable:
            return False
        guessed = (updates.get("guess") or {}).get("slot") == slot
        # A training described but not one that qualifies is still an answer: it gets which ones do.
        described = slot == "training_id" and describes_a_training(text)
        return updates.get(slot) is not None or guessed or described

    def corrects_earlier_answer(self, slot: str, text: str, tracker: Tracker) -> bool:
        return earlier_answer_corrected(slot, text, _slots(tracker), date.today())

    def back_from_elsewhere(self, slot: str, tracker: Tracker) -> bool:
        """Once the file has arrived, any message at the document step is the learner back from the upload
        ("I've uploaded certificate.pdf" reads like a question about documents, but is none)."""
        if slot != "document":
            return False
        try:
            return bool(ApplicationStore().draft_documents(tracker.sender_id))
        except DatabaseUnavailable:
            return False

    async def cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """Ends the form (requested_slot None), forgets the answers and deletes any upload."""
        try:
            await asyncio.to_thread(ApplicationStore().cancel_draft, tracker.sender_id)
        except DatabaseUnavailable:
            pass  # a leftover draft is never reviewed or issued; the learner is not blocked
        dispatcher.utter_message(text=prompts.CANCELLED)
        return _cleared()

    def _step(self, slot: str, text: str, tracker: Tracker) -> Step:
        intent, _ = latest_intent(tracker)
        if slot == "document" and _identity(tracker) and _shared_files(tracker):
            try:
                _attach_shared_files(tracker)
            except UploadRejected as refused:  # the same rules and words as a web upload
                return Step({"document": None}, [str(refused)])
        return answer(
            slot,
            text,
            intent,
            _slots(tracker),
            date.today(),
            documents=lambda: ApplicationStore().draft_documents(tracker.sender_id),
        )

    async def extract_badge_id(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """The badge may be named in the message that starts the application."""
        if tracker.get_slot("badge_id") or tracker.get_slot("requested_slot"):
            return {}
        text = tracker.latest_message.get("text") or ""
        return {"badge_id": text} if load_catalogue().match(text) else {}

    async def _validate(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if value is not None and value == _validated_before_this_message(tracker, slot):
            # Accepted when it was given: a resumed form ("continue my application") re-checks every
            # answer it already has, and a stored value is not something the learner typed again.
            return {slot: value}
        try:
            # In a thread: the document step reads the database, which must not stall other conversations.
            step = await asyncio.to_thread(self._step, slot, str(value), tracker)
            updates = _say(dispatcher, step)
            new_email = updates.get("email")
            if "email" in updates and (new_email or "").lower() != (tracker.get_slot("email_code") or ""):
                updates["email_code"] = None  # a new address (typed, or corrected later) is proven anew
            # Misses in a row are counted so that the question changes tack after two (prompts.prompt_after_misses).
            updates["misses"] = int(tracker.get_slot("misses") or 0) + 1 if step.missed else None
            return updates
        except DatabaseUnavailable:
            dispatcher.utter_message(text=STORE_DOWN)
            return {slot: None}

    async def validate_email_code(self, value, dispatcher, tracker, domain):
        return await read_code_reply(dispatcher, tracker, value, "email", "email_code", "apply")

    def __getattr__(self, name: str):
        """`validate_<slot>` for every other question of the form, looked up by name as rasa_sdk does:
        each checks the answer with bot/applying/answers.py (`_validate`)."""
        slot = name.removeprefix("validate_")
        if slot == name or slot not in FORM_SLOTS:
            raise AttributeError(name)

        async def validate(value, dispatcher, tracker, domain):
            return await self._validate(slot, value, dispatcher, tracker)

        return validate


def _form_was_active(tracker: Tracker) -> bool:
    """Whether the application form was already going when the learner sent their latest message."""
    active, when_spoken = None, None
    for event in tracker.events:
        if event.get("event") == "active_loop":
            active = event.get("name")
        elif event.get("event") == "user":
            when_spoken = active
    return when_spoken == "apply_form"


def _shared_files(tracker: Tracker) -> list[str]:
    files = (tracker.latest_message.get("metadata") or {}).get(SHARED_FILES_KEY)
    return [str(f) for f in files] if isinstance(files, list) else []


def _attach_shared_files(tracker: Tracker) -> None:
    """Files the learner shared in Slack, attached to their draft through its upload token."""
    settings, token = slack(), tracker.get_slot("upload_token")
    if settings is None or not token:
        return
    for file_id in _shared_files(tracker)[:1]:  # one document per application step
        attach_shared_file(ApplicationStore(), token, settings, file_id)


class AskQuestion(Action, ABC):
    """Asks the question about `slot` (bot/applying/prompts.py): an answer to confirm first, or after two
    misses the question put another way. One subclass per question (below), each registered by the action
    server under its name, action_ask_<slot>, as the domain lists it. (Abstract, so the action server does
    not register this one.)"""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot whose question this action asks."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher, tracker, domain):
        _ask_for(dispatcher, tracker, self.slot, prompts.question(self.slot, _slots(tracker)))
        return []


def _asking(slot: str) -> type[AskQuestion]:
    """The action that asks the question about `slot` and nothing else (AskCompletionDate, ...)."""
    name = "Ask" + "".join(word.title() for word in slot.split("_"))
    return type(name, (AskQuestion,), {"slot": slot, "__module__": __name__, "__doc__": f"Asks for {slot}."})


# The questions asked as they are; full_name and email first offer a verified profile's value (below).
QUESTIONS = {
    slot: _asking(slot)
    for slot in (
        "badge_id",
        "training_completed",
        "training_id",
        "completion_date",
        "organisation",
        "orcid",
        "confirmed",
    )
}


class AskFullName(AskQuestion):
    """In Slack the profile's name is offered first; elsewhere, or once declined, it is asked."""

    slot = "full_name"

    async def run(self, dispatcher, tracker, domain):
        identity = _identity(tracker)
        if identity and identity.name and tracker.get_slot("name_offered") is None:
            _ask(dispatcher, prompts.prompt_profile_name(identity.name))
            return [SlotSet("name_offered", identity.name)]
        return await super().run(dispatcher, tracker, domain)


class AskEmail(AskQuestion):
    """In Slack the profile's address is offered first, confirmed like a typo correction."""

    slot = "email"

    async def run(self, dispatcher, tracker, domain):
        identity = _identity(tracker)
        suggestion = tracker.get_slot("email_suggestion")
        if identity and identity.email and not suggestion and not tracker.get_slot("email_offered"):
            _ask(dispatcher, prompts.prompt_profile_email(identity.email))
            return [SlotSet("email_suggestion", identity.email), SlotSet("email_offered", True)]
        return await super().run(dispatcher, tracker, domain)


class AskEmailCode(Action):
    """Sends the code that proves the address just given (once per address), then asks for it."""

    def name(self) -> str:
        return "action_ask_email_code"

    async def run(self, dispatcher, tracker, domain):
        return await ask_for_code(dispatcher, tracker, tracker.get_slot("email"), "apply")


class AskDocument(Action):
    """Sends a one-time upload link bound to this conversation's draft (reused while still valid)."""

    def name(self) -> str:
        return "action_ask_document"

    async def run(self, dispatcher, tracker, domain):
        token = tracker.get_slot("upload_token")
        store = ApplicationStore()
        try:
            token = await asyncio.to_thread(
                _upload_token, store, token, tracker.sender_id, tracker.get_slot("badge_id")
            )
            # Two uploads refused: stuck, so the question offers a person (the answers so far are kept).
            stuck = await asyncio.to_thread(store.refused_uploads, tracker.sender_id) >= STUCK_AFTER
        except DatabaseUnavailable:
            dispatcher.utter_message(text=STORE_DOWN)
            return []
        url = f"{public_web_url()}/upload/{token}"
        in_slack = _identity(tracker) is not None and slack() is not None
        if prompts.needs_help(_slots(tracker)):
            _ask(dispatcher, prompts.prompt_after_misses("document", _slots(tracker)))
        badge = tracker.get_slot("badge_id")
        _ask(dispatcher, prompts.prompt_document(badge, url, can_share_here=in_slack, stuck=stuck))
        # For the website widget: upload in place, then send {"upload_token": ...} as message metadata.
        dispatcher.utter_message(json_message={"upload": {"url": url, "token": token}})
        return [SlotSet("upload_token", token)]


def _upload_token(store: ApplicationStore, current: str | None, conversation_id: str, badge_id: str) -> str:
    """The conversation's upload token: the current one while it is still valid, else a new one.
    A conversation read back from the conversation store after a restart holds only a redacted form
    of its token (bot/store/conversations.py: links are never kept in clear), so it gets a new one."""
    if current and not current.startswith(REDACTED) and store.upload_link_valid(current):
        return current
    return store.start_draft(conversation_id, badge_id).token


class FinishApplication(Action):
    """The form is complete: submit, or (not eligible) store nothing."""

    def name(self) -> str:
        return "action_finish_application"

    async def run(self, dispatcher, tracker, domain):
        slots = _slots(tracker)
        if slots["eligible"] is False or slots["confirmed"] is not True:
            return _cleared()
        identity = _identity(tracker)
        filed_by = identity.key if identity else None
        try:
            if not (
                _profile_email(tracker, slots["email"]) or await is_proven(tracker.sender_id, slots["email"], "apply")
            ):
                # The code proved it earlier, but not recently enough (a day): prove it again, then file.
                dispatcher.utter_message(text=UNPROVEN)
                return [SlotSet("email_code", None), SlotSet(SENT_TO, None), SlotSet("confirmed", None),
                        FollowupAction("apply_form")]  # fmt: skip
            submission = await asyncio.to_thread(
                ApplicationStore().submit, tracker.sender_id, details_from(slots), filed_by
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(text=STORE_DOWN)
            return [SlotSet("confirmed", None)]
        except UploadRejected as missing:
            dispatcher.utter_message(text=f'{missing} Say "continue my application" to upload it.')
            return [SlotSet("document", None), SlotSet("confirmed", None), SlotSet("upload_token", None)]
        dispatcher.utter_message(text=prompts.submitted_message(submission))
        if not submission.duplicate:
            await _queue_review_post(submission.reference)
        return _cleared()


async def _queue_review_post(reference: str) -> None:
    """The reviewers' post goes through the notice outbox, tried once right away (reviewers see it
    within a second, as before) for at most a few seconds; the outbox's worker retries it. Nothing
    here may raise: the application is stored, and an error now would lose the learner's reference."""
    try:
        store = ApplicationStore()
        notice = await asyncio.to_thread(queue_review_post, store, reference)
        if notice is not None:
            # A slower try carries on in its thread and records its outcome; the learner is not kept waiting.
            await asyncio.wait_for(asyncio.to_thread(deliver_quietly, store, notice), RIGHT_AWAY_SECONDS)
    except Exception as error:
        log.warning("the reviewers' post of a new application: %s", type(error).__name__)
