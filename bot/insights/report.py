"""The numbers of the staff's report, from the analytics tables and the applications, for a period.

Every number is computed here and only drawn by bot/insights/page.py, so the tests check them as
numbers. Conversations, messages and steps count when they happened inside [since, until); an
application's later steps (approval, Credly's claim) count for the applications started inside it,
whenever they came.
"""

from __future__ import annotations

import functools
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise

from sqlalchemy import func, select

from bot.insights.reading import DECLINED, STARTED, STATUS_CHECK, STEPS, UNANSWERED, UNSURE, conversation_key
from bot.store.db import session as new_session
from bot.store.models import (
    Application,
    HandoffMessage,
    HandoffRequest,
    InsightConversation,
    InsightFeedback,
    InsightMessage,
    InsightStep,
    StatusChange,
)

SUBMITTED, APPROVED, ACCEPTED = "submitted", "approved", "badge accepted"
FUNNEL = (*STEPS, SUBMITTED, APPROVED, ACCEPTED)
TOP_QUESTIONS = 15
# Two wordings mean the same when the sentence model's cosine is at least this: "how much does ACTS
# membership cost?" and "what's the price of joining ACTS" (0.84) are one question; the cost of the
# training (0.48) and CME credit against continuing-education credit (0.66) stay apart.
SAME_MEANING = 0.8
MEANING_GROUPS = 300  # the most asked wordings compared by meaning (the model reads ~70 a second)


@dataclass
class Report:
    since: date
    until: date  # the day after the last one
    conversations: dict[str, dict[date, int]] = field(default_factory=dict)  # channel -> day -> count
    messages: dict[str, dict[date, int]] = field(default_factory=dict)
    topics: list[tuple[str, int]] = field(default_factory=list)  # FAQ topic, questions answered with it
    unanswered: list[tuple[str, int]] = field(default_factory=list)  # masked question, times asked
    rates: dict[date, tuple[float, float]] = field(default_factory=dict)  # day -> (out of scope, unsure)
    funnel: list[tuple[str, int]] = field(default_factory=list)  # step, conversations that reached it
    funnel_hours: list[tuple[str, float | None]] = field(default_factory=list)  # "a -> b", median hours
    stopped_at: list[tuple[str, int]] = field(default_factory=list)  # last step reached, conversations
    status_checks: int = 0
    # Learners' 👍 / 👎: per FAQ topic (topic, helpful, not helpful), most "not helpful" first; the
    # questions whose answer did not help, and what learners said was missing, grouped as the unanswered ones.
    feedback: list[tuple[str, int, int]] = field(default_factory=list)
    unhelpful: list[tuple[str, int]] = field(default_factory=list)
    missing: list[tuple[str, int]] = field(default_factory=list)
    # Requests to talk to a person (bot/handoff) made in the period: how many, answered by staff, closed,
    # and the median hours from the request to the staff's first answer.
    handoffs: dict[str, float | int | None] = field(default_factory=dict)

    @property
    def total_conversations(self) -> int:
        return sum(sum(days.values()) for days in self.conversations.values())

    @property
    def total_messages(self) -> int:
        return sum(sum(days.values()) for days in self.messages.values())


def build(since: date, until: date, secret: bytes, url: str | None = None) -> Report:
    """The report of the days from `since` up to, not including, `until`."""
    start, end = _utc(since), _utc(until)
    report = Report(since, until)
    with new_session(url) as db:
        conversations = db.execute(
            select(InsightConversation.channel, InsightConversation.first_at).where(
                InsightConversation.first_at >= start, InsightConversation.first_at < end
            )
        ).all()
        messages = db.execute(
            select(InsightMessage.channel, InsightMessage.at, InsightMessage.outcome, InsightMessage.topic)
            .add_columns(InsightMessage.question)
            .where(InsightMessage.at >= start, InsightMessage.at < end)
        ).all()
        steps = db.execute(
            select(InsightStep.conversation, InsightStep.step, InsightStep.at).where(
                InsightStep.at >= start, InsightStep.at < end
            )
        ).all()
        applications = db.execute(
            select(Application.id, Application.conversation_id, Application.submitted_at, Application.credly_state)
            .add_columns(Application.credly_checked_at)
            .where(Application.submitted_at.is_not(None))
        ).all()
        votes = db.execute(
            select(InsightFeedback.topic, InsightFeedback.helpful, InsightFeedback.question)
            .add_columns(InsightFeedback.note, InsightFeedback.at)
            .where(InsightFeedback.at >= start, InsightFeedback.at < end)
        ).all()
        handoffs = db.execute(
            select(HandoffRequest.id, HandoffRequest.created_at, HandoffRequest.status).where(
                HandoffRequest.created_at >= start, HandoffRequest.created_at < end
            )
        ).all()
        first_answers = dict(
            db.execute(
                select(HandoffMessage.request_id, func.min(HandoffMessage.at))
                .where(HandoffMessage.sender == "staff")
                .group_by(HandoffMessage.request_id)
            ).all()
        )
        approvals = dict(
            db.execute(
                select(StatusChange.application_id, StatusChange.at).where(StatusChange.to_status == "approved")
            ).all()
        )
    report.conversations = _per_channel_and_day(conversations)
    report.messages = _per_channel_and_day([(channel, at) for channel, at, *_ in messages])
    report.topics = Counter(topic for _, _, outcome, topic, _ in messages if topic).most_common()
    report.unanswered = _grouped([question for *_, outcome, _, question in messages if outcome in UNANSWERED])
    report.rates = _rates(messages)
    _feedback(report, votes)
    _handoffs(report, handoffs, first_answers)
    _funnel(report, steps, applications, approvals, secret)
    return report


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).date()


