"""The staff's answers to a learner's request to talk to a person, for the website's chat while its page
is open (bot/handoff): `GET /handoff/<token>/answers?after=<id>`.

The token is the request's own secret, given only to the chat of the conversation that opened it (in
the reply that confirmed the request); only its keyed hash is kept. Any other token gets 404, and the
answer holds the staff's words for that request only. Each read marks the page as open, so the answer
is not also mailed (bot/notices/handoff_delivery.py).
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from bot.handoff.desk import HandoffDesk
from bot.store.applications import ApplicationStore

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
NOT_FOUND = {"error": "no such request"}


async def answers(request: web.Request, store: ApplicationStore) -> web.Response:
    token = request.match_info["token"]
    try:
        after = max(0, int(request.query.get("after", "0")))
    except ValueError:
        return web.json_response({"error": '"after" must be a message number'}, status=400)
    if TOKEN.fullmatch(token) is None:
        return web.json_response(NOT_FOUND, status=404)
    found = await asyncio.to_thread(HandoffDesk(store).for_page, token, after)
    if found is None:
        return web.json_response(NOT_FOUND, status=404)
    handoff, answered = found
    body = {
        "reference": handoff.reference,
        "open": handoff.is_open,
        "answers": [{"id": a.id, "text": a.text} for a in answered if a.text],
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})
