"""Conversations on disk: every event of every conversation, appended in order, in an embedded SQLite file.

The Rasa server's tracker store (rasa_plugins/runtime/tracker_store.py) writes here through one writer
thread that commits the pending writes of all conversations together (a group commit): the event
loop never waits for the disk, and one fsync covers many conversations. A write is acknowledged
once it is committed with `synchronous=FULL`, so what was acknowledged survives a killed process,
and a power loss, too.

Live upload links are never written here: the token of every `/upload/<token>` link, of the
`upload_token` slot and of the widget's `upload_token` metadata is replaced with a redacted form
(`redacted.` and a hash of the token, which matches no link) before the events are written. The
running conversation keeps the token in memory; a conversation read back from this file (after a
restart) holds the redacted form, and the form sends a new link if it asks for the document again.

Events are stored as Rasa's own JSON (`event.as_dict()`), numbered per conversation; the
conversation's row remembers where its last session started (so the last session is read without
scanning the whole history) and when it was last active (for retention). No Rasa import: the
retention and erasure commands use this module without loading Rasa.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.store.private import append_private, private_file, private_folder, private_sqlite_companions

log = logging.getLogger(__name__)
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation_events (
    sender_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type_name TEXT NOT NULL,
    timestamp REAL,
    data TEXT NOT NULL,
    PRIMARY KEY (sender_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conversations (
    sender_id TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    session_start_seq INTEGER NOT NULL DEFAULT 0,
    last_active REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_last_active ON conversations (last_active);
"""
# The most writes one commit takes; more wait for the next.
MAX_BATCH = 256
UPLOAD_TOKEN_SLOT = "upload_token"
# An upload link's token wherever it is quoted (the assistant's message, a learner pasting it back).
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
UPLOAD_LINK = re.compile(r"/upload/([A-Za-z0-9_-]{20,100})")
REDACTED = "redacted."


def redact_token(token: str) -> str:
    """What is kept of an upload token: enough to tell two apart, nothing to use ("." is in no token)."""
    return REDACTED + hashlib.sha256(token.encode()).hexdigest()[:16]


def redacted(event: dict[str, Any]) -> str:
    """The event as JSON, with every live upload token in it replaced by its redacted form."""
    text = json.dumps(event)
    tokens: set[str] = set()
    if "/upload/" in text:  # most events quote no link: one substring search, no walk
        _links_in(event, tokens)
    if event.get("event") == "slot" and event.get("name") == UPLOAD_TOKEN_SLOT:
        tokens.add(event.get("value"))
    metadata = event.get("metadata")
    if isinstance(metadata, dict):
        tokens.add(metadata.get(UPLOAD_TOKEN_SLOT))
    data = event.get("data")
    custom = data.get("custom") if isinstance(data, dict) else None
    if isinstance(custom, dict) and isinstance(custom.get("upload"), dict):
        tokens.add(custom["upload"].get("token"))
    # Only what has a token's shape; the longest first, so a token that contains another goes whole.
    live = sorted((t for t in tokens if isinstance(t, str) and TOKEN.fullmatch(t)), key=len, reverse=True)
    return json.dumps(_replaced(event, live)) if live else text


def _links_in(value: Any, tokens: set[str]) -> None:
    if isinstance(value, str):
        tokens.update(UPLOAD_LINK.findall(value))
    elif isinstance(value, dict):
        for item in value.values():
            _links_in(item, tokens)
    elif isinstance(value, list):
        for item in value:
            _links_in(item, tokens)


def _replaced(value: Any, tokens: list[str]) -> Any:
    """`value` with the tokens replaced in every string (keys too), never in its JSON text: a
    replacement there could cut an escape sequence in two."""
    if isinstance(value, str):
        for token in tokens:
            value = value.replace(token, redact_token(token))
        return value
    if isinstance(value, dict):
        return {_replaced(key, tokens): _replaced(item, tokens) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, tokens) for item in value]
    return value


@dataclass(frozen=True)
class Append:
    """New events of one conversation: `events` are Rasa event dicts numbered from `first_seq`."""

    sender_id: str
    first_seq: int
    events: list[dict[str, Any]]
    session_start_seq: int | None  # where its latest session starts, if one started in these events
    last_active: float


def connect(path: Path) -> sqlite3.Connection:
    """The file is owner-only (0600, its -wal and -shm too, its folder 0700 if made here) whatever
    the umask: it holds every conversation."""
    private_file(private_folder(path.parent) / path.name)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(SCHEMA)
    private_sqlite_companions(path)
    return connection


