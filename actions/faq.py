"""When unsure what the learner meant: answer the closest readings and offer the next; several questions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.closest import say_closest
from actions.forms import answer_several, several_questions
from actions.offering import offer_a_person_if_due
from bot.answers.faq import load_faq
from bot.answers.suggestions import closest_answers, only_thanks


def cant_help(dispatcher: CollectingDispatcher) -> None:
    faq = load_faq()
    dispatcher.utter_message(text=f"{faq.message('cant_help')} {faq.message('capabilities')}")


class ActionClosestAnswers(Action):
    """Unsure what the learner meant: answer the likeliest reading (and a close second), saying so,
    and offer the next one and "None of these" as buttons. Nothing plausible: say so, never guess (a
    thank-you read unsurely is still a thank-you)."""

    def name(self) -> str:
        return "action_closest_answers"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        faq = load_faq()
        ranking = tracker.latest_message.get("intent_ranking") or []
        closest = closest_answers(ranking, faq.topics)
        if not closest.answered:
            if only_thanks(ranking):
                dispatcher.utter_message(response="utter_youre_welcome")
                return []
            cant_help(dispatcher)
            return offer_a_person_if_due(tracker)
        say_closest(dispatcher, closest)
        return offer_a_person_if_due(tracker)


class ActionAnswerQuestions(Action):
    """A message that asks several things (the classifier marks each part): every part gets its answer."""

    def name(self) -> str:
        return "action_answer_questions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        answer_several(dispatcher, several_questions(tracker), tracker.latest_message.get("text") or "")
        return []
