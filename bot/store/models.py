"""Database tables: applicants, applications, their documents and status history, the badge-issuing
outbox, and the staff's analytics (insight_*: no personal data, bot/insights)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# An application in one of these states blocks a second one for the same email and badge.
OPEN_STATUSES = ("submitted", "under_review", "approved")
OPEN_CONDITION = "status IN ({})".format(", ".join(f"'{status}'" for status in OPEN_STATUSES))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Applicant(Base):
    __tablename__ = "applicants"
    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)  # stored lower-cased
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    applications = relationship("Application", back_populates="applicant")


class Application(Base):
    __tablename__ = "applications"
    id = Column(Integer, primary_key=True)
    # Set on submission; unguessable, so it can be told to the learner.
    reference = Column(String(14), unique=True)
    status = Column(String(20), nullable=False, index=True)
    badge_id = Column(String(80), nullable=False)
    applicant_id = Column(Integer, ForeignKey("applicants.id"))
    # The conversation a draft belongs to: only it may attach documents to the draft.
    conversation_id = Column(String(200), nullable=False, index=True)
    training_id = Column(String(80))
    completion_date = Column(Date)
    # As submitted: a later application by the same person never rewrites them.
    full_name = Column(String(200))
    organisation = Column(String(200))
    orcid = Column(String(19))
    # The verified identity it was filed from ("slack:<user id>"); None on the website.
    filed_by = Column(String(120), index=True)
    # Only a hash of the upload token is kept: a database leak gives no upload rights.
    upload_token_hash = Column(String(64), unique=True)
    upload_token_expires_at = Column(DateTime(timezone=True))
    decision_reason = Column(Text)
    # Uploads the checks refused (a fake PDF, too big): after two, the assistant offers a person.
    refused_uploads = Column(Integer, nullable=False, default=0, server_default="0")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at = Column(DateTime(timezone=True))
    # The badge issued through Credly on approval, and its last known claim state.
    credly_badge_id = Column(String(64), unique=True)
    credly_state = Column(String(20))
    credly_checked_at = Column(DateTime(timezone=True))

    applicant = relationship("Applicant", back_populates="applications")
    documents = relationship("Document", back_populates="application", order_by="Document.id")
    history = relationship("StatusChange", back_populates="application", order_by="StatusChange.id")

    # One open application per applicant and badge, enforced by the database (migration 0003).
    __table_args__ = (
        Index(
            "uq_open_application_per_applicant_badge",
            "applicant_id",
            "badge_id",
            unique=True,
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
    )


class Document(Base):
    __tablename__ = "documents"
    id = Column(Integer, primary_key=True)
    application_id = Column(Integer, ForeignKey("applications.id"), nullable=False, index=True)
    original_name = Column(String(80), nullable=False)
    stored_name = Column(String(80), nullable=False, unique=True)
    mime = Column(String(40), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    uploaded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Set when the retention clean-up deleted the file; the row (size, SHA-256) is kept.
    removed_at = Column(DateTime(timezone=True))

    application = relationship("Application", back_populates="documents")


class StatusChange(Base):
    __tablename__ = "status_history"
    id = Column(Integer, primary_key=True)
    application_id = Column(Integer, ForeignKey("applications.id"), nullable=False, index=True)
    from_status = Column(String(20))
    to_status = Column(String(20), nullable=False)
    actor = Column(String(120), nullable=False)  # "learner", "reviewer:<name>", "system"
    note = Column(Text)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    application = relationship("Application", back_populates="history")


class StatusLookup(Base):
    """Failed status look-ups per source (where the asking came from) and hour, to stop guessing."""

    __tablename__ = "status_lookups"
    key = Column(String(64), primary_key=True)  # sha256 of "<source>:<hour>": no address or id is stored
    failures = Column(Integer, nullable=False, default=0)
    window_started_at = Column(DateTime(timezone=True), nullable=False)


class BadgeIssuing(Base):
    """A badge owed to an approved application, written in the approval's own transaction; a worker
    issues it in Credly (bot/reviewing/issuing.py). A worker claims a row by a conditional update
    for a limited time (`claimed_until`), so two workers never issue at once, and a worker that dies
    mid-way leaves the row to be claimed again once its claim has run out."""

    __tablename__ = "badge_issuing"
    id = Column(Integer, primary_key=True)
    application_id = Column(Integer, ForeignKey("applications.id"), nullable=False, unique=True)
    requested_by = Column(String(120), nullable=False)  # the approving reviewer, recorded with the badge
    requested_at = Column(DateTime(timezone=True), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, index=True)
    last_attempt_at = Column(DateTime(timezone=True))
    last_error = Column(String(80))  # the kind of error only ("CredlyUnavailable: HTTP 503"): no personal data
    claimed_by = Column(String(32))
    claimed_until = Column(DateTime(timezone=True))
    issued_at = Column(DateTime(timezone=True))  # set once the badge is recorded: the row is done


class EmailCode(Base):
    """A one-time code sent to an email address to prove the learner reads it (bot/proving). Only a
    keyed hash of the code and of the address is kept; a code is bound to the conversation that
    asked for it, so a code read from someone else's mail proves nothing in another chat."""

    __tablename__ = "email_codes"
    id = Column(Integer, primary_key=True)
    address_key = Column(String(64), nullable=False, index=True)  # keyed hash of the lower-cased address
    conversation_key = Column(String(64), nullable=False, index=True)  # keyed hash of the conversation id
    purpose = Column(String(20), nullable=False)  # "apply", "status", "erase", "export"
    code_hash = Column(String(96), nullable=False)  # "<salt>$<keyed hash>"
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    failures = Column(Integer, nullable=False, default=0)
    used_at = Column(DateTime(timezone=True))  # set once, by the try that matched: the address is proven


