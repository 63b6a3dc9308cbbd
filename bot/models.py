"""Database tables: applicants, applications, their documents and status history."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Applicant(Base):
    __tablename__ = "applicants"
    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)  # stored lower-cased
    full_name = Column(String(200), nullable=False)
    organisation = Column(String(200), nullable=False)
    orcid = Column(String(19))
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
    # Only a hash of the upload token is kept: a database leak gives no upload rights.
    upload_token_hash = Column(String(64), unique=True)
    upload_token_expires_at = Column(DateTime(timezone=True))
    decision_reason = Column(Text)
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
    """Failed status look-ups, counted per conversation and per reference, to stop guessing."""

    __tablename__ = "status_lookups"
    key = Column(String(64), primary_key=True)  # sha256 of "conversation:<id>" or "reference:<ref>"
    failures = Column(Integer, nullable=False, default=0)
    window_started_at = Column(DateTime(timezone=True), nullable=False)
