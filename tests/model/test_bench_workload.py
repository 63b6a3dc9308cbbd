"""The benchmark's mix (bench/workload.py) is what it says: its unsure questions really ask the meaning
model (so its cost shows in msg/s and p99), its confident FAQ questions never do, and each message is
read as the intent that gives the reply the benchmark expects."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent

from bench.report_timing import readings
from bench.workload import CLOSINGS, FAQ_TURNS, GREETINGS, UNSURE_TURNS
from rasa_plugins.nlu.sentence_meaning import MeaningIntentClassifier


@pytest.fixture(scope="module")
def parse(trained_model):
    """(intent, whether the meaning model was asked) for a message, by the trained model."""
    agent = Agent.load(str(trained_model))
    asked: list[str] = []
    original = MeaningIntentClassifier.meaning_probabilities

    def spied(self, text):
        asked.append(text)
        return original(self, text)

    MeaningIntentClassifier.meaning_probabilities = spied
    try:

        def read(text: str) -> tuple[str, bool]:
            before = len(asked)
            parsed = asyncio.run(agent.parse_message(text))
            return parsed["intent"]["name"], len(asked) > before

        yield read
    finally:
        MeaningIntentClassifier.meaning_probabilities = original


def test_every_unsure_question_asks_the_meaning_model_and_is_read_right(parse):
    expected = readings()
    for text, _ in UNSURE_TURNS:
        intent, meaning = parse(text)
        assert meaning, f"{text!r} no longer asks the meaning model: write another unsure question"
        assert intent == expected[text][0], text


def test_the_confident_faq_questions_never_ask_it_and_courtesies_are_read_right(parse):
    expected = readings()
    for text, _ in FAQ_TURNS:
        intent, meaning = parse(text)
        assert not meaning and intent == expected[text][0], text
    for text, _ in GREETINGS + CLOSINGS:
        assert parse(text)[0] == expected[text][0], text