class Notice(Base):
    """A message owed to someone after a change was stored (the reviewers' post, a learner's Slack DM
    or mail), written beside the change; a worker delivers it with retries (bot/notices). Claimed by
    a conditional update for a limited time, like BadgeIssuing, so two workers never send one twice."""

    __tablename__ = "notices"
    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False)  # "review_post", "slack_dm", "mail"
    payload = Column(Text, nullable=False)  # JSON: the application's reference (and news); no personal data
    # Set for a notice owed once ("mail:<reference>:approved"): a second one for the same news is never queued.
    key = Column(String(80), unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, index=True)
    last_error = Column(String(80))  # the kind of error only: no personal data
    claimed_by = Column(String(32))
    claimed_until = Column(DateTime(timezone=True))
    sent_at = Column(DateTime(timezone=True))  # set once delivered: the row is done
    given_up_at = Column(DateTime(timezone=True))  # set when it can never be delivered


class CredlyEvent(Base):
    """Credly webhook events by their event id, claimed before Credly is asked about them: a repeated
    or simultaneous delivery asks Credly nothing (bot/credly/sync.py). A claim whose handler died
    (handled_at still unset long after received_at) may be taken over."""

    __tablename__ = "credly_events"
    event_id = Column(String(64), primary_key=True)
    received_at = Column(DateTime(timezone=True), nullable=False, index=True)  # when last claimed
    handled_at = Column(DateTime(timezone=True))  # set once handled: later deliveries are answered at once
    result = Column(String(20))  # "updated", "unknown badge", "ignored"


# --- analytics for ACTS staff (bot/insights): keyed by a salted hash of the conversation id, never by it ---


class InsightConversation(Base):
    """A conversation seen by the analytics: its channel and when it began."""

    __tablename__ = "insight_conversations"
    conversation = Column(String(32), primary_key=True)  # bot.insights.reading.conversation_key
    channel = Column(String(20), nullable=False)
    first_at = Column(DateTime(timezone=True), nullable=False, index=True)


