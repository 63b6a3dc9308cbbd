"""HTTP routes of the web service: health, the one-time document upload, Credly webhooks, the demo
page, its OpenAPI description; and the workers of the badge-issuing and notice outboxes, in the
background.

Credly's webhooks arrive at /webhooks/credly/<secret> (bot.settings.credly_webhook_secret): any
other secret gets the 404 of a path that does not exist, and costs nothing; the right one is
limited per client address, and each event id is handled once (bot/credly/sync.py).

Whatever a client sends, the answer is a clear message, never a traceback: unexpected errors are
logged by type and place only (their text could quote what was sent) and answered with a short
sentence. Bodies are bounded in size and in time, so a huge or slow-dripping request is cut off
with a message and the service carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import traceback
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.credly.client import CredlyError
from bot.credly.sync import BadWebhook, WebhookBusy, handle_webhook
from bot.identity import web_source
from bot.insights import queue as insights_queue
from bot.insights import spool
from bot.notices.handoff import notice_round
from bot.settings import (
    allowed_origins,
    credly_webhook_secret,
    credly_webhooks_per_minute,
    insights_poll_seconds,
    issuing_poll_seconds,
    notice_poll_seconds,
    rabbitmq_url,
    secret_key,
    upload_seconds,
    web_proxies_count,
)
from bot.store.applications import LINK_INVALID, ApplicationStore, UploadRejected
from bot.store.db import DatabaseUnavailable
from bot.store.uploads import MAX_UPLOAD_BYTES, TOO_BIG, refused_message
from bot.web import handoff, pages, site
from bot.web.limits import SlidingWindow
from bot.web.openapi import OPENAPI
from bot.wiring import background_issuer, credly_client, learner_notifier

log = logging.getLogger(__name__)
STORE = web.AppKey("store", ApplicationStore)
WEBHOOK_SECRET = web.AppKey("webhook_secret", bytes)
WEBHOOK_LIMIT = web.AppKey("webhook_limit", SlidingWindow)
# The multipart envelope around a 10 MB file is a few hundred bytes; allow some slack.
MAX_BODY = MAX_UPLOAD_BYTES + 64 * 1024
DRAIN_LIMIT = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0
# A Credly event notification is four short fields; anything much larger is not one.
MAX_WEBHOOK_BODY = 64 * 1024
WEBHOOK_SECONDS = 30.0
# Credly sends one notification per badge event; a bulk issue is retried by Credly after a 429.
WEBHOOKS_PER_SOURCE_PER_MINUTE = 60
BUSY_RETRY_SECONDS = 5
# Upload tokens are secrets.token_urlsafe(32): 43 URL-safe characters. Anything else is no token of
# ours, and is refused before the database is asked.
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
NO_FILE = "Please choose a file to upload."
BUSY = "We couldn't save your file just now. Please try again in a minute; nothing was lost."
TOO_SLOW = (
    "The upload took too long, so it was stopped. Please try again, on a faster connection or with a "
    "smaller file (a compressed PDF or a photo at a lower resolution)."
)
WEBHOOK_TOO_BIG = "A Credly event notification is a small JSON object; this body is far too large."
WEBHOOK_TOO_SLOW = "The body took too long to arrive."
NOT_JSON = "expected a JSON object with the event id"
WEBHOOK_TOO_MANY = "Too many event notifications from this address; try again in a minute."
WEBHOOK_BUSY = "This event is being handled right now; try again shortly."
UNEXPECTED = "Sorry, something went wrong on our side. Please try again in a minute."


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _reply(request: web.Request, status: int, message: str, **extra) -> web.Response:
    if _wants_json(request):
        body = {"ok": status < 400, "message": message, **extra}
        return web.json_response(body, status=status)
    page = pages.problem(message) if status >= 400 else pages.uploaded(extra["document"]["summary"])
    return web.Response(text=page, status=status, content_type="text/html")


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def openapi(_request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)


async def _link_valid(store: ApplicationStore, token: str) -> bool:
    return TOKEN.fullmatch(token) is not None and await asyncio.to_thread(store.upload_link_valid, token)


async def upload_page(request: web.Request) -> web.Response:
    store = request.app[STORE]
    token = request.match_info["token"]
    try:
        valid = await _link_valid(store, token)
    except DatabaseUnavailable:
        return _reply(request, 503, BUSY)
    if not valid:
        return _reply(request, 404, LINK_INVALID)
    return web.Response(text=pages.upload_form(request.path), content_type="text/html")


class _TooBig(Exception):
    pass


async def _drain(request: web.Request, limit: int) -> None:
    """Reads and discards the rest of a refused body (up to a bound in size and time), so the client
    gets our answer instead of a broken connection in the middle of its upload."""

    async def discard() -> None:
        discarded = 0
        while discarded < limit and (chunk := await request.content.read(64 * 1024)):
            discarded += len(chunk)

    try:
        await asyncio.wait_for(discard(), DRAIN_SECONDS)
    except (asyncio.TimeoutError, OSError):
        pass  # the answer goes out all the same, and the connection is closed after it


async def _receive_file(request: web.Request, store: ApplicationStore) -> tuple[str | None, Path | None]:
    """The first file field of a multipart body, streamed to a file from store.incoming_file() with a
    hard size limit: an upload is never held in memory. The caller owns the returned file."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise _TooBig
    reader = await request.multipart()
    async for part in reader:
        if part.filename is None:
            continue
        incoming = store.incoming_file()
        try:
            size = 0
            with incoming.open("wb") as file:
                while chunk := await part.read_chunk(64 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise _TooBig
                    file.write(chunk)
        except BaseException:
            incoming.unlink(missing_ok=True)
            raise
        return part.filename, incoming
    return None, None


async def upload(request: web.Request) -> web.Response:
    store = request.app[STORE]
    token = request.match_info["token"]
    try:
        # The link first: a stranger's upload is refused before a byte of it is kept.
        valid = await _link_valid(store, token)
    except DatabaseUnavailable:
        log.warning("upload refused: database unavailable")
        return _reply(request, 503, BUSY)
    if not valid:
        await _drain(request, MAX_BODY)
        return _closing(_reply(request, 422, LINK_INVALID))
    try:
        filename, incoming = await asyncio.wait_for(_receive_file(request, store), upload_seconds())
    except _TooBig:
        await _drain(request, DRAIN_LIMIT)
        refusals = await _count_refused(store, token)
        return _closing(_reply(request, 413, refused_message(TOO_BIG, refusals)))
    except asyncio.TimeoutError:
        log.info("upload stopped: too slow")
        return _closing(_reply(request, 408, TOO_SLOW))
    except (ValueError, AssertionError, KeyError, LookupError, HttpProcessingError):
        return _closing(_reply(request, 400, NO_FILE))  # not a multipart form with a file, or a garbled one
    if incoming is None:
        return _reply(request, 400, NO_FILE)
    try:
        document = await asyncio.to_thread(store.attach_document, token, filename, incoming)
    except UploadRejected as rejected:
        return _reply(request, 422, str(rejected))
    except DatabaseUnavailable:
        log.warning("upload refused: database unavailable")
        return _reply(request, 503, BUSY)
    log.info("document stored (%s, %d bytes)", document.mime, document.size)  # no names: personal data
    return _reply(
        request,
        201,
        f"Received {document.summary}.",
        document={"name": document.name, "size": document.size, "summary": document.summary},
    )


async def _count_refused(store: ApplicationStore, token: str) -> int:
    """Counts a refused upload on its draft (after two the learner is offered a person); 0 if it can't."""
    try:
        return await asyncio.to_thread(store.count_refused_upload, token)
    except DatabaseUnavailable:
        return 0


def _closing(response: web.Response) -> web.Response:
    """The connection is closed after this answer: the rest of the refused body is not waited for."""
    response.force_close()
    return response


async def _read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, or _TooBig once it passes `limit` bytes (whatever Content-Length claims)."""
    if request.content_length is not None and request.content_length > limit:
        raise _TooBig
    body = bytearray()
    while chunk := await request.content.read(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise _TooBig
    return bytes(body)


def client_address(request: web.Request) -> str:
    """The client's address: the connection's, or behind ACTS_WEB_PROXIES_COUNT proxies the one the
    outermost of them appended to X-Forwarded-For (entries before it are the client's to write)."""
    count = web_proxies_count()
    if count:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.remote or ""


def webhooks_per_minute() -> int:
    return credly_webhooks_per_minute(WEBHOOKS_PER_SOURCE_PER_MINUTE)


def _webhook_authorised(request: web.Request) -> bool:
    """Whether the path carries the deployment's secret (compared in constant time)."""
    given = request.match_info.get("secret", "").encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, request.app[WEBHOOK_SECRET])


async def credly_webhook(request: web.Request) -> web.Response:
    """Credly event notifications at /webhooks/credly/<secret>: 200 once handled (or handled before),
    so Credly stops retrying; 429 and 503 ask it to retry. A wrong secret gets the same 404 as a
    path that does not exist, before anything else is done: no Credly call, no database."""
    if not _webhook_authorised(request):
        raise web.HTTPNotFound()
    # Counted per client address (hashed, as for chat messages) once the secret is right: a stranger
    # without it cannot use up Credly's budget.
    if not request.app[WEBHOOK_LIMIT].allow(web_source(client_address(request))):
        return _closing(
            web.json_response(
                {"ok": False, "message": WEBHOOK_TOO_MANY},
                status=429,
                headers={"Retry-After": str(int(request.app[WEBHOOK_LIMIT].window))},
            )
        )
    try:
        body = await asyncio.wait_for(_read_body(request, MAX_WEBHOOK_BODY), WEBHOOK_SECONDS)
    except _TooBig:
        return _closing(web.json_response({"ok": False, "message": WEBHOOK_TOO_BIG}, status=413))
    except asyncio.TimeoutError:
        return _closing(web.json_response({"ok": False, "message": WEBHOOK_TOO_SLOW}, status=408))
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than the parser goes
        return web.json_response({"ok": False, "message": NOT_JSON}, status=400)
    try:
        notify = learner_notifier(request.app[STORE], right_away=False)  # the notice worker below sends it
        result = await asyncio.to_thread(handle_webhook, payload, request.app[STORE], credly_client, notify)
    except BadWebhook as error:
        return web.json_response({"ok": False, "message": str(error)}, status=400)
    except WebhookBusy:
        headers = {"Retry-After": str(BUSY_RETRY_SECONDS)}
        return web.json_response({"ok": False, "message": WEBHOOK_BUSY}, status=503, headers=headers)
    except (CredlyError, DatabaseUnavailable) as error:
        log.warning("webhook not handled yet: %s", type(error).__name__)
        return web.json_response({"ok": False, "message": "try again later"}, status=503)
    log.info("credly webhook: %s", result)
    return web.json_response({"ok": True, "result": result})


@web.middleware
async def cors(request: web.Request, handler) -> web.StreamResponse:
    """The chat widget runs on the pages of ACTS_ALLOWED_ORIGINS (the demo page, the ACTS site): from
    there it loads its scripts and uploads to the one-time links. Other sites get no CORS headers."""
    response = web.Response(status=204) if request.method == "OPTIONS" else await handler(request)
    origin = request.headers.get("Origin")
    if origin and origin.lower() in allowed_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers.add("Vary", "Origin")
    return response


@web.middleware
async def close_after_unread_body(request: web.Request, handler) -> web.StreamResponse:
    """A request whose body was not read (a 404, a 405, a refusal) ends its connection after the
    answer: aiohttp 3.9 can otherwise leave the unread bytes where the next request on that
    connection is expected, and a client reusing the connection waits for an answer forever."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if _unread(request):
            error.force_close()
        raise
    if _unread(request):
        response.force_close()
    return response


def _unread(request: web.Request) -> bool:
    """Whether bytes of the body are left: not all arrived, or arrived and not read."""
    return request.body_exists and not request.content.at_eof()


@web.middleware
async def no_tracebacks(request: web.Request, handler) -> web.StreamResponse:
    """Unexpected errors are answered with a sentence, and logged by type and place only: their text
    could quote the request (a file name, an email)."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise  # aiohttp's own answers (404, 405, 304): a status and a reason, nothing else
    except Exception as error:
        where = "".join(traceback.format_tb(error.__traceback__, limit=-3)).strip().replace("\n", " | ")
        log.error("unexpected %s answering %s %s: %s", type(error).__name__, request.method, _route(request), where)
        if request.path.startswith("/upload/"):
            return _closing(_reply(request, 500, UNEXPECTED))
        return _closing(web.json_response({"ok": False, "message": UNEXPECTED}, status=500))


def _route(request: web.Request) -> str:
    """The route's pattern ("/upload/{token}"), never the path itself (it carries the token)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"


def every(seconds: float, what: str, make_round: Callable[[ApplicationStore], Callable[[], object]]):
    """A cleanup context that runs a worker's round in the web service, which every deployment starts,
    every `seconds` (0 turns it off), in a thread so requests go on meanwhile. Several web services may
    run it at once: the outboxes' claims give each item to one of them at a time. A failed round is
    logged (its kind only) and the next one tries again."""

    async def worker(app: web.Application) -> AsyncIterator[None]:
        task = (
            asyncio.get_running_loop().create_task(_rounds(make_round(app[STORE]), seconds, what))
            if seconds > 0
            else None
        )
        yield
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return worker


async def _rounds(run_round: Callable[[], object], seconds: float, what: str) -> None:
    while True:
        try:
            await asyncio.to_thread(run_round)
        except Exception as error:  # the worker never dies of one bad round; the next one tries again
            log.warning("%s round failed: %s", what, type(error).__name__)
        await asyncio.sleep(seconds)


async def insights_consumer(app: web.Application) -> AsyncIterator[None]:
    """Reads the analytics' RabbitMQ queue while the web service runs; a lost connection or a failed batch
    is logged (its kind only) and the consumer starts again a few seconds later, from what was not
    acknowledged."""
    stop = asyncio.Event()

    async def forever() -> None:
        while not stop.is_set():
            try:
                await insights_queue.consume(rabbitmq_url(), secret_key(), app[STORE].url, stop)
            except Exception as error:
                log.warning("insights queue: %s; trying again", type(error).__name__)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), 5)

    task = asyncio.get_running_loop().create_task(forever())
    yield
    stop.set()
    with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(task, 10)


def make_app(store: ApplicationStore | None = None, webhook_secret: str | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[close_after_unread_body, cors, no_tracebacks])
    app[STORE] = store or ApplicationStore()
    app[WEBHOOK_SECRET] = (webhook_secret or credly_webhook_secret()).encode("utf-8")
    app[WEBHOOK_LIMIT] = SlidingWindow(webhooks_per_minute())
    # The badges owed (ACTS_ISSUING_POLL_SECONDS); the reviewers' posts, learners' news, handoffs
    # (ACTS_NOTICE_POLL_SECONDS).
    app.cleanup_ctx.append(
        every(issuing_poll_seconds(), "badge issuing", lambda store: background_issuer(store).run_due)
    )
    # The notices' round also reminds staff of requests to talk to a person nobody took (bot/handoff).
    app.cleanup_ctx.append(every(notice_poll_seconds(), "notice", lambda store: partial(notice_round, store)))
    # Rasa's events, from the event spool into the staff's analytics (ACTS_INSIGHTS_POLL_SECONDS).
    insights = every(insights_poll_seconds(), "insights", lambda store: partial(spool.drain_round, store.url))
    app.cleanup_ctx.append(insights)
    if rabbitmq_url():  # the production set-up: the analytics' queue in RabbitMQ (bot/insights/queue.py)
        app.cleanup_ctx.append(insights_consumer)
    app.router.add_get("/health", health)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/upload/{token}", upload_page)
    app.router.add_post("/upload/{token}", upload)
    app.router.add_route("OPTIONS", "/upload/{token}", health)
    # The secret is a path segment: Credly posts to the organisation's webhook_url and sends no
    # header of ours. The bare /webhooks/credly of old is no route any more (404).
    app.router.add_post("/webhooks/credly/{secret}", credly_webhook)
    # The staff's answers to a request to talk to a person, for the chat whose page is open (bot/handoff).
    app.router.add_get("/handoff/{token}/answers", lambda request: handoff.answers(request, request.app[STORE]))
    site.add_routes(app)  # the demo page and the chat widget's files
    return app
