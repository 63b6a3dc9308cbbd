"""A local Credly emulator: the endpoints the client uses, over real HTTP.

It keeps Credly's envelope (`{"data": ..., "metadata": ...}`), pagination
(absolute `next_page_url`, 50 a page unless told otherwise), errors (401, 404,
422 with `data.message` and `data.errors`) and webhooks (`{id, organization_id,
event_type, occurred_at}` POSTed to the webhook URL, full event at
`GET /events/{id}`). A template refuses a second badge for the same email or
earner id (422) unless its `allow_duplicate_badges` is set, as in Credly. Back
doors under `/__emulator/` let a test or a developer act as the earner or admin
(accept, reject, revoke) and inject faults (5xx, 429 with Retry-After, slow
answers). State lives in memory.

`make run` starts it when no Credly credentials are configured:
`python -m emulators.credly --port 8090`. Like Credly, which posts to the organisation's
webhook_url, it posts to `--webhook-url`; given the web service's bare `.../webhooks/credly`, it
adds the deployment's secret path segment itself (bot.settings.credly_webhook_secret: same
environment, same var/), as an operator does when setting webhook_url in Credly.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hmac
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from aiohttp import ClientSession, ClientTimeout, web

from bot.applying.catalogue import load_catalogue

log = logging.getLogger(__name__)
REQUIRED = ("recipient_email", "issued_to_first_name", "issued_to_last_name", "badge_template_id", "issued_at")
PUBLIC_SITE = "https://www.credly.com"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _error(status: int, message: str, errors: list[dict] | None = None) -> web.Response:
    return web.json_response({"data": {"message": message, "errors": errors or []}}, status=status)


@dataclass
class Fault:
    status: int  # 500-599, 429, or 0 for "slow"
    count: int
    retry_after: float = 1.0
    delay: float = 0.0
    late: bool = False  # slow: do the work at once, answer after the delay (an answer the client may miss)


@dataclass
class Organization:
    id: str
    token: str
    webhook_url: str | None
    page_size: int
    templates: dict[str, dict] = field(default_factory=dict)
    badges: dict[str, dict] = field(default_factory=dict)  # insertion order = issue order
    events: dict[str, dict] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    webhook_tasks: set = field(default_factory=set)


ORG = web.AppKey("org", Organization)


def _authorised(request: web.Request, org: Organization) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    # Real clients send "TOKEN:" (token as user, empty password) or just "TOKEN".
    token = decoded[:-1] if decoded.endswith(":") else decoded
    return hmac.compare_digest(token.encode(), org.token.encode())


@web.middleware
async def api_guard(request: web.Request, handler):
    org = request.app[ORG]
    if not request.path.startswith("/v1/"):
        return await handler(request)
    if org.faults:
        fault = org.faults[0]
        fault.count -= 1
        if fault.count <= 0:
            org.faults.pop(0)
        if fault.status == 0 and fault.late:
            response = await _guarded(request, org, handler)
            await asyncio.sleep(fault.delay)
            return response
        if fault.status == 0:
            await asyncio.sleep(fault.delay)
        elif fault.status == 429:
            return web.json_response(
                {"data": {"message": "Rate limit exceeded"}},
                status=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        else:
            return _error(fault.status, "Internal server error")
    return await _guarded(request, org, handler)


async def _guarded(request: web.Request, org: Organization, handler) -> web.StreamResponse:
    if request.match_info.get("org") != org.id:
        return _error(404, "Organization not found")
    if not _authorised(request, org):
        return _error(401, "Unauthorized")
    return await handler(request)


def _page(request: web.Request, items: list[dict], page_size: int) -> web.Response:
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    total = len(items)
    pages = max(1, -(-total // page_size))
    chunk = items[(page - 1) * page_size : page * page_size]

    def link(number: int) -> str | None:
        if number < 1 or number > pages:
            return None
        # Credly's links are absolute; built by hand (request.url trips over host:port in this yarl).
        return f"{request.scheme}://{request.host}{request.rel_url.update_query(page=str(number))}"

    metadata = {
        "count": len(chunk),
        "current_page": page,
        "total_count": total,
        "total_pages": pages,
        "per": page_size,
        "previous_page_url": link(page - 1),
        "next_page_url": link(page + 1),
    }
    return web.json_response({"data": chunk, "metadata": metadata})


def _filters(request: web.Request) -> dict[str, list[str]]:
    """`filter=key::value|key::v1,v2` as Credly documents it."""
    parsed: dict[str, list[str]] = {}
    for clause in filter(None, request.query.get("filter", "").split("|")):
        key, _, values = clause.partition("::")
        parsed[key] = [v.lower() for v in values.split(",")]
    return parsed


def _matches(badge: dict, filters: dict[str, list[str]]) -> bool:
    return all(str(badge.get(key, "")).lower() in values for key, values in filters.items())


def _record_event(app: web.Application, event_type: str, badge: dict) -> None:
    org = app[ORG]
    event = {"id": str(uuid.uuid4()), "organization_id": org.id, "event_type": event_type, "occurred_at": _now()}
    org.events[event["id"]] = {**event, "badge": dict(badge)}
    if org.webhook_url:
        task = asyncio.get_running_loop().create_task(_send_webhook(org.webhook_url, event))
        org.webhook_tasks.add(task)
        task.add_done_callback(org.webhook_tasks.discard)


async def _send_webhook(url: str, event: dict) -> None:
    """Credly retries until it gets a 200; a few tries are enough locally."""
    for attempt in range(5):
        try:
            async with ClientSession(timeout=ClientTimeout(total=10)) as session:
                async with session.post(url, json=event) as response:
                    if response.status == 200:
                        return
        except (OSError, asyncio.TimeoutError):
            pass
        await asyncio.sleep(0.2 * 2**attempt)
    # Not the URL: its last segment is the deployment's secret.
    log.warning("webhook for event %s was not accepted", event["event_type"])


# --- API ------------------------------------------------------------------------------


async def list_templates(request: web.Request) -> web.Response:
    org = request.app[ORG]
    return _page(request, list(org.templates.values()), org.page_size)


async def get_template(request: web.Request) -> web.Response:
    template = request.app[ORG].templates.get(request.match_info["id"])
    return web.json_response({"data": template, "metadata": {}}) if template else _error(404, "Not found")


async def issue_badge(request: web.Request) -> web.Response:
    org = request.app[ORG]
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "Body must be JSON")
    missing = [{"attribute": key, "messages": ["can't be blank"]} for key in REQUIRED if not body.get(key)]
    if missing:
        return _error(422, "Validation failed", missing)
    template = org.templates.get(body["badge_template_id"])
    if template is None or template["state"] != "active":
        return _error(
            422,
            "Badge template not found or not active",
            [{"attribute": "badge_template_id", "messages": ["is invalid"]}],
        )
    email = str(body["recipient_email"]).lower()
    earner = body.get("issuer_earner_id")
    for badge in org.badges.values() if not template["allow_duplicate_badges"] else ():
        same = badge["recipient_email"] == email or (earner and badge["issuer_earner_id"] == earner)
        if badge["badge_template_id"] == template["id"] and same and badge["state"] != "revoked":
            return _error(
                422,
                "Validation failed",
                [{"attribute": "recipient_email", "messages": ["has already been issued this badge"]}],
            )
    badge_id = str(uuid.uuid4())
    badge = {
        "id": badge_id,
        "state": "pending",
        "recipient_email": email,
        "issued_to": f"{body['issued_to_first_name']} {body['issued_to_last_name']}",
        "issued_to_first_name": body["issued_to_first_name"],
        "issued_to_last_name": body["issued_to_last_name"],
        "issuer_earner_id": earner,
        "issued_at": str(body["issued_at"]),
        "created_at": _now(),
        "updated_at": _now(),
        "state_updated_at": None,
        "expires_at": body.get("expires_at"),
        "badge_template_id": template["id"],
        "badge_template": {"id": template["id"], "name": template["name"]},
        "accept_badge_url": f"{PUBLIC_SITE}/badges/{badge_id}/accept",
        "badge_url": f"{PUBLIC_SITE}/badges/{badge_id}",
        "public": True,
        "revocation_reason": None,
        "locale": body.get("locale", "en"),
        "suppress_badge_notification_email": bool(body.get("suppress_badge_notification_email")),
    }
    org.badges[badge_id] = badge
    _record_event(request.app, "badge.created", badge)
    return web.json_response({"data": badge, "metadata": {}}, status=201)


async def list_badges(request: web.Request) -> web.Response:
    org = request.app[ORG]
    filters = _filters(request)
    return _page(request, [b for b in org.badges.values() if _matches(b, filters)], org.page_size)


async def get_badge(request: web.Request) -> web.Response:
    badge = request.app[ORG].badges.get(request.match_info["id"])
    return web.json_response({"data": badge, "metadata": {}}) if badge else _error(404, "Not found")


def _change_state(app: web.Application, badge: dict, state: str, reason: str | None = None) -> None:
    badge["state"] = state
    badge["state_updated_at"] = badge["updated_at"] = _now()
    if state == "revoked":
        badge["revocation_reason"] = reason
    _record_event(app, "badge.state.changed", badge)


async def revoke_badge(request: web.Request) -> web.Response:
    """`PUT .../badges/{id}/revoke` with `{reason, suppress_revoke_notification_email}`: 200 with the
    revoked badge. Revoking a revoked badge answers the same and records no second event."""
    badge = request.app[ORG].badges.get(request.match_info["id"])
    if badge is None:
        return _error(404, "Not found")
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        return _error(400, "Body must be JSON")
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        return _error(422, "Validation failed", [{"attribute": "reason", "messages": ["can't be blank"]}])
    if badge["state"] != "revoked":
        _change_state(request.app, badge, "revoked", reason)
    return web.json_response({"data": badge, "metadata": {}})


async def get_event(request: web.Request) -> web.Response:
    event = request.app[ORG].events.get(request.match_info["id"])
    return web.json_response({"data": event, "metadata": {}}) if event else _error(404, "Not found")


# --- back doors (tests and local development only) -------------------------------------


async def act_on_badge(request: web.Request) -> web.Response:
    """The earner accepts or rejects the badge in Credly's web site; an admin revokes it."""
    badge = request.app[ORG].badges.get(request.match_info["id"])
    action = request.match_info["action"]
    states = {"accept": "accepted", "reject": "rejected", "revoke": "revoked"}
    if badge is None or action not in states:
        return _error(404, "Not found")
    body = await request.json() if request.can_read_body else {}
    _change_state(request.app, badge, states[action], body.get("reason"))
    return web.json_response({"data": badge})