class InsightMessage(Base):
    """A learner's message: what it was read as and what became of it. Its text is kept, masked, only
    when the assistant could not answer it, and only until `question_until`."""

    __tablename__ = "insight_messages"
    key = Column(String(32), primary_key=True)  # the event's own key: a repeated delivery is written once
    conversation = Column(String(32), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, index=True)
    intent = Column(String(80))
    confidence = Column(Float)
    outcome = Column(String(20), index=True)  # bot.insights.reading.OUTCOMES; None until the reply is seen
    topic = Column(String(80))  # the FAQ topic answered
    question = Column(Text)  # masked (bot.insights.masking)
    question_until = Column(DateTime(timezone=True))


class InsightFeedback(Base):
    """A learner's 👍 / 👎 on one answer (bot/answers/feedback.py), the latest vote only. With a 👎, the
    question that drew the answer and what the learner said was missing, masked, until `question_until`."""

    __tablename__ = "insight_feedback"
    key = Column(String(32), primary_key=True)  # the answer's: its conversation and time
    conversation = Column(String(32), nullable=False, index=True)
    topic = Column(String(80), nullable=False)
    helpful = Column(Boolean, nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, index=True)  # when the (latest) vote was given
    question = Column(Text)
    note = Column(Text)
    note_until = Column(DateTime(timezone=True))  # "what was missing?" was asked: the next message, until then
    question_until = Column(DateTime(timezone=True))


class InsightStep(Base):
    """A step of an application in a conversation (started, eligible, email proven, document, submitted)."""

    __tablename__ = "insight_steps"
    key = Column(String(32), primary_key=True)
    conversation = Column(String(32), nullable=False, index=True)
    step = Column(String(20), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False)


class HandoffRequest(Base):
    """A learner's request to talk to a person (bot/handoff): open until staff or the learner close it.
    The learner's address (web, proven) or Slack account is what the staff's answers are delivered to;
    the transcript is kept until `keep_until` (90 days after closing), then only the row's counts stay."""

    __tablename__ = "handoff_requests"
    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False)  # "HELP-7KQ2"
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(20), nullable=False)  # "rest" (the website) or "slack"
    status = Column(String(10), nullable=False, index=True)  # open, taken, closed
    email = Column(String(320))  # the address the learner proved (web)
    slack_user = Column(String(32))  # the learner's Slack account (slack)
    application_reference = Column(String(20))  # only if the learner has one open
    created_at = Column(DateTime(timezone=True), nullable=False)
    due_at = Column(DateTime(timezone=True), nullable=False)  # when an answer can be expected
    taken_by = Column(String(120))
    taken_at = Column(DateTime(timezone=True))
    reminded_at = Column(DateTime(timezone=True))
    closed_by = Column(String(120))
    closed_at = Column(DateTime(timezone=True))
    keep_until = Column(DateTime(timezone=True))
    staff_channel = Column(String(32))  # where the staff's message about it is (Slack), once posted
    staff_ts = Column(String(32))
    # The website's chat reads the staff's answers with a secret of its own (its keyed hash is kept), and
    # says when it last did: an answer is mailed only when no page of the conversation is open.
    page_token = Column(String(64), unique=True)
    page_seen_at = Column(DateTime(timezone=True))

    # At most one request not closed per conversation, enforced by the database (migration 0012).
    __table_args__ = (
        Index(
            "one_open_handoff_per_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
    )


class HandoffMessage(Base):
    """One message of a handoff: the transcript handed over, the learner's, the staff's, or a note."""

    __tablename__ = "handoff_messages"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("handoff_requests.id", ondelete="CASCADE"), nullable=False, index=True)
    sender = Column(String(10), nullable=False)  # learner, assistant, staff
    author = Column(String(120))  # the staff member who wrote it
    text = Column(Text)  # None once the transcript's time is up
    at = Column(DateTime(timezone=True), nullable=False)
    read_at = Column(DateTime(timezone=True))  # a staff answer the learner's open chat has shown
