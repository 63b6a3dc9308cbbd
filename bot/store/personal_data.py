"""One person's data, to give them a copy or to erase it: applications, documents, conversations.

    python -m bot.store.personal_data export jane@uni.edu --out jane-export/
    python -m bot.store.personal_data erase jane@uni.edu --yes

A person is found by the email they applied with (and, for Slack, the Slack user their
applications were filed from: their conversations there go too).

Erasure deletes the documents (files and rows), the applicant, every conversation of theirs in the
conversation store, their requests to talk to a person (answered at their address, or from their
conversations) with everything said in them, and every personal field of their applications: name,
organisation, ORCID iD, the reason given to them, the conversation id, the Slack user. What stays, for audit, is the
decision history without personal data: each application's reference, badge, status, dates,
Credly badge id, and its status changes (who decided, when; notes are blanked), plus a last entry
"personal data erased". A badge already issued lives in Credly: the learner manages or deletes
it there (their Credly account), which the export says.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.store.applications import ApplicationStore
from bot.store.conversation_logs import open_conversations
from bot.store.conversations import ConversationLog
from bot.store.models import Applicant, Application, BadgeIssuing, HandoffMessage, HandoffRequest, StatusChange

ERASED = "personal data erased on request"


@dataclass(frozen=True)
class Person:
    email: str
    applications: list[Application]

    @property
    def conversation_ids(self) -> set[str]:
        ids = {a.conversation_id for a in self.applications if a.conversation_id}
        return ids | {f"slack:{a.filed_by.removeprefix('slack:')}" for a in self.applications if a.filed_by}

    @property
    def slack_users(self) -> set[str]:
        return {a.filed_by.removeprefix("slack:") for a in self.applications if a.filed_by}


def _applications(session: Session, email: str) -> list[Application]:
    rows = session.execute(
        select(Application).join(Applicant).where(Applicant.email == email.strip().lower()).order_by(Application.id)
    ).scalars()
    applications = list(rows)
    for application in applications:
        _ = application.applicant, application.documents, application.history
    return applications


def find(store: ApplicationStore, email: str) -> Person:
    return Person(email.strip().lower(), store.transaction(lambda session: _applications(session, email)))


def _conversations(log: ConversationLog | None, person: Person) -> list[str]:
    """The person's conversations: their applications' ones, and every one of their Slack user."""
    if log is None:
        return []
    senders = set(log.senders())
    slack = {s for s in senders for user in person.slack_users if s.startswith("slack:") and s.endswith(f":{user}")}
    return sorted((person.conversation_ids & senders) | slack)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def export(store: ApplicationStore, email: str, log: ConversationLog | None) -> dict[str, Any]:
    """Everything kept about the person, with their documents' content (base64)."""
    person = find(store, email)
    applications = []
    for a in person.applications:
        documents = []
        for d in a.documents:
            path = store.documents_dir / d.stored_name
            content = base64.b64encode(path.read_bytes()).decode() if path.exists() else None
            documents.append({"name": d.original_name, "type": d.mime, "size": d.size, "sha256": d.sha256,
                              "uploaded_at": _plain(d.uploaded_at), "content_base64": content})  # fmt: skip
        applications.append(
            {
                "reference": a.reference,
                "status": a.status,
                "badge": a.badge_id,
                "training": a.training_id,
                "completed": _plain(a.completion_date),
                "name": a.full_name,
                "organisation": a.organisation,
                "orcid": a.orcid,
                "submitted_at": _plain(a.submitted_at),
                "decision_reason": a.decision_reason,
                "credly_badge_id": a.credly_badge_id,
                "credly_state": a.credly_state,
                "filed_from": a.filed_by or "website",
                "history": [
                    {"at": _plain(h.at), "from": h.from_status, "to": h.to_status, "by": h.actor, "note": h.note}
                    for h in a.history
                ],  # fmt: skip
                "documents": documents,
            }
        )
    conversations = [{"id": sender, "events": log.events(sender)} for sender in _conversations(log, person)]
    return {
        "email": person.email,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "applications": applications,
        "conversations": conversations,
        "note": "An issued badge is held by Credly: manage or delete it in your Credly account (support.credly.com).",
    }


