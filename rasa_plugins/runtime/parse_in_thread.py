"""A message that needs the sentence model is read (the NLU pipeline) on a worker thread, so the event loop
serves other conversations while it waits.

Rasa 3.6 runs the NLU graph inside `MessageProcessor.parse_message` on the event loop's own thread. Most
messages are read in about a millisecond, but an unsure one also asks the sentence meaning model
(rasa_plugins/nlu/sentence_meaning.py: 12-14 ms of matrix products), and while it does, every other
conversation on the server waits: under load the loop is busy with the model 63 % of its time
(docs/performance.md). On a worker thread, a message waiting for the model
(in a process of its own, over a pipe: no GIL held) leaves the loop free for HTTP, rules and actions.

What stays the same: a conversation's messages are still read one at a time, in order (Rasa holds the
conversation's lock while it awaits the reading); the pipeline's components keep no per-message state;
the tracker handed to the pipeline is that conversation's, which nothing else touches while its lock is
held. `ACTS_PARSE_THREADS` sets the number of threads (bot/settings.py `parse_threads`); 0 reads on the loop as
Rasa does.
The model is not run on the worker threads themselves (bot/meaning/process.py says why).

Most messages never ask the model, and reading them takes a fraction of a millisecond: sending those to a
thread cost more than it saved (two hand-overs of the GIL and a wake-up of the loop each, under load the
threads' turns at the GIL delayed the loop's). So each message is first read on the loop with
`never_waiting_for_meaning`: if the pipeline would ask the model, it stops there (the components keep
nothing from a message) and the message is read again from the start on a worker thread. That costs an
unsure message its n-gram reading twice (about 0.3 ms), which is small beside the model's 9-16 ms.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.settings import parse_threads
from rasa_plugins.nlu.sentence_meaning import MeaningWouldWait, never_waiting_for_meaning


def threaded_parse_message(executor: ThreadPoolExecutor, original_parse: Any) -> Any:
    """MessageProcessor.parse_message with the graph run on the loop, and again on `executor` when it stopped
    before the sentence model; the rest as Rasa's own (an HTTP interpreter, when one is configured, is awaited
    by Rasa's code as before)."""

    async def parse_message(self: Any, message: Any, tracker: Any = None, only_output_properties: bool = True):
        if self.http_interpreter:
            return await original_parse(self, message, tracker, only_output_properties)
        if tracker is None:
            tracker = _empty_tracker(message)
        try:
            with never_waiting_for_meaning():
                parse_data = self._parse_message_with_graph(message, tracker, only_output_properties)
        except Exception as error:
            if not _would_wait(error):
                raise
            loop = asyncio.get_running_loop()
            parse_data = await loop.run_in_executor(
                executor, self._parse_message_with_graph, message, tracker, only_output_properties
            )
        # What Rasa's parse_message does after the graph (its debug log carries the text, so it is left out).
        self._update_full_retrieval_intent(parse_data)
        self._check_for_unseen_features(parse_data)
        return parse_data

    return parse_message


def _would_wait(error: BaseException | None) -> bool:
    """Whether the error is, or was caused by, the pipeline's stop before the sentence model (Rasa's graph wraps
    a component's error in its own)."""
    while error is not None:
        if isinstance(error, MeaningWouldWait):
            return True
        error = error.__cause__
    return False


def _empty_tracker(message: Any) -> Any:
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker.from_events(message.sender_id, [])


def apply(threads: int | None = None) -> None:
    from rasa.core.processor import MessageProcessor

    threads = parse_threads() if threads is None else threads
    if threads == 0:
        return
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="acts-parse")
    MessageProcessor.parse_message = threaded_parse_message(executor, MessageProcessor.parse_message)
