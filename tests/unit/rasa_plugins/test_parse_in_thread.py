"""Messages that need the sentence model are read on worker threads (rasa_plugins/runtime/parse_in_thread.py):
the event loop serves other conversations while one is read; the others are read on the loop; Rasa's own steps
after the graph still run, and the setting is checked (tests/model/test_parse_in_thread.py compares the readings
with Rasa's own)."""

from __future__ import annotations

import asyncio
import threading
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphComponentException

from bot import settings
from rasa_plugins.nlu import sentence_meaning
from rasa_plugins.nlu.sentence_meaning import MeaningIntentClassifier, MeaningWouldWait
from rasa_plugins.runtime import parse_in_thread


class Encoder:
    def encode(self, texts):
        return np.ones((len(texts), 2), dtype=np.float32)


# The classifier's state that meaning_probabilities reads: two intents, a 2-number "sentence model".
CLASSIFIER = types.SimpleNamespace(second_opinions=0, meaning_bias=np.zeros(2), meaning_weights=np.eye(2))


class Processor:
    """The parts of MessageProcessor that parse_message uses. Its graph asks the sentence model for "unsure"
    messages, as MeaningIntentClassifier does, and then blocks until told to go on."""

    http_interpreter = None

    def __init__(self, graph_error: Exception | None = None) -> None:
        self.go_on = threading.Event()
        self.graph_threads: list[str] = []
        self.after: list[str] = []
        self.graph_error = graph_error

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.graph_threads.append(threading.current_thread().name)
        if self.graph_error is not None:
            raise self.graph_error
        if message.text == "unsure":
            try:
                MeaningIntentClassifier.meaning_probabilities(CLASSIFIER, message.text)
            except MeaningWouldWait as stop:  # as Rasa's graph wraps a component's error
                raise GraphComponentException("Error running graph component") from stop
            assert self.go_on.wait(10)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data):
        self.after.append("retrieval")

    def _check_for_unseen_features(self, parse_data):
        self.after.append("unseen")


def test_the_loop_serves_others_while_a_message_waits_for_the_sentence_model(monkeypatch):
    monkeypatch.setattr(sentence_meaning, "shared_encoder", Encoder)
    CLASSIFIER.second_opinions = 0
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="acts-parse")
    parse = parse_in_thread.threaded_parse_message(executor, MessageProcessor.parse_message)
    processor = Processor()

    async def scenario():
        reading = asyncio.ensure_future(parse(processor, UserMessage("unsure", sender_id="a")))
        await asyncio.sleep(0.05)
        served_meanwhile = not reading.done()  # the loop ran this coroutine while the graph was blocked
        processor.go_on.set()
        return served_meanwhile, await reading

    served_meanwhile, parsed = asyncio.run(scenario())
    assert CLASSIFIER.second_opinions == 1  # the model was asked once, on the worker thread
    assert served_meanwhile
    assert parsed["intent"]["name"] == "greet" and parsed["text"] == "unsure"
    # Stopped on the loop before the model, then read from the start on a worker thread.
    assert processor.graph_threads[0] == threading.current_thread().name
    assert len(processor.graph_threads) == 2 and processor.graph_threads[1].startswith("acts-parse")
    assert processor.after == ["retrieval", "unseen"]  # Rasa's steps after the graph, once, on the loop
    executor.shutdown()


def test_a_message_that_needs_no_model_is_read_on_the_loop_alone():
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acts-parse")
    parse = parse_in_thread.threaded_parse_message(executor, MessageProcessor.parse_message)
    processor = Processor()
    parsed = asyncio.run(parse(processor, UserMessage("hello", sender_id="a")))
    assert parsed["text"] == "hello" and processor.after == ["retrieval", "unseen"]
    assert processor.graph_threads == [threading.current_thread().name]  # no worker thread, no second reading
    executor.shutdown()


def test_any_other_error_of_the_pipeline_is_not_read_again():
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acts-parse")
    parse = parse_in_thread.threaded_parse_message(executor, MessageProcessor.parse_message)
    processor = Processor(graph_error=GraphComponentException("a component failed"))
    with pytest.raises(GraphComponentException, match="a component failed"):
        asyncio.run(parse(processor, UserMessage("unsure", sender_id="a")))
    assert len(processor.graph_threads) == 1 and processor.after == []
    executor.shutdown()


@pytest.mark.parametrize(("value", "threads"), [(None, settings.DEFAULT_PARSE_THREADS), ("0", 0), (" 6 ", 6)])
def test_the_number_of_threads_comes_from_the_environment(monkeypatch, value, threads):
    if value is None:
        monkeypatch.delenv("ACTS_PARSE_THREADS", raising=False)
    else:
        monkeypatch.setenv("ACTS_PARSE_THREADS", value)
    assert settings.parse_threads() == threads


@pytest.mark.parametrize("value", ["four", "-1"])
def test_a_wrong_number_of_threads_stops_the_server_with_a_clear_message(monkeypatch, value):
    monkeypatch.setenv("ACTS_PARSE_THREADS", value)
    with pytest.raises(SystemExit, match="ACTS_PARSE_THREADS"):
        settings.parse_threads()
