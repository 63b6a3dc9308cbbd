"""When unsure what the learner meant: offer likely topics, and answer the one they pick."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import answer_several, several_questions
from bot.answers.faq import load_faq
from bot.answers.responses import response_name
from bot.answers.suggestions import pick_suggestions


def cant_help(dispatcher: CollectingDispatcher) -> None:
    faq = load_faq()
    dispatcher.utter_message(text=f"{faq.message('cant_help')} {faq.message('capabilities')}")


class ActionAnswerSuggestion(Action):
    """The learner said yes to "Did you mean ...?": answer the first topic offered."""

    def name(self) -> str:
        return "action_answer_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        intent = next(iter(tracker.get_slot("suggestions") or []), None)
        if load_faq().topic(intent) is None:
            cant_help(dispatcher)
        else:
            dispatcher.utter_message(response=response_name(intent))
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


class ActionAnswerQuestions(Action):
    """A message that asks several things (the classifier marks each part): every part gets its answer."""

    def name(self) -> str:
        return "action_answer_questions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        answer_several(dispatcher, several_questions(tracker), tracker.latest_message.get("text") or "")
        return [SlotSet("suggestions", None)]
