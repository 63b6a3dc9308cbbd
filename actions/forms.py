"""What every form of the assistant does with a message that is not an answer.

A learner in the middle of a form may ask an FAQ question, ask for a person, say "stop" or click 👍 / 👎
under an earlier answer. What the
turn is, is decided in bot/applying/turns.py (decide_turn) from the form's state and the message;
the form's validation action here builds that state from the tracker and does what the turn says:
answers the aside and asks its question again, ends the form, or validates the answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.closest import say_closest
from actions.feedback import take_feedback
from bot.answers.faq import load_faq
from bot.answers.several import answers_for
from bot.applying.turns import FormState, Kind, Message, decide_turn, questions_asked

HANDOFF = "human_handoff"


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def message_of(tracker: Tracker) -> Message:
    """The learner's latest message, as the classifier read it."""
    intent, confidence = latest_intent(tracker)
    latest = tracker.latest_message
    return Message(
        text=latest.get("text") or "",
        intent=intent,
        confidence=confidence,
        ranking=tuple(latest.get("intent_ranking") or []),
        entities=tuple(latest.get("entities") or []),
    )


class InterruptibleForm(FormValidationAction, ABC):
    """A FormValidationAction that handles asides and "stop" before validating answers.
    (Abstract, so the action server does not register it as an action of its own.)"""

    # What this form says to an intent that is an aside only here (intent -> reply), beyond the shared ones.
    asides: Mapping[str, str] = {}
    # Said when the learner asks for a person mid-form, before the offer of one (the form is left).
    leaving_for_a_person: str | None = None

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

    def form_state(self, tracker: Tracker) -> FormState:
        """The form where the learner is, with its own readings of a message."""
        requested = tracker.get_slot("requested_slot")
        return FormState(
            requested,
            asides=self.asides,
            answers=lambda text: self.answers(requested, text, tracker),
            corrects_earlier_answer=lambda text: self.corrects_earlier_answer(requested, text, tracker),
            back_from_elsewhere=lambda: self.back_from_elsewhere(requested, tracker),
        )

    async def run(self, dispatcher, tracker, domain):
        state, message = self.form_state(tracker), message_of(tracker)
        turn = decide_turn(state, message)
        match turn.kind:
            case Kind.CANCEL:
                return await self.cancel(dispatcher, tracker)
            case Kind.FEEDBACK:
                return [*take_feedback(dispatcher, tracker, in_form=True), SlotSet(state.requested, None)]
            case Kind.UPLOAD_DONE | Kind.CORRECTION | Kind.ANSWER:
                return await super().run(dispatcher, tracker, domain)  # validated as an answer
            case Kind.FORM_QUESTION:
                dispatcher.utter_message(text=turn.reply)
            case Kind.ASIDE if turn.intent == HANDOFF and HANDOFF not in self.asides:
                return self.leave_for_a_person(dispatcher, tracker)
            case Kind.ASIDE:
                answer_aside(dispatcher, turn.intent, self.asides)
            case Kind.SEVERAL_QUESTIONS:
                answer_several(dispatcher, list(turn.questions), message.text)
            case Kind.UNSURE:
                say_closest(dispatcher, turn.closest, offer=False)
        return [SlotSet(state.requested, None)]  # answered, nothing filled: the form asks its question again

    def leave_for_a_person(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """A person asked for mid-form: the form is left (requested_slot None ends it) and a person offered
        next, with the learner's consent asked (actions/handoff.py). The FollowupAction comes before the
        rule that follows a completed form, so nothing is submitted or thrown away."""
        if self.leaving_for_a_person:
            dispatcher.utter_message(text=self.leaving_for_a_person)
        return [*self.forgotten_when_left(), SlotSet("requested_slot", None), FollowupAction("action_offer_handoff")]

    def forgotten_when_left(self) -> list[dict[str, Any]]:
        """The slots cleared when the learner leaves the form for a person (by default none: kept to resume)."""
        return []


def several_questions(tracker: Tracker) -> list[tuple[str, int, int]]:
    """The parts of a message that asks several things (marked by the intent classifier), if it does."""
    return questions_asked(tracker.latest_message.get("entities") or [])


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
    elif intent == "bot_challenge":
        dispatcher.utter_message(response="utter_iamabot")
    elif intent == "out_of_scope":
        # "what's the weather in Boston?" at the organisation question is declined, never stored as an answer.
        dispatcher.utter_message(text=load_faq().message("cant_help"))
    else:
        dispatcher.utter_message(
            text='Please answer the question below, ask me anything about badges, or say "stop" to leave this.'
        )
