"""The sentence encoder in a child process of its own, for a server whose event loop must not wait on it.

In the server's own process, every one of the ~150 numpy calls of a forward pass has to take the GIL back
from the event loop thread, and each time may wait a whole switch interval (5 ms): with the loop busy, a
sentence that takes 15 ms alone took over 300 ms (docs/performance.md). In a process of its own the model
has a core and a GIL to itself, and the thread that asked waits on a pipe, which holds no GIL.

One child per server process, started on first use as `python -m bot.meaning.process` (not with
multiprocessing: Sanic's workers are daemonic processes, which multiprocessing forbids to have children).
Requests from several threads that arrive while the child is busy go to it together, as one batch.
The child ends when its pipe from the server closes, so it never outlives its server, however the server
stops. If the child is gone (killed, out of memory), the sentence is encoded in this process and a new
child is started for the next one: a message is never lost to the model's process.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]  # where `python -m bot.meaning.process` finds the package


def _serve(requests: Connection, replies: Connection) -> None:
    """The child: encode what arrives, send back the vectors (or the error), until the server's end closes."""
    from threadpoolctl import threadpool_limits

    from bot.meaning.minilm import SentenceEncoder

    threadpool_limits(limits=1, user_api="blas")  # a batch of a few sentences: a second thread only spins
    encoder = SentenceEncoder()
    while True:
        try:
            texts = requests.recv()
        except (EOFError, OSError):
            return  # the server is gone
        try:
            reply: Any = encoder.encode(texts)
        except Exception as error:  # sent back, raised in the server: a bad sentence must not end the child
            reply = error
        try:
            replies.send(reply)
        except OSError:
            return


def main() -> None:
    # Ctrl-C reaches the whole process group: the server's stopping closes the pipe, which ends this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = (int(fd) for fd in sys.argv[1:3])
    _serve(Connection(requests, writable=False), Connection(replies, readable=False))


class _Request:
    """One caller's texts, and where its vectors (or the error) are left for it."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.done = False  # its vectors (or error) are set; read after `turn` is set
        self.turn = threading.Event()  # set when it is done, or when it is this caller's turn to drive
        self.vectors: np.ndarray | None = None
        self.error: Exception | None = None


class EncoderProcess:
    """SentenceEncoder.encode, computed in a child process; `sentences_encoded` counts as SentenceEncoder's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the pipe and the child
        self._queue_lock = threading.Lock()  # the requests waiting for the next batch
        self._queue: list[_Request] = []
        self._driving = False  # a thread is sending batches
        self.batches = 0  # exchanges with the child
        self._to_child: Connection | None = None
        self._from_child: Connection | None = None
        self._process: subprocess.Popen | None = None
        self._fallback: Any = None
        self.sentences_encoded = 0
        self.restarts = 0

    def start(self) -> None:
        """Starts the child now (it loads the model while the server does other things)."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                return
            self.restarts += 1  # died between two sentences
            self._close_pipes()
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bot.meaning.process", str(requests_read), str(replies_write)],
            pass_fds=(requests_read, replies_write),
            cwd=ROOT,
        )
        # The child's ends, closed here: once the child is gone, recv() here ends instead of waiting.
        os.close(requests_read)
        os.close(replies_write)
        self._to_child = Connection(requests_write, readable=False)
        self._from_child = Connection(replies_read, writable=False)

    def _close_pipes(self) -> None:
        for connection in (self._to_child, self._from_child):
            if connection is not None:
                connection.close()
        self._to_child = self._from_child = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The texts' vectors. Callers on other threads that arrive while the child is busy are sent together in
        its next batch: under load a sentence then costs about half (the weights are read once per batch).

        One caller at a time drives: it sends the batch its own request is in, then hands the turn to the first
        caller still waiting, so no caller keeps driving for others after its own answer has come."""
        request = _Request(list(texts))
        with self._queue_lock:
            self._queue.append(request)
            if not self._driving:
                self._driving = True
                request.turn.set()
        request.turn.wait()  # woken with its answer, or to drive
        if not request.done:
            with self._queue_lock:
                batch, self._queue = self._queue, []  # its own request among them
            try:
                self._serve_batch(batch)
            finally:  # whatever happened, the turn passes on: no later caller waits for a driver that left
                with self._queue_lock:
                    if self._queue:
                        self._queue[0].turn.set()  # the next driver
                    else:
                        self._driving = False
        if request.error is not None:
            raise request.error
        return request.vectors

    def _serve_batch(self, batch: list[_Request]) -> None:
        reply = self._exchange([text for request in batch for text in request.texts])
        if isinstance(reply, Exception) and len(batch) > 1:
            for request in batch:  # one request's bad text must not fail the others
                self._serve_batch([request])
            return
        start = 0
        for request in batch:
            if isinstance(reply, Exception):
                request.error = reply
            else:
                request.vectors = reply[start : start + len(request.texts)]
                start += len(request.texts)
                self.sentences_encoded += len(request.texts)
            request.done = True
            request.turn.set()

    def _exchange(self, texts: list[str]) -> Any:
        with self._lock:
            self.batches += 1
            self._ensure_started()
            try:
                self._to_child.send(texts)
                return self._from_child.recv()
            except (EOFError, OSError):
                try:
                    return self._encode_here(texts)
                except Exception as error:
                    return error
            except Exception as error:  # a text that cannot be sent (not picklable): that caller's error
                return error

    def _encode_here(self, texts: list[str]) -> np.ndarray:
        """The child died: this sentence in this process, and a fresh child next time."""
        from bot.meaning.minilm import SentenceEncoder

        logger.warning("The sentence model's process ended; this message is read in the server, a new one starts.")
        self.restarts += 1
        self._close_pipes()
        self._process.wait()  # reaped
        self._process = None  # the next sentence starts a new child
        if self._fallback is None:
            self._fallback = SentenceEncoder()
        return self._fallback.encode(texts)

    def stop(self) -> None:
        with self._lock:
            self._close_pipes()
            if self._process is not None:
                self._process.wait(timeout=10)
            self._process = None


if __name__ == "__main__":
    main()
