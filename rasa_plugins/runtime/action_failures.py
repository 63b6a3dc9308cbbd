"""When the action server is down or slow, the learner hears it, within seconds, not silence.

Rasa waits up to 300 s for a custom action, and when one fails it logs the error and goes on
without a word to the learner. Here the wait is bounded (ACTS_ACTION_TIMEOUT_SECONDS, default
8 s) and a failed action is answered once per message with an apology that says nothing is lost:
Rasa drops the failed action's events, so the learner's answers so far stay as they were, and
sending the last message again carries on once the server is back. The log line names the
action, the conversation and the error's type only.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

from bot.answers.faq import load_faq
from bot.settings import action_timeout_seconds

log = logging.getLogger(__name__)
SORRY = (
    "Sorry, something went wrong on my side and I couldn't do that just now. Nothing you told me is "
    "lost: please send your last message again in a minute. If it keeps happening, please contact {contact}."
)
_REMEMBERED = 10_000


def timeout_seconds() -> float:
    return action_timeout_seconds()


class _ApologisedFor:
    """The messages already apologised for (one apology per learner message, however many
    actions fail while it is handled)."""

    def __init__(self) -> None:
        self._seen: OrderedDict[tuple[str, str | None], None] = OrderedDict()

    def first(self, tracker: Any) -> bool:
        message = tracker.latest_message
        key = (tracker.sender_id, getattr(message, "message_id", None) or str(id(message)))
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)
        return True


def apply() -> None:
    import rasa.core.actions.action as actions

    actions.DEFAULT_REQUEST_TIMEOUT = timeout_seconds()  # RemoteAction.run reads this module name
    run_remote = RemoteAction.run
    apologised = _ApologisedFor()

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        try:
            return await run_remote(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # not a failure: the action declined, and Rasa asks the policies again
        except Exception as error:
            log.error("custom action %s failed in conversation %s: %s", self.name(), tracker.sender_id,
                      type(error).__name__)  # fmt: skip
            if apologised.first(tracker):
                await output_channel.send_response(
                    tracker.sender_id, {"text": SORRY.format(contact=load_faq().contact())}
                )
            raise

    RemoteAction.run = run
