"""The parts that act on the outside world, built from the settings in one place: the Credly clients,
the learner notifier, the reviewers' desk (Reviews with its BadgeIssuer) and the background issuer.

The review command, Slack's Approve / Reject buttons, the action server and the web service all take
them from here, so a decision made in any of them is wired the same way: the approval and its badge in
the issuing outbox together, each Credly call of an issuing try made once (the outbox waits between
tries), the learner told through the notice outbox. Nothing below this module builds any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from bot.credly.client import CredlyClient
from bot.notices.tell import tell_learner
from bot.reviewing.decisions import Reviews
from bot.reviewing.issuing import BadgeIssuer
from bot.settings import CredlySettings, credly, credly_timeout, status_credly_seconds
from bot.store.applications import ApplicationStore
from bot.store.models import Application


def credly_client() -> CredlyClient:
    """The Credly client for reviewers and webhooks: retries for as long as its attempts allow."""
    return _client(credly(), credly_timeout(), budget=None, attempts=None)


def credly_client_for_learners() -> CredlyClient:
    """The Credly client for a learner's status question: gives up after a few seconds, so a slow
    Credly makes the answer "couldn't check right now" instead of a long wait."""
    return _client(credly(), credly_timeout(), budget=status_credly_seconds(), attempts=None)


def issuing_client() -> CredlyClient:
    """A Credly client that makes each call once: the outbox, not the client, waits between tries,
    so a worker never sleeps through a Retry-After while other badges wait."""
    return _client(credly(), credly_timeout(), budget=None, attempts=1)


@lru_cache(maxsize=8)
def _client(config: CredlySettings, timeout: float, budget: float | None, attempts: int | None) -> CredlyClient:
    """One client (one HTTP connection pool) per configuration, reused for every call."""
    options = {} if attempts is None else {"attempts": attempts}
    return CredlyClient(
        config.base_url, config.organization_id, config.token, timeout=timeout, budget=budget, **options
    )


def learner_notifier(store: ApplicationStore, right_away: bool = True) -> Callable[[Application], None]:
    """What is called after a change a learner is owed news of: queues the notice and, with
    `right_away`, tries it once at once (bot/notices/tell.py)."""
    return tell_learner(store, right_away=right_away)


def reviewer_desk(store: ApplicationStore) -> Reviews:
    """The Reviews the review command and the Slack buttons use."""
    notify = learner_notifier(store)
    return Reviews(store, credly_client, notify=notify, issuer=BadgeIssuer(store, issuing_client, notify=notify))


def background_issuer(store: ApplicationStore, right_away: bool = False) -> BadgeIssuer:
    """The issuer of the web service's worker and `issue-pending`: a learner whose badge it issued is
    told through the notice outbox, by default by the outbox's own worker (no round of badges waits
    on Slack or a mail server)."""
    return BadgeIssuer(store, issuing_client, notify=learner_notifier(store, right_away=right_away))
