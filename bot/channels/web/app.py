"""HTTP routes of the web service: health, the one-time document upload, Credly webhooks."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web

from bot.channels.slack.notify import learner_notifier
from bot.channels.web import pages, site
from bot.credly.client import CredlyError
from bot.credly.sync import BadWebhook, handle_webhook
from bot.settings import allowed_origins, credly_client, slack
from bot.store.applications import LINK_INVALID, ApplicationStore, UploadRejected
from bot.store.db import DatabaseUnavailable
from bot.store.uploads import MAX_UPLOAD_BYTES, TOO_BIG

log = logging.getLogger(__name__)
STORE = web.AppKey("store", ApplicationStore)
# The multipart envelope around a 10 MB file is a few hundred bytes; allow some slack.
MAX_BODY = MAX_UPLOAD_BYTES + 64 * 1024
DRAIN_LIMIT = 64 * 1024 * 1024
NO_FILE = "Please choose a file to upload."
BUSY = "We couldn't save your file just now. Please try again in a minute; nothing was lost."


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


async def upload_page(request: web.Request) -> web.Response:
    store = request.app[STORE]
    token = request.match_info["token"]
    try:
        valid = await asyncio.to_thread(store.upload_link_valid, token)
    except DatabaseUnavailable:
        return _reply(request, 503, BUSY)
    if not valid:
        return _reply(request, 404, LINK_INVALID)
    return web.Response(text=pages.upload_form(request.path), content_type="text/html")


class _TooBig(Exception):
    pass


async def _drain(request: web.Request, limit: int) -> None:
    """Reads and discards the rest of a refused body (up to a bound), so the client gets our answer
    instead of a broken connection in the middle of its upload."""
    discarded = 0
    while discarded < limit and (chunk := await request.content.read(64 * 1024)):
        discarded += len(chunk)


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
        valid = await asyncio.to_thread(store.upload_link_valid, token)
    except DatabaseUnavailable:
        log.warning("upload refused: database unavailable")
        return _reply(request, 503, BUSY)
    if not valid:
        await _drain(request, MAX_BODY)
        return _reply(request, 422, LINK_INVALID)
    try:
        filename, incoming = await _receive_file(request, store)
    except _TooBig:
        await _drain(request, DRAIN_LIMIT)
        return _reply(request, 413, TOO_BIG)
    except (ValueError, AssertionError, KeyError):
        return _reply(request, 400, NO_FILE)  # not a multipart form
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


async def credly_webhook(request: web.Request) -> web.Response:
    """Credly event notifications: 200 once handled, so Credly stops retrying; 503 asks it to retry."""
    try:
        payload = await request.json()
    except ValueError:
        return web.json_response({"ok": False, "message": "expected JSON"}, status=400)
    try:
        notify = learner_notifier(slack())
        result = await asyncio.to_thread(handle_webhook, payload, request.app[STORE], credly_client, notify)
    except BadWebhook as error:
        return web.json_response({"ok": False, "message": str(error)}, status=400)
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


def make_app(store: ApplicationStore | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[cors])
    app[STORE] = store or ApplicationStore()
    app.router.add_get("/health", health)
    app.router.add_get("/upload/{token}", upload_page)
    app.router.add_post("/upload/{token}", upload)
    app.router.add_route("OPTIONS", "/upload/{token}", health)
    app.router.add_post("/webhooks/credly", credly_webhook)
    site.add_routes(app)  # the demo page and the chat widget's files
    return app