def _per_channel_and_day(rows) -> dict[str, dict[date, int]]:
    counts: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for channel, at in rows:
        counts[channel][_day(at)] += 1
    return {channel: dict(sorted(days.items())) for channel, days in sorted(counts.items())}


def normalised(question: str) -> str:
    """A question as grouped: near-identical wordings (case, accents, punctuation, spacing) together."""
    text = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9<>]+", text))


def _grouped(questions: list[str | None]) -> list[tuple[str, int]]:
    """The questions, the same question in other words counted together: first near-identical wordings
    (normalised), then wordings whose meanings are close (the sentence model's cosine at least
    SAME_MEANING). Each group is shown by its most frequent wording."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for question in questions:
        if question:
            groups[normalised(question)][question] += 1
    ranked = sorted(groups.values(), key=lambda wordings: (-sum(wordings.values()), wordings.most_common(1)[0][0]))
    merged = _by_meaning(ranked[:MEANING_GROUPS]) + ranked[MEANING_GROUPS:]
    merged.sort(key=lambda wordings: (-sum(wordings.values()), wordings.most_common(1)[0][0]))
    return [(wordings.most_common(1)[0][0], sum(wordings.values())) for wordings in merged[:TOP_QUESTIONS]]


def _by_meaning(groups: list[Counter[str]]) -> list[Counter[str]]:
    """Greedy, most asked first: a group joins the first earlier group whose wording means the same."""
    if len(groups) < 2:
        return groups
    vectors = _encoder().encode([wordings.most_common(1)[0][0] for wordings in groups])
    kept: list[tuple[int, Counter[str]]] = []
    for index, wordings in enumerate(groups):
        for first, together in kept:
            if float(vectors[index] @ vectors[first]) >= SAME_MEANING:
                together.update(wordings)
                break
        else:
            kept.append((index, Counter(wordings)))
    return [together for _, together in kept]


@functools.lru_cache(maxsize=1)
def _encoder():
    from bot.meaning.minilm import SentenceEncoder

    return SentenceEncoder()


def _feedback(report: Report, votes) -> None:
    tally: dict[str, Counter[bool]] = defaultdict(Counter)
    for topic, helpful, *_ in votes:
        tally[topic][bool(helpful)] += 1
    report.feedback = sorted(
        ((topic, counts[True], counts[False]) for topic, counts in tally.items()), key=lambda row: (-row[2], row[0])
    )
    report.unhelpful = _grouped([question for _, helpful, question, *_ in votes if not helpful])
    report.missing = _grouped([note for _, helpful, _, note, _ in votes if not helpful])


def _handoffs(report: Report, requests, first_answers) -> None:
    waits = [
        (_aware(first_answers[id_]) - _aware(created)) / timedelta(hours=1)
        for id_, created, _ in requests
        if id_ in first_answers
    ]
    report.handoffs = {
        "requests": len(requests),
        "answered": len(waits),
        "closed": sum(status == "closed" for *_, status in requests),
        "median hours to an answer": round(statistics.median(waits), 2) if waits else None,
    }


def _rates(messages) -> dict[date, tuple[float, float]]:
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for _, at, outcome, _, _ in messages:
        if outcome is not None:
            per_day[_day(at)][outcome] += 1
    return {
        day: (outcomes[DECLINED] / sum(outcomes.values()), outcomes[UNSURE] / sum(outcomes.values()))
        for day, outcomes in sorted(per_day.items())
    }


def _funnel(report: Report, steps, applications, approvals, secret: bytes) -> None:
    reached: dict[str, dict[str, datetime]] = defaultdict(dict)  # conversation -> step -> first time
    for conversation, step, at in steps:
        if step == STATUS_CHECK:
            report.status_checks += 1
            continue
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        if step not in reached[conversation] or at < reached[conversation][step]:
            reached[conversation][step] = at
    started = {conversation for conversation, times in reached.items() if STARTED in times}
    for application_id, conversation_id, submitted_at, credly_state, checked_at in applications:
        conversation = conversation_key(conversation_id, secret)
        if conversation not in started:
            continue
        times = reached[conversation]
        times.setdefault(SUBMITTED, _aware(submitted_at))
        if application_id in approvals:
            times.setdefault(APPROVED, _aware(approvals[application_id]))
        if credly_state == "accepted" and checked_at is not None:
            times.setdefault(ACCEPTED, _aware(checked_at))
    applicants = [reached[conversation] for conversation in started]
    report.funnel = [(step, sum(step in times for times in applicants)) for step in FUNNEL]
    for before, after in pairwise(FUNNEL):
        both = [times for times in applicants if before in times and after in times]
        hours = [(times[after] - times[before]) / timedelta(hours=1) for times in both]
        report.funnel_hours.append((f"{before} -> {after}", round(statistics.median(hours), 2) if hours else None))
    last = Counter(max((FUNNEL.index(step) for step in times if step in FUNNEL), default=0) for times in applicants)
    report.stopped_at = [(FUNNEL[index], last[index]) for index in range(len(FUNNEL)) if last[index]]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