class ConversationLog:
    """Reads of the conversation file (any thread, one at a time); writes go through a GroupWriter."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = connect(path)
        self._lock = threading.Lock()
        # Grows by a byte before and after every deletion, by any process: a reader that holds conversations in
        # memory learns from one stat() per message whether any may have been deleted, instead of a query.
        self.deletions = path.with_name(path.name + ".deletions")

    def deletion_mark(self) -> int:
        """Changes whenever a deletion starts or ends (in any process)."""
        try:
            return os.stat(self.deletions).st_size
        except FileNotFoundError:
            return 0

    def _mark_deletion(self) -> None:
        append_private(self.deletions, b".")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connection

    def position(self, sender_id: str) -> tuple[int, int] | None:
        """(last seq, seq where the last session starts) of a conversation, None if it has none."""
        with self._reading() as db:
            row = db.execute(
                "SELECT last_seq, session_start_seq FROM conversations WHERE sender_id = ?", (sender_id,)
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def events(self, sender_id: str, from_seq: int = 0) -> list[dict[str, Any]]:
        """The conversation's events from `from_seq` on, in order."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT data FROM conversation_events WHERE sender_id = ? AND seq >= ? ORDER BY seq",
                (sender_id, from_seq),
            ).fetchall()
        return [json.loads(data) for (data,) in rows]

    def last_session(self, sender_id: str) -> tuple[int, list[dict[str, Any]]]:
        """The seq the conversation's next event gets, and the events of its last session."""
        with self._reading() as db:
            row = db.execute(
                "SELECT last_seq, session_start_seq FROM conversations WHERE sender_id = ?", (sender_id,)
            ).fetchone()
            if row is None:
                return 0, []
            rows = db.execute(
                "SELECT data FROM conversation_events WHERE sender_id = ? AND seq >= ? ORDER BY seq",
                (sender_id, row[1]),
            ).fetchall()
        return row[0] + 1, [json.loads(data) for (data,) in rows]

    def senders(self) -> list[str]:
        with self._reading() as db:
            return [sender for (sender,) in db.execute("SELECT sender_id FROM conversations ORDER BY sender_id")]

    def idle_since(self, before: float) -> list[str]:
        """Conversations whose last event is older than `before` (a Unix time)."""
        with self._reading() as db:
            rows = db.execute("SELECT sender_id FROM conversations WHERE last_active < ? ORDER BY sender_id", (before,))
            return [sender for (sender,) in rows]

    def delete(self, sender_ids: Iterable[str]) -> int:
        """Deletes conversations and all their events; returns how many conversations were deleted."""
        senders = list(sender_ids)
        self._mark_deletion()  # before: a reader that checks while this runs looks at the rows
        with self._reading() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                deleted = 0
                for sender in senders:
                    db.execute("DELETE FROM conversation_events WHERE sender_id = ?", (sender,))
                    deleted += db.execute("DELETE FROM conversations WHERE sender_id = ?", (sender,)).rowcount
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                self._mark_deletion()  # and after: a reader that looked during the deletion looks again
        return deleted

    def close(self) -> None:
        with self._reading() as db:
            db.close()


@dataclass
class _Pending:
    append: Append
    done: Callable[[BaseException | None], None]


@dataclass
class GroupWriter:
    """One thread that commits appends; each caller is told (through `done`) once its append is on disk."""

    path: Path
    _queue: queue.Queue = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def start(self) -> GroupWriter:
        self._thread = threading.Thread(target=self._run, name="conversation-writer", daemon=True)
        self._thread.start()
        return self

    def submit(self, append: Append, done: Callable[[BaseException | None], None]) -> None:
        self._queue.put(_Pending(append, done))

    def stop(self) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        connection = connect(self.path)
        while True:
            first = self._queue.get()
            if first is None:
                connection.close()
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(item)
            if self._commit(connection, [pending.append for pending in batch]) is None:
                for pending in batch:
                    pending.done(None)
                continue
            for pending in batch:  # one bad append must not fail the others: each on its own
                pending.done(self._commit(connection, [pending.append]))

    @staticmethod
    def _commit(connection: sqlite3.Connection, appends: list[Append]) -> BaseException | None:
        try:
            connection.execute("BEGIN IMMEDIATE")
            for append in appends:
                _write(connection, append)
            connection.execute("COMMIT")
            return None
        except Exception as error:  # the callers decide: the message's handling fails, nothing half-written
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            log.error("conversation events could not be written: %s", type(error).__name__)
            return error


def _write(connection: sqlite3.Connection, append: Append) -> None:
    rows = [
        (append.sender_id, append.first_seq + n, str(event.get("event")), event.get("timestamp"), redacted(event))
        for n, event in enumerate(append.events)
    ]
    connection.executemany("INSERT INTO conversation_events VALUES (?, ?, ?, ?, ?)", rows)
    last_seq = append.first_seq + len(append.events) - 1
    connection.execute(
        "INSERT INTO conversations (sender_id, last_seq, session_start_seq, last_active) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (sender_id) DO UPDATE SET last_seq = excluded.last_seq, last_active = excluded.last_active, "
        "session_start_seq = COALESCE(?, conversations.session_start_seq)",
        (append.sender_id, last_seq, append.session_start_seq or 0, append.last_active, append.session_start_seq),
    )