def _erase_application(
    store: ApplicationStore, session: Session, application: Application, actor: str, files: list[Path]
) -> None:
    """Blanks one application's personal data and deletes its documents' rows (their files are
    collected in `files`, deleted once the transaction committed)."""
    for document in list(application.documents):
        files.append(store.documents_dir / document.stored_name)
        session.delete(document)
    for change in application.history:
        change.note = None
    application.full_name = application.organisation = application.orcid = None
    application.decision_reason = None
    application.conversation_id, application.filed_by, application.applicant = "erased", None, None
    application.upload_token_hash = application.upload_token_expires_at = None
    # A badge still waiting to be issued cannot be, without the person's email: it is dropped.
    session.execute(delete(BadgeIssuing).where(BadgeIssuing.application_id == application.id))
    session.add(StatusChange(application_id=application.id, from_status=application.status,
                             to_status=application.status, actor=actor, note=ERASED,
                             at=store.clock()))  # fmt: skip


def erase_applications(store: ApplicationStore, references: list[str], actor: str) -> dict[str, int]:
    """Erases these applications only (filed from a Slack account with an address it never proved:
    the account's own data, not everything else filed with that address)."""
    files: list[Path] = []

    def work(session: Session) -> int:
        rows = session.execute(select(Application).where(Application.reference.in_(references))).scalars().all()
        for application in rows:
            _erase_application(store, session, application, actor, files)
        return len(rows)

    applications = store.transaction(work) if references else 0
    for path in files:
        path.unlink(missing_ok=True)
    return {"applications": applications, "documents": len(files), "conversations": 0}


def _erase_handoffs(session: Session, email: str, conversations: list[str]) -> None:
    """Requests to talk to a person (bot/handoff) answered at this address, or from these conversations,
    with everything said in them."""
    found = or_(HandoffRequest.email == email, HandoffRequest.conversation_id.in_(conversations))
    ids = session.scalars(select(HandoffRequest.id).where(found)).all()
    if ids:
        session.execute(delete(HandoffMessage).where(HandoffMessage.request_id.in_(ids)))
        session.execute(delete(HandoffRequest).where(HandoffRequest.id.in_(ids)))


def erase(store: ApplicationStore, email: str, log: ConversationLog | None, actor: str) -> dict[str, int]:
    """Erases the person's data (see the module's docstring); returns what was erased."""
    person = find(store, email)
    conversations = _conversations(log, person)
    files: list[Path] = []

    def work(session: Session) -> int:
        applicant = session.execute(select(Applicant).where(Applicant.email == person.email)).scalar_one_or_none()
        erased = 0
        for application in _applications(session, person.email):
            _erase_application(store, session, application, actor, files)
            erased += 1
        if applicant is not None:
            session.flush()
            session.delete(applicant)
        _erase_handoffs(session, person.email, conversations)
        return erased

    applications = store.transaction(work)
    for path in files:  # after the commit: a failed erasure leaves every file to its row
        path.unlink(missing_ok=True)
    deleted_conversations = log.delete(conversations) if log is not None else 0
    return {"applications": applications, "documents": len(files), "conversations": deleted_conversations}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.store.personal_data", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    exporting = commands.add_parser("export", help="everything kept about one person, as JSON with the documents")
    exporting.add_argument("email")
    exporting.add_argument("--out", type=Path, help="a folder for export.json (default: print the JSON)")
    erasing = commands.add_parser("erase", help="erase one person's data (see --help of the module)")
    erasing.add_argument("email")
    erasing.add_argument("--yes", action="store_true", help="really erase (nothing can bring it back)")
    erasing.add_argument("--reviewer", default="administrator", help="who erases, recorded in the history")
    args = parser.parse_args(argv)

    store = ApplicationStore()
    log = open_conversations()
    if args.command == "export":
        data = export(store, args.email, log)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True, mode=0o700)
            (args.out / "export.json").write_text(text)
            print(f"exported {len(data['applications'])} applications and {len(data['conversations'])} conversations "
                  f"to {args.out / 'export.json'}")  # fmt: skip
        else:
            print(text)
        return 0
    if not args.yes:
        person = find(store, args.email)
        print(f"would erase {len(person.applications)} applications and their documents and conversations; "
              "run again with --yes to erase", file=sys.stderr)  # fmt: skip
        return 2
    done = erase(store, args.email, log, f"administrator:{args.reviewer}")
    print(f"erased {done['applications']} applications, {done['documents']} documents, "
          f"{done['conversations']} conversations")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
