"""The production path of the analytics: Rasa's events through RabbitMQ into the analytics tables.

The Rasa servers publish through Rasa's Pika event broker (rasa_plugins/runtime/event_broker.py
`SlimPikaEventBroker`) to Rasa's fanout exchange; the queue below is bound to it, durable, and
declared "single active consumer": however many consumers run (one beside each web service, or
`python -m bot.insights consume --rabbitmq`), RabbitMQ gives the messages to one of them at a time,
in order, so a reply is never read before the message it answers. A batch is acknowledged only once
its facts are committed; a consumer that dies before leaves its batch to the next (at least once),
and the analytics write each fact once (bot/insights/ingest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from bot.insights.ingest import forget_questions, ingest
from bot.settings import insights_queue

log = logging.getLogger(__name__)
QUEUE_ARGUMENTS = {"x-single-active-consumer": True}
BATCH = 500
IDLE_SECONDS = 0.5  # a batch smaller than BATCH is written after this long without a new event


async def declare(channel: Any) -> Any:
    """The exchange and the queue (bot.settings.insights_queue), declared as the broker declares them."""
    from aio_pika import ExchangeType

    exchange_name, queue_name = insights_queue()
    exchange = await channel.declare_exchange(exchange_name, ExchangeType.FANOUT)
    queue = await channel.declare_queue(queue_name, durable=True, arguments=QUEUE_ARGUMENTS)
    await queue.bind(exchange, "")
    return queue


async def consume(
    rabbitmq_url: str,
    secret: bytes,
    database_url: str | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Reads the queue into the analytics until `stop` is set (or forever)."""
    import aio_pika

    stop = stop or asyncio.Event()
    connection = await aio_pika.connect_robust(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=BATCH)
        queue = await declare(channel)
        arrived: asyncio.Queue = asyncio.Queue()
        tag = await queue.consume(arrived.put)
        pending: list[Any] = []
        try:
            while not stop.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    pending.append(await asyncio.wait_for(arrived.get(), IDLE_SECONDS))
                    if len(pending) < BATCH:
                        continue
                if pending:
                    await _write(pending, secret, database_url)
                    pending = []
        finally:
            await queue.cancel(tag)


async def _write(messages: list[Any], secret: bytes, database_url: str | None) -> None:
    events: list[dict[str, Any]] = []
    for message in messages:
        try:
            events.append(json.loads(message.body))
        except ValueError:
            log.warning("insights queue: a message that is not JSON was dropped")
    await asyncio.to_thread(ingest, events, secret, database_url)
    await asyncio.to_thread(forget_questions, None, database_url)
    await messages[-1].ack(multiple=True)  # only now: what was acknowledged is committed
