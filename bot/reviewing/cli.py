"""The reviewers' command line: list, show, start, approve and reject applications.

    python -m bot.reviewing.cli list [--status submitted]
    python -m bot.reviewing.cli show ACTS-7KQ2-M9XD
    python -m bot.reviewing.cli start ACTS-7KQ2-M9XD
    python -m bot.reviewing.cli approve ACTS-7KQ2-M9XD
    python -m bot.reviewing.cli reject ACTS-7KQ2-M9XD --reason "The certificate is for another course."

The reviewer's name comes from --reviewer, else ACTS_REVIEWER, else the login name.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.channels.slack.notify import learner_notifier
from bot.reading.references import parse_reference
from bot.reviewing.decisions import ReviewError, Reviews
from bot.settings import credly_client, slack, upload_dir
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable


def _reviewer(args: argparse.Namespace) -> str:
    return args.reviewer or os.environ.get("ACTS_REVIEWER") or getpass.getuser()


def _list(store: ApplicationStore, args: argparse.Namespace) -> int:
    applications = store.submitted(status=args.status)
    if not applications:
        print("No applications" + (f" with status {args.status}." if args.status else "."))
        return 0
    print(f"{'REFERENCE':<16}{'STATUS':<14}{'BADGE':<28}{'CREDLY':<10}{'SUBMITTED':<12}APPLICANT")
    for a in applications:
        submitted = a.submitted_at.strftime("%Y-%m-%d") if a.submitted_at else ""
        print(
            f"{a.reference:<16}{a.status:<14}{a.badge_id:<28}{a.credly_state or '-':<10}{submitted:<12}"
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
    print("Documents:")
    for d in a.documents:
        print(f"  {d.original_name}  {d.mime}  {d.size} bytes  sha256 {d.sha256}\n    {upload_dir() / d.stored_name}")
    print("History:")
    for h in a.history:
        print(
            f"  {h.at:%Y-%m-%d %H:%M}  {h.from_status or '-'} -> {h.to_status}  by {h.actor}"
            + (f"  ({h.note})" if h.note else "")
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.reviewing.cli", description="Review ACTS badge applications.")
    parser.add_argument("--reviewer", help="your name, recorded with every decision")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="applications, optionally of one status")
    listing.add_argument("--status", choices=["submitted", "under_review", "approved", "rejected"])
    for name, text in (
        ("show", "one application with its documents and history"),
        ("start", "mark an application as under review"),
        ("approve", "approve and issue the badge through Credly"),
        ("reject", "reject, with a reason the learner is told"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("reference")
        if name == "reject":
            command.add_argument("--reason", required=True)
    args = parser.parse_args(argv)

    store = ApplicationStore()
    try:
        if args.command == "list":
            return _list(store, args)
        reference = parse_reference(args.reference)
        if reference is None:
            print(f"{args.reference!r} is not a reference like ACTS-7KQ2-M9XD.", file=sys.stderr)
            return 2
        if args.command == "show":
            return _show(store, reference)
        reviews = Reviews(store, credly_client, notify=learner_notifier(slack()))
        if args.command == "start":
            outcome = reviews.start(reference, _reviewer(args))
        elif args.command == "approve":
            outcome = reviews.approve(reference, _reviewer(args))
        else:
            outcome = reviews.reject(reference, _reviewer(args), args.reason)
    except ReviewError as error:
        print(error, file=sys.stderr)
        return 1
    except DatabaseUnavailable:
        print("The applications database cannot be reached (check DATABASE_URL).", file=sys.stderr)
        return 3
    print(outcome.message + ("" if outcome.changed else " Nothing changed."))
    return 0 if outcome.complete else 4


if __name__ == "__main__":
    sys.exit(main())
