"""The trained model reads every message the same on a worker thread as on Rasa's own event loop
(rasa_plugins/runtime/parse_in_thread.py), the unsure messages that ask the sentence model included."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from bench.workload import CLOSINGS, FAQ_TURNS, GREETINGS, UNSURE_TURNS
from rasa_plugins.nlu.sentence_meaning import MeaningIntentClassifier
from rasa_plugins.runtime import parse_in_thread
from tests.rasa_model import component


def test_the_same_reading_as_rasas_own_parse_message(trained_model):
    processor = Agent.load(str(trained_model)).processor
    executor = ThreadPoolExecutor(max_workers=2)
    threaded = parse_in_thread.threaded_parse_message(executor, MessageProcessor.parse_message)
    try:
        for text, _ in GREETINGS + FAQ_TURNS + UNSURE_TURNS + CLOSINGS:
            ours = asyncio.run(threaded(processor, UserMessage(text, sender_id="x")))
            rasas = asyncio.run(MessageProcessor.parse_message(processor, UserMessage(text, sender_id="x")))
            assert ours == rasas, text
    finally:
        executor.shutdown()


def test_the_model_is_asked_once_for_an_unsure_message_and_never_for_a_sure_one(trained_model):
    processor = Agent.load(str(trained_model)).processor
    classifier = component(processor, MeaningIntentClassifier)
    executor = ThreadPoolExecutor(max_workers=2)
    threaded = parse_in_thread.threaded_parse_message(executor, MessageProcessor.parse_message)
    try:
        for text, _ in GREETINGS + FAQ_TURNS:
            before = classifier.second_opinions
            asyncio.run(threaded(processor, UserMessage(text, sender_id="x")))
            assert classifier.second_opinions == before, text
        for text, _ in UNSURE_TURNS:
            before = classifier.second_opinions
            asyncio.run(threaded(processor, UserMessage(text, sender_id="x")))
            assert classifier.second_opinions == before + 1, text  # stopped on the loop, asked on the thread
    finally:
        executor.shutdown()
