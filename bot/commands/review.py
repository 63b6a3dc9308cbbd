"""The reviewers' command line: list, show, start, approve, reject and revoke applications; the badges
waiting to be issued, and one run of the issuing outbox.

    python -m bot.commands.review list [--status submitted]
    python -m bot.commands.review show ACTS-7KQ2-M9XD
    python -m bot.commands.review start ACTS-7KQ2-M9XD
    python -m bot.commands.review approve ACTS-7KQ2-M9XD
    python -m bot.commands.review reject ACTS-7KQ2-M9XD --reason "The certificate is for another course."
    python -m bot.commands.review revoke ACTS-7KQ2-M9XD --reason "Issued in error: the training was not completed."
    python -m bot.commands.review pending
    python -m bot.commands.review issue-pending

The reviewer's name comes from --reviewer, else ACTS_REVIEWER, else the login name.
Exit codes: 0 done (an approval whose badge is still being issued included), 1 refused (unknown
reference, a decision the application's status does not allow), 2 not a reference, 3 database
unreachable, 4 Credly did not do it yet (revoke: run it again; issue-pending: some still wait).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime

from bot.reading.references import parse_reference
from bot.reviewing.decisions import ReviewError
from bot.settings import reviewer_name, upload_dir
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable
from bot.store.issuing import IssuingOutbox
from bot.wiring import background_issuer, reviewer_desk

STATUSES = ["submitted", "under_review", "approved", "rejected", "revoked"]
CREDLY_NOT_YET = 4


def _reviewer(args: argparse.Namespace) -> str:
    return args.reviewer or reviewer_name() or getpass.getuser()


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def _list(store: ApplicationStore, args: argparse.Namespace) -> int:
    applications = store.submitted(status=args.status)
    if not applications:
        print("No applications" + (f" with status {args.status}." if args.status else "."))
        return 0
    print(f"{'REFERENCE':<16}{'STATUS':<14}{'BADGE':<28}{'CREDLY':<10}{'SUBMITTED':<12}APPLICANT")
    for a in applications:
        submitted = a.submitted_at.strftime("%Y-%m-%d") if a.submitted_at else ""
        credly = a.credly_state or ("issuing" if a.status == "approved" else "-")
        print(
            f"{a.reference:<16}{a.status:<14}{a.badge_id:<28}{credly:<10}{submitted:<12}"
            f"{a.full_name} <{a.applicant.email}>"
        )
    return 0


def _show(store: ApplicationStore, reference: str) -> int:
    a = store.get(reference)
    if a is None:
        print(f"No submitted application has the reference {reference}.", file=sys.stderr)
        return 1
    print(f"Reference:     {a.reference}\nStatus:        {a.status}\nBadge:         {a.badge_id}")
    print(f"Applicant:     {a.full_name} <{a.applicant.email}>\nOrganisation:  {a.organisation}")
    print(f"ORCID iD:      {a.orcid or '-'}\nTraining:      {a.training_id}, completed {a.completion_date}")
    print(f"Submitted:     {a.submitted_at:%Y-%m-%d %H:%M} UTC")
    if a.decision_reason:
        print(f"Reason:        {a.decision_reason}")
    if a.credly_badge_id:
        print(f"Credly badge:  {a.credly_badge_id} ({a.credly_state})")
    waiting = IssuingOutbox(store).of(reference)
    if waiting is not None:
        error = f", last error {waiting.last_error}" if waiting.last_error else ""
        print(f"Credly badge:  being issued since {_when(waiting.since)} UTC, {_tries(waiting.attempts)}{error}")
    print("Documents:")
    for d in a.documents:
        where = f"file deleted {d.removed_at:%Y-%m-%d} (retention)" if d.removed_at else upload_dir() / d.stored_name
        print(f"  {d.original_name}  {d.mime}  {d.size} bytes  sha256 {d.sha256}\n    {where}")
    print("History:")
    for h in a.history:
        print(
            f"  {h.at:%Y-%m-%d %H:%M}  {h.from_status or '-'} -> {h.to_status}  by {h.actor}"
            + (f"  ({h.note})" if h.note else "")
        )
    return 0


def _tries(count: int) -> str:
    return f"{count} {'try' if count == 1 else 'tries'}"


def _pending(store: ApplicationStore) -> int:
    """The approvals whose badge is not issued yet: since when, how many tries, the last error."""
    waiting = IssuingOutbox(store).waiting()
    if not waiting:
        print("No badges waiting to be issued.")
        return 0
    print(f"{'REFERENCE':<16}{'APPROVED (UTC)':<21}{'TRIES':<7}{'NEXT TRY (UTC)':<21}{'LAST ERROR':<36}APPROVED BY")
    for w in waiting:
        next_try = "now (in progress)" if w.in_progress else _when(w.next_attempt_at)
        print(
            f"{w.reference:<16}{_when(w.since):<21}{w.attempts:<7}{next_try:<21}{w.last_error or '-':<36}"
            f"{w.approved_by}"
        )
    return 0


def _issue_pending(store: ApplicationStore) -> int:
    """One try for every badge that is due (cron, or by hand); 4 if some are still waiting."""
    attempts = background_issuer(store, right_away=True).run_due()
    if not attempts:
        print("No badges due to be issued.")
    for attempt in attempts:
        if attempt.issued:
            print(f"{attempt.reference}: badge issued in Credly ({attempt.badge_id}, {attempt.state}).")
        else:
            later = f"; next try {_when(attempt.next_attempt_at)} UTC" if attempt.next_attempt_at else ""
            print(f"{attempt.reference}: not issued yet ({attempt.error}){later}.")
    return CREDLY_NOT_YET if any(not attempt.issued for attempt in attempts) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.commands.review", description="Review ACTS badge applications."
    )
    parser.add_argument("--reviewer", help="your name, recorded with every decision")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="applications, optionally of one status")
    listing.add_argument("--status", choices=STATUSES)
    for name, text in (
        ("show", "one application with its documents and history"),
        ("start", "mark an application as under review"),
        ("approve", "approve; its badge is then issued through Credly"),
        ("reject", "reject, with a reason the learner is told"),
        ("revoke", "revoke an issued badge in Credly, with a reason the learner is told"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("reference")
        if name in ("reject", "revoke"):
            command.add_argument("--reason", required=True)
    commands.add_parser("pending", help="approved applications whose badge is still being issued")
    commands.add_parser("issue-pending", help="try once to issue every badge that is due (for cron)")
    args = parser.parse_args(argv)

    store = ApplicationStore()
    try:
        if args.command == "list":
            return _list(store, args)
        if args.command == "pending":
            return _pending(store)
        if args.command == "issue-pending":
            return _issue_pending(store)
        reference = parse_reference(args.reference)
        if reference is None:
            print(f"{args.reference!r} is not a reference like ACTS-7KQ2-M9XD.", file=sys.stderr)
            return 2
        if args.command == "show":
            return _show(store, reference)
        reviews = reviewer_desk(store)
        if args.command == "start":
            outcome = reviews.start(reference, _reviewer(args))
        elif args.command == "approve":
            outcome = reviews.approve(reference, _reviewer(args))
        elif args.command == "reject":
            outcome = reviews.reject(reference, _reviewer(args), args.reason)
        else:
            outcome = reviews.revoke(reference, _reviewer(args), args.reason)
    except ReviewError as error:
        print(error, file=sys.stderr)
        return 1
    except DatabaseUnavailable:
        print("The applications database cannot be reached (check DATABASE_URL).", file=sys.stderr)
        return 3
    print(outcome.message + ("" if outcome.changed else " Nothing changed."))
    # An approval whose badge is still being issued is done as far as the reviewer goes: the outbox
    # carries on. A revocation Credly could not make is not.
    return CREDLY_NOT_YET if args.command == "revoke" and not outcome.complete else 0


if __name__ == "__main__":
    sys.exit(main())
