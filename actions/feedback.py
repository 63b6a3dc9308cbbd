"""👍 / 👎 on an answer, or "that didn't help" typed: the assistant's reply, and the vote kept in the
conversation, where the staff's analytics read it (bot/answers/feedback.py says how a vote is read)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.offering import offer_a_person_if_due
from bot.answers import feedback
from bot.answers.faq import load_faq


def take_feedback(dispatcher: CollectingDispatcher, tracker: Tracker, in_form: bool = False) -> list[dict[str, Any]]:
    """Replies to the vote and returns the events that keep it. "What was missing?" is asked once per
    conversation, and never in a form: there the learner's next words answer the form's question."""
    faq = load_faq()
    vote = feedback.vote_from(tracker.latest_message.get("entities") or [])
    answered = feedback.answer_voted_on(tracker.events, faq, vote.topic)
    ask = not vote.helpful and not in_form and answered is not None and not tracker.get_slot(feedback.ASKED_SLOT)
    dispatcher.utter_message(text=feedback.reply(faq, vote, ask))
    if answered is None:  # no such answer in this conversation: nothing to count
        return []
    events = [SlotSet(feedback.RECORD_SLOT, feedback.record(answered, vote, ask_note=ask))]
    if ask:
        events.append(SlotSet(feedback.ASKED_SLOT, True))
    if not vote.helpful and not in_form:
        events += offer_a_person_if_due(tracker)
    return events


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        return take_feedback(dispatcher, tracker)
