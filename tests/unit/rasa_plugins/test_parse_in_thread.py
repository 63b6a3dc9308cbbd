"""Messages are read on worker threads (rasa_plugins/runtime/parse_in_thread.py): the event loop serves other
conversations while one is read, Rasa's own steps after the graph still run, and the setting is checked
(tests/model/test_parse_in_thread.py compares the readings with Rasa's own)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from bot import settings
from rasa_plugins.runtime import parse_in_thread


class Processor:
    """The parts of MessageProcessor that parse_message uses; the graph blocks until told to go on."""

    http_interpreter = None

    def __init__(self) -> None:
        self.go_on = threading.Event()
        self.graph_threads: list[str] = []
        self.after: list[str] = []

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.graph_threads.append(threading.current_thread().name)
        assert self.go_on.wait(10)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data):
        self.after.append("retrieval")

    def _check_for_unseen_features(self, parse_data):
        self.after.append("unseen")


def test_the_loop_serves_others_while_a_message_is_read():
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="acts-parse")
    parse = parse_in_thread.threaded_parse_message(executor, MessageProcessor.parse_message)
    processor = Processor()

    async def scenario():
        reading = asyncio.ensure_future(parse(processor, UserMessage("hello", sender_id="a")))
        await asyncio.sleep(0.05)
        served_meanwhile = not reading.done()  # the loop ran this coroutine while the graph was blocked
        processor.go_on.set()
        return served_meanwhile, await reading

    served_meanwhile, parsed = asyncio.run(scenario())
    assert served_meanwhile
    assert parsed["intent"]["name"] == "greet" and parsed["text"] == "hello"
    assert processor.graph_threads[0].startswith("acts-parse")
    assert processor.after == ["retrieval", "unseen"]  # Rasa's steps after the graph, on the loop
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
