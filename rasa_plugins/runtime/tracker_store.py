"""Rasa tracker stores that keep conversations as live objects: LiveTrackerStore in memory only, and
DurableTrackerStore (make run's default, endpoints.yml), the same with every event also kept on disk.

Rasa's InMemoryTrackerStore keeps each conversation as JSON and, for every message, parses
it and replays every event twice (once to deserialise, once more to cut out the last
session): about an eighth of the server's CPU in the benchmark. This store keeps the
tracker object itself. What it hands out is exactly what was last saved: if a message's
handling fails half-way (the tracker was changed but never saved), the next retrieval
rebuilds the tracker from the saved events, as a serialising store would.

Like Rasa's in-memory store it forgets everything on restart and serves one server
process; configure the SQL or Redis tracker store for more (docs/configuration.md).
Unlike it, memory is bounded: conversations idle for `idle_hours` are forgotten, and the
least recently used go first when there are more than `max_conversations` (a client can
invent any number of conversation ids).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.insights.reading import is_needed
from bot.settings import conversations_db
from bot.store.conversations import Append, ConversationLog, GroupWriter

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]


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
        self._save_live(tracker)

    def _save_live(
        self, tracker: DialogueStateTracker, new_events: list[Event] | None = None, dicts: list[dict] | None = None
    ) -> None:
        """Keeps the tracker as saved and publishes its new events (`dicts`: theirs, when a subclass made them
        already for its own log)."""
        if self.event_broker is not None:
            if new_events is None:  # copying the events is only needed to stream them
                new_events = self._unsaved_events(tracker, list(tracker.events))
            self._publish(tracker.sender_id, new_events, dicts)
        self._remember(tracker)

    def _publish(self, sender_id: str, new_events: list[Event], dicts: list[dict] | None) -> None:
        """Rasa's _stream_new_events, for only the events the analytics read: about two in three are never
        made into a dictionary (which cost the chat a tenth of its messages a second, measured)."""
        for index, event in enumerate(new_events):
            name = getattr(event, "action_name", None) or getattr(event, "name", None) or getattr(event, "key", None)
            if is_needed(event.type_name, name):
                body = dicts[index] if dicts is not None else event.as_dict()
                self.event_broker.publish({"sender_id": sender_id, **body})

    def _remember(self, tracker: DialogueStateTracker) -> None:
        """Keeps the tracker as the conversation's saved state, all its events counted as saved."""
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
            self._evicted(oldest_id)

    def _evicted(self, sender_id: str) -> None:
        """A conversation was forgotten from memory (subclasses drop what they keep beside it)."""

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
        return self._last_session(sender_id)

    def _last_session(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = self._committed(sender_id)
        if tracker is None:
            return None
        starts = [index for index, event in enumerate(tracker.events) if _is_session_start(event)]
        if len(starts) <= 1:
            return tracker
        return self._rebuild(tracker, list(tracker.events)[starts[-1] :])

    def _last_session_kept(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session, which becomes what memory holds of the conversation: for the stores that
        keep the earlier sessions elsewhere (on disk, in PostgreSQL), so later saves see the same object."""
        tracker = self._last_session(sender_id)
        if tracker is not None and tracker is not self._saved[sender_id][0]:
            _, _, saved_at = self._saved[sender_id]
            self._saved[sender_id] = (tracker, len(tracker.events), saved_at)
        return tracker

    def _forget(self, sender_id: str) -> None:
        self._saved.pop(sender_id, None)
        self._evicted(sender_id)

    def _rebuild_from(self, sender_id: str, events: list[dict[str, Any]]) -> DialogueStateTracker:
        """A tracker from events as stored (dictionaries)."""
        return DialogueStateTracker.from_events(
            sender_id, [Event.from_parameters(event) for event in events], self.domain.slots
        )

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return self._committed(sender_id)

    async def keys(self) -> Iterable[str]:
        return list(self._saved)


class DurableTrackerStore(LiveTrackerStore):
    """The live store, with every event also appended to an embedded SQLite file (bot.store.conversations).

    Conversations stay live objects in memory (the speed of LiveTrackerStore); each save appends
    the new events to disk through a group-commit writer thread, and returns only once they are
    committed: Rasa saves a conversation before it sends the reply, so an answer the learner got
    is on disk. A conversation not in memory (after a restart, a crash, or eviction) is read back
    from disk: its last session for `retrieve`, all of it for `retrieve_full_tracker`, as Rasa's
    SQL store does. One Rasa server process owns the file (its event numbering lives in memory).
    """

    def __init__(
        self,
        domain: Domain,
        event_broker: EventBroker | None = None,
        db: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        path = Path(db) if db else conversations_db()
        self.path = path if path.is_absolute() else ROOT / path
        self.log = ConversationLog(self.path)
        self.writer = GroupWriter(self.path).start()
        self._next_seq: dict[str, int] = {}  # the seq the conversation's next event gets on disk
        # The file's deletion mark when each conversation in memory was last checked against the file.
        self._checked_at_mark: dict[str, int] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        new_events = self._unsaved_events(tracker, events)
        if self._erased(tracker.sender_id):
            # Erased while this message was handled (the learner asked): only this message's events
            # are kept, from a fresh start; nothing of before stays, in memory or on disk.
            self._forget(tracker.sender_id)
            self._next_seq[tracker.sender_id] = 0
            tracker = self._rebuild(tracker, new_events)
        dicts = [event.as_dict() for event in new_events]
        if new_events:
            await self._append(tracker.sender_id, new_events, dicts)
        self._save_live(tracker, new_events, dicts)

    def _erased(self, sender_id: str) -> bool:
        """The conversation was written here before, and is not on disk any more (erasure, retention)."""
        if self._next_seq.get(sender_id, 0) == 0 or not self._deletion_since_checked(sender_id):
            return False
        return self.log.position(sender_id) is None

    def _deletion_since_checked(self, sender_id: str) -> bool:
        """Whether anything was deleted from the file since this conversation was last checked; marks it checked.
        One stat() per message instead of a query: deletions (erasure, retention) are rare."""
        mark = self.log.deletion_mark()
        if self._checked_at_mark.get(sender_id) == mark:
            return False
        self._checked_at_mark[sender_id] = mark
        return True

    def _evicted(self, sender_id: str) -> None:
        self._next_seq.pop(sender_id, None)  # read again from the file if the conversation comes back
        self._checked_at_mark.pop(sender_id, None)

    async def _append(self, sender_id: str, new_events: list[Event], dicts: list[dict]) -> None:
        first_seq = await self._seq(sender_id)
        starts = [first_seq + i for i, event in enumerate(new_events) if _is_session_start(event)]
        append = Append(
            sender_id,
            first_seq,
            dicts,
            session_start_seq=starts[-1] if starts else None,
            last_active=time.time(),
        )
        loop = asyncio.get_running_loop()
        committed = loop.create_future()

        def done(error: BaseException | None) -> None:
            loop.call_soon_threadsafe(_settle, committed, error)

        self.writer.submit(append, done)
        await committed  # an error fails this message's handling: nothing is half-kept in memory either
        self._next_seq[sender_id] = first_seq + len(new_events)

    async def _seq(self, sender_id: str) -> int:
        if sender_id not in self._next_seq:
            position = await asyncio.to_thread(self.log.position, sender_id)
            self._next_seq[sender_id] = 0 if position is None else position[0] + 1
        return self._next_seq[sender_id]

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if sender_id in self._saved and self._changed_on_disk(sender_id):
            self._forget(sender_id)  # erased or deleted by another process: what is on disk counts
        if sender_id not in self._saved:
            if self.log.position(sender_id) is None:  # one indexed read: a new visitor has nothing on disk,
                self._next_seq[sender_id] = 0  # and a thread hop would cost more than the read
                return None
            next_seq, events = await asyncio.to_thread(self.log.last_session, sender_id)
            self._next_seq[sender_id] = next_seq
            if not events:
                return None
            self._remember(self._rebuild_from(sender_id, events))  # all on disk already: memory only
        return self._last_session_kept(sender_id)

    def _changed_on_disk(self, sender_id: str) -> bool:
        """Whether the file no longer ends where this process last wrote (one indexed read, and only after a
        deletion: nothing else but this process writes a conversation it holds)."""
        expected = self._next_seq.get(sender_id)
        if expected is None or not self._deletion_since_checked(sender_id):
            return False
        position = self.log.position(sender_id)
        return position is None or position[0] + 1 != expected

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        events = await asyncio.to_thread(self.log.events, sender_id)
        return self._rebuild_from(sender_id, events) if events else None

    async def keys(self) -> Iterable[str]:
        return await asyncio.to_thread(self.log.senders)


def _settle(future: asyncio.Future, error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
