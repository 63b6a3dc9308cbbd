"""SpoolEventBroker: Rasa's event broker of `make run`, writing every event to the event spool (an SQLite
file, bot/insights/spool.py) for the staff's analytics.

Rasa's own SQLEventBroker writes the same table, but commits each event on its own, synchronously on
the server's event loop: about ten commits a message. This one keeps only the part of each event the
analytics read (bot.insights.reading.needed: about a third of the events) and hands it to a writer
thread that lets a quarter of a second's events gather, then writes them in one transaction.
Events still waiting when the server is killed are lost to the analytics (never to the conversation,
which the tracker store keeps): the analytics count what they saw.

endpoints.yml:
    event_broker:
      type: rasa_plugins.runtime.event_broker.SpoolEventBroker
"""

from __future__ import annotations

import logging
import threading
import time
from asyncio import AbstractEventLoop
from pathlib import Path
from typing import Any

import rasa.shared.core.events  # noqa: F401  (Rasa's pika module calls it without importing it)
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.insights import queue as insights_queue
from bot.insights.reading import needed
from bot.insights.spool import append

logger = logging.getLogger(__name__)
GATHER_SECONDS = 0.25  # how long the writer lets events gather before it writes them, together


class SpoolEventBroker(EventBroker):
    """Publishes Rasa's events to the event spool through one writer thread."""

    def __init__(self, path: str | None = None, gather_seconds: float = GATHER_SECONDS) -> None:
        self.path = Path(path) if path else None
        self.gather_seconds = float(gather_seconds)
        self._waiting: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._closed = False
        self._writer = threading.Thread(target=self._write_forever, name="event-spool", daemon=True)
        self._writer.start()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: AbstractEventLoop | None = None
    ) -> SpoolEventBroker:
        return cls(**(broker_config.kwargs if broker_config else {}))

    def publish(self, event: dict[str, Any]) -> None:
        kept = needed(event)  # only what the analytics read (bot/insights/reading.py)
        if kept is None:
            return
        with self._lock:
            self._waiting.append(kept)
            if len(self._waiting) == 1:  # the writer sleeps only when nothing waits
                self._lock.notify()

    def is_ready(self) -> bool:
        return self._writer.is_alive()

    async def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._writer.join(timeout=10)

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until every event published so far is written (for tests and shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._waiting and not self._busy, timeout)

    _busy = False

    def _write_forever(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._waiting or self._closed)
                if not self._waiting and self._closed:
                    return
                self._busy = True
            if not self._closed:
                # Let a moment's events gather: a few writes a second instead of one per message, each a
                # transaction that holds the interpreter the chat's event loop also needs.
                time.sleep(self.gather_seconds)
            with self._lock:
                batch, self._waiting = self._waiting, []
            try:
                append(batch, self.path)
            except Exception as error:  # the analytics lose this batch; the conversation is not affected
                logger.warning("event spool: %d events not written: %s", len(batch), type(error).__name__)
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()


class SlimPikaEventBroker(PikaEventBroker):
    """Rasa's Pika broker to RabbitMQ (the production set-up): only the part of each event the analytics
    read, to the analytics' queue, declared as its one consumer declares it (bot/insights/queue.py:
    durable, one active consumer at a time, so the events are read in order).

    endpoints.yml (the production launcher writes it from ACTS_RABBITMQ_URL):
        event_broker:
          type: rasa_plugins.runtime.event_broker.SlimPikaEventBroker
          url: <host>
          port: 5672
          username: <user>
          password: <password>
          queues: [acts_insights]
    """

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        kept = needed(event)
        if kept is not None:
            super().publish(kept, headers)

    @staticmethod
    async def _bind_queue(queue_name: str, channel: Any, exchange: Any) -> None:
        queue = await channel.declare_queue(queue_name, durable=True, arguments=insights_queue.QUEUE_ARGUMENTS)
        await queue.bind(exchange, "")
