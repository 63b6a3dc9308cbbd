"""The sentence model in a child process (bot/meaning/process.py): the same vectors as in the server's own
process, several threads served in turn, errors raised where the sentence came from, a dead child
replaced without losing the message, and no child left behind when the server's end of the pipe closes."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from bot.meaning.minilm import SentenceEncoder
from bot.meaning.process import EncoderProcess

SENTENCES = ["can I move it to a different wallet", "do badges ever stop being valid"]


@pytest.fixture(scope="module")
def here() -> SentenceEncoder:
    return SentenceEncoder()


@pytest.fixture
def child():
    encoder = EncoderProcess()
    encoder.start()
    yield encoder
    encoder.stop()


def test_gives_the_vectors_the_model_gives_in_this_process(child, here):
    np.testing.assert_allclose(child.encode(SENTENCES), here.encode(SENTENCES), atol=1e-5)
    assert child.sentences_encoded == 2 and child._process.pid != os.getpid() and child._process.poll() is None


def test_serves_several_threads_each_its_own_sentence(child, here):
    texts = [f"question number {n} about my badge" for n in range(8)]
    got: dict[int, np.ndarray] = {}
    threads = [threading.Thread(target=lambda n=n: got.__setitem__(n, child.encode([texts[n]]))) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n, text in enumerate(texts):
        np.testing.assert_allclose(got[n][0], here.encode([text])[0], atol=1e-5)
    assert child.sentences_encoded == 8


def busy(child: EncoderProcess) -> threading.Thread:
    """Keeps the child busy for a while (a long request on another thread)."""
    sent = child.batches
    long = threading.Thread(target=child.encode, args=(SENTENCES * 100,))
    long.start()
    while child.batches == sent:  # until the long request is with the child
        time.sleep(0.001)
    return long


def test_requests_arriving_while_the_child_is_busy_go_to_it_as_one_batch(child, here):
    child.encode(SENTENCES[:1])  # the child has loaded the model
    before = child.batches
    long = busy(child)
    texts = [f"what about question {n}" for n in range(6)]
    got: dict[int, np.ndarray] = {}
    threads = [threading.Thread(target=lambda n=n: got.__setitem__(n, child.encode([texts[n]]))) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in [long, *threads]:
        thread.join()
    assert child.batches - before <= 3  # the long one, then the six together (or in two goes)
    for n, text in enumerate(texts):
        np.testing.assert_allclose(got[n][0], here.encode([text])[0], atol=1e-5)


def test_a_bad_text_in_a_batch_fails_only_the_request_it_came_in(child, here):
    child.encode(SENTENCES[:1])
    long = busy(child)
    outcome: dict[str, object] = {}

    def ask(name, texts):
        try:
            outcome[name] = child.encode(texts)
        except TypeError as error:
            outcome[name] = error

    threads = [
        threading.Thread(target=ask, args=("bad", [None])),
        threading.Thread(target=ask, args=("good", SENTENCES)),
    ]
    for thread in threads:
        thread.start()
    for thread in [long, *threads]:
        thread.join()
    assert isinstance(outcome["bad"], TypeError)
    np.testing.assert_allclose(outcome["good"], here.encode(SENTENCES), atol=1e-5)


def test_a_text_that_cannot_be_sent_fails_its_caller_and_later_callers_are_served(child, here):
    with pytest.raises(Exception, match="pickle"):
        child.encode([lambda: "not a text"])
    np.testing.assert_allclose(child.encode(SENTENCES), here.encode(SENTENCES), atol=1e-5)


def test_an_error_in_the_child_is_raised_here_and_the_child_goes_on(child):
    with pytest.raises(TypeError):
        child.encode([None])  # no text: the tokenizer fails in the child
    assert child.encode(SENTENCES[:1]).shape == (1, 384)
    assert child.restarts == 0


def test_a_child_killed_between_sentences_is_replaced(child, here):
    first = child._process
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    np.testing.assert_allclose(child.encode(SENTENCES[:1]), here.encode(SENTENCES[:1]), atol=1e-5)
    assert child.restarts == 1 and child._process is not first and child._process.poll() is None


def test_a_child_killed_while_encoding_costs_no_message(child, here):
    many = SENTENCES * 150  # long enough to be killed in the middle
    child.encode(SENTENCES[:1])  # the child has loaded the model
    first = child._process
    killer = threading.Timer(0.2, os.kill, (first.pid, signal.SIGKILL))
    killer.start()
    vectors = child.encode(many)
    killer.join()
    assert child.restarts == 1  # the sentences were encoded in this process instead
    np.testing.assert_allclose(vectors[:2], here.encode(SENTENCES), atol=1e-5)
    assert vectors.shape == (300, 384)
    child.encode(SENTENCES[:1])  # and the next ones go to a new child
    assert child._process is not first and child._process.poll() is None


def test_the_child_ends_when_the_servers_end_of_the_pipe_closes():
    encoder = EncoderProcess()
    encoder.start()
    process = encoder._process
    encoder._to_child.close()  # what the kernel does when the server dies, however it dies
    assert process.wait(timeout=30) == 0
