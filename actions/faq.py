"""Answers FAQ questions, and offers "Did you mean ...?" when unsure."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.faq import load_faq
from bot.suggestions import pick_suggestions

AFFIRM = "affirm"


def _latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def cant_help(dispatcher: CollectingDispatcher) -> None:
    faq = load_faq()
    dispatcher.utter_message(text=f"{faq.message('cant_help')} {faq.message('capabilities')}")


class ActionAnswerFaq(Action):
    """Answers the topic the learner asked about, or the suggestion they said yes to."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        intent = _latest_intent(tracker)
        if intent == AFFIRM:
            intent = next(iter(tracker.get_slot("suggestions") or []), None)
        topic = load_faq().topic(intent)
        if topic is None:
            cant_help(dispatcher)
        else:
            dispatcher.utter_message(text=topic.answer)
        return [SlotSet("suggestions", None)]


class ActionDidYouMean(Action):
    """Offers the 2-3 most likely topics as buttons instead of guessing one."""

    def name(self) -> str:
        return "action_did_you_mean"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        faq = load_faq()
        ranking = tracker.latest_message.get("intent_ranking") or []
        suggestions = pick_suggestions(ranking, faq.topics)
        if not suggestions:
            cant_help(dispatcher)
            return [SlotSet("suggestions", None)]
        buttons = [{"title": faq.topics[i].title, "payload": f"/{i}"} for i in suggestions]
        buttons.append({"title": faq.message("none_of_these"), "payload": "/deny"})
        dispatcher.utter_message(text=faq.message("did_you_mean"), buttons=buttons)
        return [SlotSet("suggestions", suggestions)]
