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

from bot.insights.reading import UNANSWERED, Message, Reply, Step, read
from bot.store.db import session as new_session
from bot.store.models import InsightConversation, InsightMessage, InsightStep

QUESTION_DAYS = 90
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
    def __init__(self, db: Session, facts: list[Message | Reply | Step]) -> None:
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
        return len(new_conversations) + len(new_messages) + len(new_steps) + len(settled_before)


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
        return result.rowcount or 0
