"""The notice outbox from the command line: what is still owed, one delivery round, and a second
chance for notices given up.

    python -m bot.commands.notices list        notices not delivered yet (and given up), oldest first
    python -m bot.commands.notices send-due    one try for every notice that is due (the web service does
                                          this every ACTS_NOTICE_POLL_SECONDS anyway)
    python -m bot.commands.notices retry       puts the given-up notices back in the queue, due now

The listing shows references and the kind of error, never an address. Exit codes: 0 done, 3 the
database cannot be reached, 4 (send-due) some notices are still waiting.
"""

from __future__ import annotations

import argparse
import sys

from bot.notices.outbox import NoticeOutbox
from bot.notices.worker import NoticeWorker
from bot.store.applications import ApplicationStore
from bot.store.db import DatabaseUnavailable


def _list(store: ApplicationStore) -> int:
    waiting = NoticeOutbox(store).waiting()
    if not waiting:
        print("No notices waiting.")
        return 0
    print(f"{'ID':<7}{'KIND':<13}{'REFERENCE':<16}{'QUEUED (UTC)':<18}{'TRIES':<7}{'NEXT TRY (UTC)':<18}LAST ERROR")
    for w in waiting:
        next_try = "given up" if w.given_up else f"{w.next_attempt_at:%Y-%m-%d %H:%M}"
        print(
            f"{w.id:<7}{w.kind:<13}{w.reference:<16}{w.since:%Y-%m-%d %H:%M}  {w.attempts:<7}{next_try:<18}"
            f"{w.last_error or '-'}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.commands.notices", description="The ACTS notice outbox.")
    parser.add_argument("command", choices=["list", "send-due", "retry"])
    args = parser.parse_args(argv)
    store = ApplicationStore()
    try:
        if args.command == "list":
            return _list(store)
        if args.command == "retry":
            print(f"{NoticeOutbox(store).retry_given_up()} given-up notices queued again.")
            return 0
        deliveries = NoticeWorker(store).run_due()
        for d in deliveries:
            error = f" ({d.error})" if d.error else ""
            print(f"notice {d.notice_id} ({d.kind}): {d.outcome}{error}")
        if not deliveries:
            print("No notices due.")
        return 4 if any(d.outcome in ("retry", "given up") for d in deliveries) else 0
    except DatabaseUnavailable:
        print("The applications database cannot be reached (check DATABASE_URL).", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
