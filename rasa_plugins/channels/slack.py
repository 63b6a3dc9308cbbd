"""The assistant in Slack: a Rasa input channel at `/webhooks/slack/webhook` for Events API and
interactivity requests, answering through the Web API.

Rasa's own Slack connector answers a mention twice, processes retries of events whose reason
is not a timeout, and knows nothing of shared files, identities or reviewers, so this channel is
the project's own. Every request's signature is verified (bot.slack.signing, which
also refuses timestamps more than 5 minutes away, and answers a malformed one with a 401, not a
500); Slack gets its 200 at once and the answer is posted through the Web API, since Slack wants an
answer within 3 seconds. Which events are a learner's message, once each, is decided by
bot.slack.events; reviewers' clicks go to bot.slack.reviewing, in a thread (they
touch the database and Credly).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers.responses import FEEDBACK_KEY
from bot.identity import IDENTITY_KEY, SHARED_FILES_KEY, SLACK, SOURCE_KEY, Identity, slack_source
from bot.notices.handoff import deliver_now, handoff_desk
from bot.settings import SlackSettings, slack
from bot.slack import blocks, reviewing, support
from bot.slack.client import async_web_client
from bot.slack.events import EventFilter, LearnerMessage, StaffReply, conversation_of
from bot.slack.signing import RequestVerifier
from bot.store.applications import ApplicationStore
from bot.wiring import reviewer_desk

log = logging.getLogger(__name__)
PROFILE_SECONDS = 600
SHARED_A_FILE = "(shared a file)"
REASON_MISSING = "Please write the reason: the learner reads it."


class SlackOutput(OutputChannel):
    """Posts the assistant's answers into the learner's DM, or the thread of the mention."""

    @classmethod
    def name(cls) -> str:
        return SLACK

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts

    async def _post(self, text: str, **kwargs: Any) -> None:
        try:
            await self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=text, unfurl_links=False, **kwargs
            )
        except SlackApiError as error:
            log.warning("could not post an answer in Slack: %s", error.response.get("error"))

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """An FAQ answer (its custom payload names the topic) gets 👍 / 👎 under it, in the same message."""
        topic = ((message.get("custom") or {}).get(FEEDBACK_KEY) or {}).get("topic")
        if topic and message.get("text") and not message.get("buttons"):
            await self._post(blocks.mrkdwn(message["text"]), blocks=blocks.answer_blocks(message["text"], topic))
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post(blocks.mrkdwn(text))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        await self._post(blocks.mrkdwn(text), blocks=blocks.reply_blocks(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(image, blocks=[{"type": "image", "image_url": image, "alt_text": "image"}])

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        return None  # the website widget's data (the in-place upload): Slack has the link in the text


class SlackInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return SLACK

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = slack()
        if settings is None:
            raise ValueError("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET must be set for the Slack channel")
        return cls(settings)

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        self.verifier = RequestVerifier(settings.signing_secret)
        self.events = EventFilter(support_channel=settings.support_channel)
        self.store = ApplicationStore()
        self.desk = handoff_desk(self.store)
        self._client: AsyncWebClient | None = None
        self._profiles: dict[str, tuple[float, dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task] = set()

    @property
    def client(self) -> AsyncWebClient:
        if self._client is None:  # made inside the server's event loop, where it is used
            self._client = async_web_client(self.settings)
        return self._client

    def _in_background(self, work: Awaitable[Any]) -> None:
        """Slack gets its 200 now; the answer follows through the Web API."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    # --- learners ------------------------------------------------------------------------

    async def _bot_user_id(self) -> str | None:
        if self.events.bot_user_id is None:
            try:
                self.events.bot_user_id = (await self.client.auth_test())["user_id"]
            except SlackApiError as error:
                log.warning("auth.test failed: %s", error.response.get("error"))
        return self.events.bot_user_id

    async def _profile(self, user: str) -> dict[str, Any]:
        cached = self._profiles.get(user)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            found = (await self.client.users_info(user=user))["user"]
        except SlackApiError as error:
            log.warning("users.info failed: %s", error.response.get("error"))
            return {}
        self._profiles[user] = (time.monotonic() + PROFILE_SECONDS, found)
        return found

    async def _respond(self, message: LearnerMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        try:
            user = await self._profile(message.user)
            profile = user.get("profile") or {}
            identity = Identity(
                SLACK,
                message.user,
                profile.get("real_name") or user.get("real_name") or None,
                profile.get("email") or None,
            )
            metadata = {
                SOURCE_KEY: slack_source(message.user),
                IDENTITY_KEY: identity.as_metadata(),
                SHARED_FILES_KEY: list(message.file_ids),
            }
            text = message.text or (SHARED_A_FILE if message.file_ids else "")
            if not text:
                return
            output = SlackOutput(self.client, message.channel, message.thread_ts)
            await on_new_message(
                UserMessage(text, output, message.conversation_id, input_channel=SLACK, metadata=metadata)
            )
        except Exception:  # a failure must not go unseen, but never with the learner's words
            log.exception("a Slack message could not be handled")

    # --- requests ------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("acts_slack_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.verifier.is_valid(request.body, request.headers):
                return response.text("invalid or stale signature", status=401)
            if "payload" in (request.form or {}):
                try:
                    payload = json.loads(request.form.get("payload"))
                except ValueError:
                    return response.text("payload is not JSON", status=400)
                return await self._interaction(payload, on_new_message)
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return response.text("body is not JSON", status=400)
            if not isinstance(body, dict):
                return response.text("body is not a JSON object", status=400)
            if body.get("type") == "url_verification":
                return response.json({"challenge": body.get("challenge")})
            await self._bot_user_id()
            reply = self.events.staff_reply(body)  # a reply in a request's thread in the support channel
            if reply is not None:
                self._in_background(self._staff_reply(reply))
                return response.text("")
            message = self.events.interpret(body)  # None for retries, duplicates, bots, edits...
            if message is not None:
                self._in_background(self._respond(message, on_new_message))
            return response.text("")

        return hook

    async def _interaction(
        self, payload: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        user = (payload.get("user") or {}).get("id")
        if payload.get("type") == "view_submission":
            return await self._reason_submitted(payload, user)
        if payload.get("type") != "block_actions" or not user or not payload.get("actions"):
            return response.text("")
        action = payload["actions"][0]
        action_id, value = str(action.get("action_id", "")), str(action.get("value", ""))
        channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
        message = payload.get("message") or {}
        if action_id in (reviewing.APPROVE, reviewing.REJECT):
            return await self._review_click(payload, user, action_id, value, channel, message.get("ts"))
        if action_id in support.ACTIONS and channel and message.get("ts"):
            self._in_background(self._support_click(user, action_id, value, channel, message["ts"]))
            return response.text("")
        if action_id.startswith((blocks.REPLY_ACTION, blocks.FEEDBACK_ACTION)) and channel and message.get("ts"):
            await self._learner_click(payload, user, action_id, value, channel, message, on_new_message)
        return response.text("")

    async def _learner_click(
        self,
        payload: dict[str, Any],
        user: str,
        action_id: str,
        value: str,
        channel: str,
        message: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """A learner's button: the message shows the choice, and the conversation goes on with it. A vote
        keeps both buttons, the chosen one marked: a second click changes it."""
        title = blocks.button_title(payload, value)
        shown = message.get("blocks") or []
        if action_id.startswith(blocks.FEEDBACK_ACTION):
            shown = blocks.voted_blocks(shown, action_id)
        else:
            shown = blocks.chosen_blocks(shown, title, user)
        try:
            await self.client.chat_update(
                channel=channel, ts=message["ts"], text=message.get("text") or title, blocks=shown
            )
        except SlackApiError as error:
            log.warning("could not show a learner's choice: %s", error.response.get("error"))
        direct = channel.startswith("D")
        root = None if direct else (message.get("thread_ts") or message["ts"])
        click = LearnerMessage(user, channel, value, root, conversation_of(user, channel, root))
        self._in_background(self._respond(click, on_new_message))

    # --- staff answering learners' requests (bot/handoff) -------------------------------------------

    async def _allowed_name(
        self, user: str, allowed: bool, refusal: str, channel: str | None, thread_ts: str | None = None
    ) -> str | None:
        """The name of a person allowed to act here (a reviewer, a support staff member); anyone else is
        told `refusal`, only them (when there is a channel to tell them in), and nothing changes."""
        if allowed:
            profile = await self._profile(user)
            return profile.get("real_name") or profile.get("name") or user
        if channel:
            try:
                await self.client.chat_postEphemeral(channel=channel, user=user, text=refusal, thread_ts=thread_ts)
            except SlackApiError as error:
                log.warning("could not refuse someone not allowed to act: %s", error.response.get("error"))
        return None

    async def _staff_name(self, user: str, channel: str, thread_ts: str | None = None) -> str | None:
        """The staff member's name, if `user` is one of SLACK_STAFF."""
        return await self._allowed_name(user, user in self.settings.staff, support.NOT_STAFF, channel, thread_ts)

    async def _staff_reply(self, reply: StaffReply) -> None:
        try:
            request = await asyncio.to_thread(self.desk.by_staff_message, reply.channel, reply.thread_ts)
            if request is None:
                return  # a thread of another message of the channel: none of the assistant's business
            name = await self._staff_name(reply.user, reply.channel, reply.thread_ts)
            if name is None:
                return
            if await asyncio.to_thread(self.desk.reply, request.reference, name, reply.text) is None:
                await self.client.chat_postEphemeral(
                    channel=reply.channel,
                    user=reply.user,
                    thread_ts=reply.thread_ts,
                    text=f"{request.reference} is closed: your reply did not reach the learner.",
                )
                return
            await asyncio.to_thread(deliver_now, self.store)
        except Exception:  # never with the words of the reply
            log.exception("a staff reply could not be handled")

    async def _support_click(self, user: str, action_id: str, reference: str, channel: str, ts: str) -> None:
        try:
            name = await self._staff_name(user, channel)
            if name is None:
                return
            if action_id == support.TAKE:
                done = await asyncio.to_thread(self.desk.take, reference, name)
            else:
                done = await asyncio.to_thread(self.desk.close, reference, name) is not None
            if not done:  # taken or closed by someone else meanwhile (or a double click): nothing changes
                return
            request = await asyncio.to_thread(self.desk.get, reference)
            messages = await asyncio.to_thread(self.desk.messages, reference)
            await self.client.chat_update(
                channel=channel,
                ts=ts,
                text=support.request_text(request),
                blocks=support.request_blocks(request, messages, support.state_of(action_id, user)),
            )
            await asyncio.to_thread(deliver_now, self.store)
        except Exception:
            log.exception("a click on a learner's request could not be handled")

    async def _reviewer(self, user: str, channel: str | None) -> tuple[str, str] | None:
        """(id, name) of an allowed reviewer (SLACK_REVIEWERS)."""
        allowed = reviewing.is_reviewer(self.settings, user)
        name = await self._allowed_name(user, allowed, reviewing.NOT_A_REVIEWER, channel)
        return None if name is None else (user, name)

    async def _review_click(
        self, payload: dict[str, Any], user: str, action_id: str, reference: str, channel: str | None, ts: str | None
    ) -> HTTPResponse:
        reviewer = await self._reviewer(user, channel)
        if reviewer is None or not channel or not ts:
            return response.text("")
        if action_id == reviewing.APPROVE:  # Credly may take a while: decided in the background
            work = asyncio.to_thread(
                reviewing.decide, self.settings, reviewer_desk(self.store), reviewer, reference, (channel, ts)
            )
            self._in_background(work)
            return response.text("")
        try:  # the modal must open within 3 s of the click, so now
            await self.client.views_open(
                trigger_id=payload.get("trigger_id"), view=reviewing.reason_modal(reference, channel, ts)
            )
        except SlackApiError as error:
            log.warning("could not open the rejection form: %s", error.response.get("error"))
        return response.text("")

    async def _reason_submitted(self, payload: dict[str, Any], user: str | None) -> HTTPResponse:
        view = payload.get("view") or {}
        if view.get("callback_id") != reviewing.REASON_VIEW or not user:
            return response.text("")
        reviewer = await self._reviewer(user, None)
        try:
            where = json.loads(view.get("private_metadata") or "{}")
            values = view["state"]["values"]
            reason = (values[reviewing.REASON_BLOCK][reviewing.REASON_ACTION].get("value") or "").strip()
        except (KeyError, TypeError, ValueError):
            return response.text("", status=400)
        if reviewer is None:
            return response.json(
                {"response_action": "errors", "errors": {reviewing.REASON_BLOCK: reviewing.NOT_A_REVIEWER}}
            )
        if not reason:
            return response.json({"response_action": "errors", "errors": {reviewing.REASON_BLOCK: REASON_MISSING}})
        decision = asyncio.to_thread(
            reviewing.decide,
            self.settings,
            reviewer_desk(self.store),
            reviewer,
            where["reference"],
            (where["channel"], where["ts"]),
            reason,
        )
        self._in_background(decision)
        return response.text("")  # closes the modal
