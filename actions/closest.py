"""Saying the closest answers to a message the assistant is unsure of: on its own, or as an aside in a form."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.answers.faq import load_faq
from bot.answers.responses import response_name
from bot.answers.suggestions import Closest


def say_closest(dispatcher: CollectingDispatcher, closest: Closest, offer: bool = True) -> None:
    """Says it is not sure, then the answers; with `offer`, the next reading and "None of these" as buttons
    (a form leaves them out: its own question, with its buttons, comes next)."""
    faq = load_faq()
    dispatcher.utter_message(text=faq.message("closest_two" if len(closest.answered) == 2 else "closest_one"))
    for intent in closest.answered:
        dispatcher.utter_message(response=response_name(intent))
    if offer:
        buttons = [{"title": faq.topics[i].title, "payload": f"/{i}"} for i in closest.offered]
        buttons.append({"title": faq.message("none_of_these"), "payload": "/deny"})
        dispatcher.utter_message(text=faq.message("not_what_you_asked"), buttons=buttons)
