"""A handoff's messages, through the notice outbox: queued inside the change's own transaction (the
desk's `on_change`), delivered with retries, each once (bot/notices/handoff_delivery.py).

To the staff: the request with its transcript, each later message of the learner, a reminder when
nobody has taken it in time, and the learner leaving. To the learner: each staff answer, and the
request closed by the staff. A notice holds the request's reference and the message's id only.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.handoff.desk import HandoffDesk
from bot.notices.outbox import HANDOFF_LEARNER, HANDOFF_STAFF, NoticeOutbox
from bot.notices.worker import NoticeWorker
from bot.store.applications import ApplicationStore

log = logging.getLogger(__name__)
_TO_STAFF = {"opened", "learner", "reminder", "left"}
_TO_LEARNER = {"staff", "closed"}


def queue(store: ApplicationStore):
    """The desk's `on_change`: queues what a change owes, in the change's transaction."""
    outbox = NoticeOutbox(store)

    def on_change(session: Session, what: str, reference: str, message: int | None) -> None:
        payload = {"reference": reference, "what": what, "message": message}
        key = f"handoff:{reference}:{what}:{message or ''}"
        if what in _TO_STAFF:
            outbox.enqueue(HANDOFF_STAFF, payload, key=key, session=session)
        elif what in _TO_LEARNER:
            outbox.enqueue(HANDOFF_LEARNER, payload, key=key, session=session)

    return on_change


def handoff_desk(store: ApplicationStore) -> HandoffDesk:
    return HandoffDesk(store, on_change=queue(store))


def notice_round(store: ApplicationStore, clock=None) -> None:
    """The web service's notice worker, each round: requests nobody took in time reminded to the staff
    (once), closed requests past their 90 days forgotten, then every notice that is due delivered."""
    desk = handoff_desk(store)
    if clock is not None:
        desk.clock = clock
    desk.remind_due()
    desk.forget_old()
    NoticeWorker(store).run_due()


def deliver_now(store: ApplicationStore) -> None:
    """One try right away for what a change just queued (and anything else due): never raises; the web
    service's worker retries what fails."""
    try:
        NoticeWorker(store).run_due(limit=5)
    except Exception as error:  # the change is stored and its notices queued: a later round delivers them
        log.warning("handoff notices: the try right away failed: %s", type(error).__name__)
