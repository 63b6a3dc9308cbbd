"""Requests to talk to a person, from the command line: for staff without Slack (bot/handoff).

    python -m bot.commands.support list              the requests not closed, oldest first
    python -m bot.commands.support show HELP-7KQ2    one request and everything said in it
    python -m bot.commands.support reply HELP-7KQ2 "Your answer"
    python -m bot.commands.support close HELP-7KQ2   the conversation goes back to the assistant

Who answers is --as NAME, else ACTS_STAFF_NAME, else the login name; the learner sees the team's
name, not this one. Exit codes: 0 done, 2 no such request (or closed), 3 the database cannot be reached.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.handoff.desk import HandoffDesk
from bot.notices.handoff import handoff_desk
from bot.notices.worker import NoticeWorker
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable


def _list(desk: HandoffDesk) -> int:
    requests = desk.requests()
    if not requests:
        print("No open requests.")
        return 0
    print(f"{'REFERENCE':<12}{'STATUS':<8}{'CHANNEL':<9}{'ASKED (UTC)':<18}{'DUE (UTC)':<18}TAKEN BY")
    for r in requests:
        print(
            f"{r.reference:<12}{r.status:<8}{r.channel:<9}{r.created_at:%Y-%m-%d %H:%M}  {r.due_at:%Y-%m-%d %H:%M}  "
            f"{r.taken_by or '-'}"
        )
    return 0


def _show(desk: HandoffDesk, reference: str) -> int:
    request = desk.get(reference)
    if request is None:
        print(f"No request {reference}.", file=sys.stderr)
        return 2
    print(
        f"{request.reference}: {request.status}, from {request.channel}, asked {request.created_at:%Y-%m-%d %H:%M} UTC"
    )
    if request.application_reference:
        print(f"Their application: {request.application_reference}")
    for message in desk.messages(reference):
        who = message.author if message.sender == "staff" and message.author else message.sender
        print(f"[{message.at:%H:%M}] {who}: {message.text if message.text is not None else '(forgotten)'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.commands.support", description="Learners' requests.")
    parser.add_argument("command", choices=["list", "show", "reply", "close"])
    parser.add_argument("reference", nargs="?")
    parser.add_argument("text", nargs="?")
    parser.add_argument("--as", dest="author", default=None)
    args = parser.parse_args(argv)
    if args.command != "list" and not args.reference:
        parser.error(f"{args.command} needs a reference, e.g. HELP-7KQ2")
    if args.command == "reply" and not (args.text or "").strip():
        parser.error('reply needs the answer, in quotes: reply HELP-7KQ2 "..."')
    author = args.author or os.environ.get("ACTS_STAFF_NAME") or getpass.getuser()
    store = ApplicationStore()
    desk = handoff_desk(store)
    try:
        if args.command == "list":
            return _list(desk)
        if args.command == "show":
            return _show(desk, args.reference)
        if args.command == "reply":
            done = desk.reply(args.reference, author, args.text.strip())
            verb = "Sent to the learner"
        else:
            done = desk.close(args.reference, author)
            verb = "Closed; the learner is told"
        if done is None:
            print(f"No open request {args.reference}.", file=sys.stderr)
            return 2
        NoticeWorker(store).run_due()  # one try now; the web service's worker retries what fails
        print(f"{verb}: {done.reference}.")
        return 0
    except DatabaseUnavailable:
        print("The database cannot be reached.", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
