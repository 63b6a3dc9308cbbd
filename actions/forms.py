"""What every form of the assistant does with a message that is not an answer.

A learner in the middle of a form may ask an FAQ question, ask for a person or
say "stop". The form's validation action answers the aside and asks its
question again, or ends the form; only a confident classification counts, and
never when the message is in fact a valid answer to the question asked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.closest import say_closest
from bot.answers.faq import load_faq
from bot.answers.several import answers_for
from bot.answers.suggestions import FALLBACK, Closest, closest_answers
from bot.applying import steps


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


class InterruptibleForm(FormValidationAction, ABC):
    """A FormValidationAction that handles asides and "stop" before validating answers.
    (Abstract, so the action server does not register it as an action of its own.)"""

    # What this form says to an intent that is an aside only here (intent -> reply), beyond the shared ones.
    asides: Mapping[str, str] = {}

    @abstractmethod
    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        """Whether `text` is a valid answer to the question about `slot`."""

    def corrects_earlier_answer(self, slot: str, text: str, tracker: Tracker) -> bool:
        """Whether the message corrects an answer given to an earlier question ("the date was wrong, ...")."""
        return False

    def back_from_elsewhere(self, slot: str, tracker: Tracker) -> bool:
        """Whether the message only says the learner is back from doing what the question asked (an upload)."""
        return False

    @abstractmethod
    async def cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """Ends the form; must set requested_slot to None."""

    async def run(self, dispatcher, tracker, domain):
        requested = tracker.get_slot("requested_slot")
        intent, confidence = latest_intent(tracker)
        text = tracker.latest_message.get("text") or ""
        if steps.is_cancel(requested, text, intent, confidence) and (
            steps.plainly_stop(requested, text) or not self.answers(requested, text, tracker)
        ):
            return await self.cancel(dispatcher, tracker)
        if requested and self.back_from_elsewhere(requested, tracker):
            return await super().run(dispatcher, tracker, domain)
        if requested and self.corrects_earlier_answer(requested, text, tracker):
            return await super().run(dispatcher, tracker, domain)  # however the classifier read it
        about_form = steps.question_about_form(requested, text)
        if about_form and not self.answers(requested, text, tracker):
            dispatcher.utter_message(text=about_form)
            return [SlotSet(requested, None)]  # answered; the form asks its question again
        # A name or organisation can be almost any words, so there a plain question decides:
        # "what's the weather like in boston today" would pass as an organisation.
        if steps.is_interruption(requested, text, intent, confidence, also=self.asides) and (
            steps.plainly_a_question(requested, text) or not self.answers(requested, text, tracker)
        ):
            answer_aside(dispatcher, intent, self.asides)
            return [SlotSet(requested, None)]  # nothing filled: the form asks its question again
        asked = several_questions(tracker)
        if requested and asked and not self.answers(requested, text, tracker):
            answer_several(dispatcher, asked, text)
            return [SlotSet(requested, None)]
        closest = unsure_question(requested, text, tracker)
        if closest is not None and (
            steps.plainly_a_question(requested, text) or not self.answers(requested, text, tracker)
        ):
            say_closest(dispatcher, closest, offer=False)
            return [SlotSet(requested, None)]  # answered as well as it could be; the question again
        return await super().run(dispatcher, tracker, domain)


def unsure_question(requested: str | None, text: str, tracker: Tracker) -> Closest | None:
    """A question the classifier is unsure of, asked mid-form ("do badges carry any weight"): its closest
    answers, or None when it isn't a question or nothing is plausible (then it is read as an answer)."""
    intent, confidence = latest_intent(tracker)
    if requested is None or not steps.asks(text):
        return None
    if intent != FALLBACK and confidence >= steps.INTERRUPTION_CONFIDENCE:
        return None
    closest = closest_answers(tracker.latest_message.get("intent_ranking") or [], load_faq().topics)
    return closest if closest.answered else None


def several_questions(tracker: Tracker) -> list[tuple[str, int, int]]:
    """The parts of a message that asks several things (marked by the intent classifier), if it does."""
    return [
        (str(e.get("value")), int(e.get("start", 0)), int(e.get("end", 0)))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == "question"
    ]


def answer_several(dispatcher: CollectingDispatcher, asked: list[tuple[str, int, int]], text: str) -> None:
    for said in answers_for([(intent, text[start:end]) for intent, start, end in asked], load_faq()):
        if said.response:
            dispatcher.utter_message(response=said.response)
        else:
            dispatcher.utter_message(text=said.text)


def answer_aside(dispatcher: CollectingDispatcher, intent: str, own: Mapping[str, str]) -> None:
    if intent in own:
        dispatcher.utter_message(text=own[intent])
    elif load_faq().topic(intent) is not None:
        dispatcher.utter_message(response=f"utter_{intent}")
    elif intent == "human_handoff":
        dispatcher.utter_message(text=load_faq().message("contact"))
    elif intent == "bot_challenge":
        dispatcher.utter_message(response="utter_iamabot")
    elif intent == "out_of_scope":
        # "what's the weather in Boston?" at the organisation question is declined, never stored as an answer.
        dispatcher.utter_message(text=load_faq().message("cant_help"))
    else:
        dispatcher.utter_message(
            text='Please answer the question below, ask me anything about badges, or say "stop" to leave this.'
        )