async def add_fault(request: web.Request) -> web.Response:
    body = await request.json()
    fault = Fault(
        status=int(body.get("status", 500)),
        count=int(body.get("count", 1)),
        retry_after=float(body.get("retry_after", 1)),
        delay=float(body.get("delay", 0)),
        late=bool(body.get("late", False)),
    )
    request.app[ORG].faults.append(fault)
    return web.json_response({"data": {"faults": len(request.app[ORG].faults)}})


async def clear_faults(request: web.Request) -> web.Response:
    request.app[ORG].faults.clear()
    return web.json_response({"data": {"faults": 0}})


async def all_badges(request: web.Request) -> web.Response:
    return web.json_response({"data": list(request.app[ORG].badges.values())})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def make_app(
    organization_id: str,
    token: str,
    webhook_url: str | None = None,
    page_size: int = 50,
    template_ids: list[str] | None = None,
) -> web.Application:
    org = Organization(id=organization_id, token=token, webhook_url=webhook_url, page_size=page_size)
    ids = (
        template_ids
        if template_ids is not None
        else [b.credly_template_id for b in load_catalogue().badges if b.credly_template_id]
    )
    for template_id in ids:
        org.templates[template_id] = {
            "id": template_id,
            "name": f"Template {template_id[:8]}",
            "state": "active",
            "allow_duplicate_badges": False,
        }
    app = web.Application(middlewares=[api_guard])
    app[ORG] = org
    base = "/v1/organizations/{org}"
    app.router.add_get("/health", health)
    app.router.add_get(base + "/badge_templates", list_templates)
    app.router.add_get(base + "/badge_templates/{id}", get_template)
    app.router.add_post(base + "/badges", issue_badge)
    app.router.add_get(base + "/badges", list_badges)
    app.router.add_get(base + "/badges/{id}", get_badge)
    app.router.add_put(base + "/badges/{id}/revoke", revoke_badge)
    app.router.add_put(base + "/badges/{id}/revoke/", revoke_badge)  # some clients add the slash
    app.router.add_get(base + "/events/{id}", get_event)
    app.router.add_post("/__emulator/badges/{id}/{action}", act_on_badge)
    app.router.add_post("/__emulator/faults", add_fault)
    app.router.add_delete("/__emulator/faults", clear_faults)
    app.router.add_get("/__emulator/badges", all_badges)
    return app


WEBHOOK_PATH = "/webhooks/credly"


def with_secret(webhook_url: str | None) -> str | None:
    """The web service's webhook URL with the deployment's secret segment, when it has none yet."""
    from bot.settings import credly_webhook_secret

    if webhook_url is None or not webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
        return webhook_url
    return f"{webhook_url.rstrip('/')}/{credly_webhook_secret()}"


def main() -> None:
    from bot.settings import EMULATOR_ORGANIZATION, EMULATOR_TOKEN

    parser = argparse.ArgumentParser(description="Local Credly API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--organization", default=EMULATOR_ORGANIZATION)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = make_app(args.organization, EMULATOR_TOKEN, with_secret(args.webhook_url), args.page_size)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
