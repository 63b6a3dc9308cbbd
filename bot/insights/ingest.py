"""Writes the facts of Rasa's events (bot/insights/reading.py) into the analytics tables, a batch at a time.

Brokers deliver at least once: every row is keyed by its event's own key, so a delivery seen before
writes nothing, and a reply only settles the conversation's latest message, and only while that
message waits for one. A question's masked text is kept for `QUESTION_DAYS` and only when it was not
answered; `forget_questions` drops it after.

The web service runs this beside the chat on the same machine, so a batch costs a few statements,
not a few per event: what the batch needs from the tables is read up front, and its rows are
written with one statement per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from bot.answers import feedback
from bot.insights.reading import UNANSWERED, Feedback, Message, Reply, Step, read
from bot.store.db import as_utc
from bot.store.db import session as new_session
from bot.store.models import InsightConversation, InsightFeedback, InsightMessage, InsightStep

QUESTION_DAYS = 90
# After "what was missing?", the learner's next message within this time is the answer to it, unless it
# is one of these: moving on, not saying what was missing.
NOTE_MINUTES = 15
NO_NOTE = {"greet", "goodbye", "thanks", "affirm", "deny", "stop"}
_CHUNK = 500  # keys per IN (...): well inside every database's limit on parameters


def ingest(events: Iterable[dict[str, Any]], secret: bytes, url: str | None = None) -> int:
    """Reads the events in order and writes what they hold, in one transaction; returns how many rows
    were written or settled."""
    facts = [fact for event in events for fact in read(event, secret)]
    if not facts:
        return 0
    with new_session(url) as db, db.begin():
        return _Batch(db, facts).write()


class _Batch:
    def __init__(self, db: Session, facts: list[Message | Reply | Step | Feedback]) -> None:
        self.db, self.facts = db, facts
        messages = [fact for fact in facts if isinstance(fact, Message)]
        self.known_messages = dict(_in(db, InsightMessage.key, InsightMessage.outcome, [m.key for m in messages]))
        steps = [fact.key for fact in facts if isinstance(fact, Step)]
        self.known_steps = {key for key, _ in _in(db, InsightStep.key, InsightStep.key, steps)}
        conversations = {fact.conversation for fact in facts}
        known = _in(db, InsightConversation.conversation, InsightConversation.channel, sorted(conversations))
        self.known_conversations = {conversation for conversation, _ in known}
        # Each conversation's latest message before this batch, if it still waits for its reply.
        self.waiting = _waiting(db, conversations)
        votes = [fact.key for fact in facts if isinstance(fact, Feedback)]
        self.known_votes = dict(_in(db, InsightFeedback.key, InsightFeedback.at, votes))
        self.asked = _asked(db, conversations)
        self.votes, self.notes = {}, {}

    def write(self) -> int:
        new_conversations: dict[str, dict] = {}
        new_messages: dict[str, dict] = {}
        new_steps: dict[str, dict] = {}
        settled_before: dict[str, tuple[str, str | None]] = {}  # message key -> (outcome, topic)
        latest: dict[str, str | None] = dict(self.waiting)  # conversation -> key of a message waiting
        for fact in self.facts:
            if isinstance(fact, Message):
                if fact.key in self.known_messages or fact.key in new_messages:
                    # Seen before: it is the latest again only if it still waits.
                    waiting = self.known_messages.get(fact.key, "waiting") is None
                    latest[fact.conversation] = fact.key if waiting and fact.key not in new_messages else None
                    continue
                if fact.conversation not in self.known_conversations and fact.conversation not in new_conversations:
                    new_conversations[fact.conversation] = {
                        "conversation": fact.conversation,
                        "channel": fact.channel,
                        "first_at": fact.at,
                    }
                new_messages[fact.key] = {
                    "key": fact.key,
                    "conversation": fact.conversation,
                    "channel": fact.channel,
                    "at": fact.at,
                    "intent": fact.intent,
                    "confidence": fact.confidence,
                    "outcome": None,
                    "topic": None,
                    "question": fact.question,  # until its reply shows it was answered
                    "question_until": fact.at + timedelta(days=QUESTION_DAYS),
                }
                latest[fact.conversation] = fact.key
                self._note(fact, new_messages[fact.key])
            elif isinstance(fact, Feedback):
                self._vote(fact)
            elif isinstance(fact, Reply):
                key = latest.get(fact.conversation)
                if key is None:
                    continue  # a later action of the same turn, or a repeated delivery
                latest[fact.conversation] = None
                if key in new_messages:
                    _settle(new_messages[key], fact)
                else:
                    settled_before[key] = (fact.outcome, fact.topic)
            elif fact.key not in self.known_steps and fact.key not in new_steps:
                new_steps[fact.key] = {"key": fact.key, "conversation": fact.conversation, "step": fact.step}
                new_steps[fact.key]["at"] = fact.at
        for table, rows in (
            (InsightConversation, new_conversations),
            (InsightMessage, new_messages),
            (InsightStep, new_steps),
        ):
            if rows:
                self.db.execute(insert(table), list(rows.values()))
        for key, (outcome, topic) in settled_before.items():
            values: dict[str, Any] = {"outcome": outcome, "topic": topic}
            if outcome not in UNANSWERED:
                values |= {"question": None, "question_until": None}
            self.db.execute(update(InsightMessage).where(InsightMessage.key == key).values(**values))
        for key, row in self.votes.items():
            if key in self.known_votes:
                self.db.execute(update(InsightFeedback).where(InsightFeedback.key == key).values(**row))
            else:
                self.db.execute(insert(InsightFeedback), [{"key": key, **row}])
        for key, note in self.notes.items():
            values = {"note_until": None} | ({"note": note} if note else {})
            self.db.execute(update(InsightFeedback).where(InsightFeedback.key == key).values(**values))
        written = len(new_conversations) + len(new_messages) + len(new_steps) + len(settled_before)
        return written + len(self.votes) + len(self.notes)

    votes: dict[str, dict[str, Any]]  # answer key -> the row of its latest vote
    notes: dict[str, str | None]  # answer key (of a vote written before) -> what was missing (None: too late)

    def _vote(self, vote: Feedback) -> None:
        """A vote replaces an earlier one on the same answer; a delivery seen before, or older, changes nothing."""
        earlier = self.votes.get(vote.key, {}).get("at") or self.known_votes.get(vote.key)
        if earlier is not None and as_utc(earlier) >= vote.at:
            return
        row = {"conversation": vote.conversation, "topic": vote.topic, "helpful": vote.helpful, "at": vote.at}
        row |= {"question": vote.question, "note": None, "note_until": None}
        row["question_until"] = vote.at + timedelta(days=QUESTION_DAYS) if not vote.helpful else None
        if vote.ask_note:
            row["note_until"] = vote.at + timedelta(minutes=NOTE_MINUTES)
            self.asked[vote.conversation] = (vote.key, row["note_until"])
        elif self.asked.get(vote.conversation, ("",))[0] == vote.key:
            del self.asked[vote.conversation]
        self.votes[vote.key] = row
        self.notes.pop(vote.key, None)

    def _note(self, message: Message, row: dict[str, Any]) -> None:
        """The learner's first message after "what was missing?" (not another vote) answers it. Its text is
        then kept with the vote only, not also among the questions not answered."""
        asked = self.asked.get(message.conversation)
        if asked is None or message.intent == feedback.INTENT:
            return
        del self.asked[message.conversation]
        key, until = asked
        # Later, it is a new question; "thanks", "no" or a button is no answer to "what was missing?".
        answers = message.at <= as_utc(until) and message.intent not in NO_NOTE and not message.question.startswith("/")
        note = message.question if answers else None
        if note:
            row["question"] = row["question_until"] = None
        if key in self.votes:
            self.votes[key] |= {"note": note, "note_until": None}
        else:
            self.notes[key] = note


def _asked(db: Session, conversations: set[str]) -> dict[str, tuple[str, datetime]]:
    """conversation -> (answer key, until when) of a 👎 whose "what was missing?" waits for the next message."""
    asked: dict[str, tuple[str, datetime]] = {}
    names = sorted(conversations)
    for start in range(0, len(names), _CHUNK):
        query = select(InsightFeedback.conversation, InsightFeedback.key, InsightFeedback.note_until).where(
            InsightFeedback.conversation.in_(names[start : start + _CHUNK]), InsightFeedback.note_until.is_not(None)
        )
        for conversation, key, until in db.execute(query).all():
            asked[conversation] = (key, until)
    return asked


def _settle(row: dict, reply: Reply) -> None:
    row["outcome"], row["topic"] = reply.outcome, reply.topic
    if reply.outcome not in UNANSWERED:
        row["question"] = row["question_until"] = None


def _in(db: Session, column, other, keys: list[str]) -> list[tuple]:
    found: list[tuple] = []
    for start in range(0, len(keys), _CHUNK):
        found += db.execute(select(column, other).where(column.in_(keys[start : start + _CHUNK]))).all()
    return found


def _waiting(db: Session, conversations: set[str]) -> dict[str, str]:
    """conversation -> the key of its latest message, for those whose latest message has no outcome yet."""
    later = aliased(InsightMessage)
    newest = select(func.max(later.at)).where(later.conversation == InsightMessage.conversation).scalar_subquery()
    waiting: dict[str, str] = {}
    names = sorted(conversations)
    for start in range(0, len(names), _CHUNK):
        query = select(InsightMessage.conversation, InsightMessage.key).where(
            InsightMessage.conversation.in_(names[start : start + _CHUNK]),
            InsightMessage.at == newest,
            InsightMessage.outcome.is_(None),
        )
        waiting.update(dict(db.execute(query).all()))
    return waiting


def forget_questions(now: datetime | None = None, url: str | None = None) -> int:
    """Drops the text of questions kept longer than allowed; returns how many."""
    now = now or datetime.now(timezone.utc)
    with new_session(url) as db, db.begin():
        result = db.execute(
            update(InsightMessage)
            .where(InsightMessage.question_until < now)
            .values(question=None, question_until=None)
            .execution_options(synchronize_session=False)
        )
        votes = db.execute(
            update(InsightFeedback)
            .where(InsightFeedback.question_until < now)
            .values(question=None, note=None, question_until=None)
            .execution_options(synchronize_session=False)
        )
        return (result.rowcount or 0) + (votes.rowcount or 0)
