"""An in-memory tracker store that keeps conversations as live objects.

Rasa's InMemoryTrackerStore keeps each conversation as JSON and, for every message, parses
it and replays every event twice (once to deserialise, once more to cut out the last
session): about an eighth of the server's CPU in the benchmark. This store keeps the
tracker object itself. What it hands out is exactly what was last saved: if a message's
handling fails half-way (the tracker was changed but never saved), the next retrieval
rebuilds the tracker from the saved events, as a serialising store would.

Like Rasa's in-memory store it forgets everything on restart and serves one server
process; configure the SQL or Redis tracker store for more (README, Configuration).
Unlike it, memory is bounded: conversations idle for `idle_hours` are forgotten, and the
least recently used go first when there are more than `max_conversations` (a client can
invent any number of conversation ids).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


def _is_session_start(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME


class LiveTrackerStore(TrackerStore):
    """Conversations in memory, as tracker objects plus how many of their events were saved."""

    def __init__(
        self,
        domain: Domain,
        event_broker: EventBroker | None = None,
        max_conversations: int = 10_000,
        idle_hours: float = 24,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        # Least recently saved first: (tracker, how many of its events were saved, when).
        self._saved: OrderedDict[str, tuple[DialogueStateTracker, int, float]] = OrderedDict()
        self.max_conversations = int(max_conversations)
        self.idle_seconds = float(idle_hours) * 3600
        self.clock = clock

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is not None:  # copying the events is only needed to stream them
            new_events = self._unsaved_events(tracker, list(tracker.events))
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        now = self.clock()
        self._saved[tracker.sender_id] = (tracker, len(tracker.events), now)
        self._saved.move_to_end(tracker.sender_id)
        self._evict(now)

    def _evict(self, now: float) -> None:
        while self._saved:
            oldest_id, (_, _, saved_at) = next(iter(self._saved.items()))
            if len(self._saved) <= self.max_conversations and now - saved_at <= self.idle_seconds:
                return
            del self._saved[oldest_id]

    def _unsaved_events(self, tracker: DialogueStateTracker, events: list[Event]) -> list[Event]:
        previous = self._saved.get(tracker.sender_id)
        if previous is None:
            return events
        saved_tracker, saved_count, _ = previous
        if saved_tracker is tracker:
            return events[saved_count:]
        saved_events = list(saved_tracker.events)[:saved_count]
        common = 0  # a different object (e.g. a new session): send what the saved one lacks
        while common < min(len(events), len(saved_events)) and events[common] == saved_events[common]:
            common += 1
        return events[common:]

    def _committed(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker as last saved, rebuilt if it was changed and never saved."""
        entry = self._saved.get(sender_id)
        if entry is None:
            return None
        tracker, saved_count, saved_at = entry
        if len(tracker.events) != saved_count:
            tracker = self._rebuild(tracker, list(tracker.events)[:saved_count])
            self._saved[sender_id] = (tracker, saved_count, saved_at)
        return tracker

    def _rebuild(self, tracker: DialogueStateTracker, events: list[Event]) -> DialogueStateTracker:
        return DialogueStateTracker.from_events(
            tracker.sender_id, events, self.domain.slots, sender_source=tracker.sender_source
        )

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest conversation session, as Rasa's own stores return it."""
        tracker = self._committed(sender_id)
        if tracker is None:
            return None
        starts = [index for index, event in enumerate(tracker.events) if _is_session_start(event)]
        if len(starts) <= 1:
            return tracker
        return self._rebuild(tracker, list(tracker.events)[starts[-1] :])

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return self._committed(sender_id)

    async def keys(self) -> Iterable[str]:
        return list(self._saved)
