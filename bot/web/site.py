"""The demo page a learner opens first, and the website chat widget's files (served here: no CDN).

The page is made from bot/content/faq.yml, so the page text and the assistant's answers never
disagree. The widget's scripts come from bot/web/static and deep-chat's bundle from node_modules
(installed by `make install` with `npm ci`).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

from aiohttp import web

from bot.answers.faq import Faq, load_faq
from bot.settings import ROOT, bot_public_url, origin_of, public_web_url

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
# The chat component, served under a stable name whatever its package calls it.
VENDORED = {"deep-chat.js": ROOT / "node_modules" / "deep-chat" / "dist" / "deepChat.bundle.js"}
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
WIDGET_TITLE = "ACTS badge assistant"
WELCOME = "Hi! I'm the ACTS badge assistant. Ask me anything about ACTS digital badges, or choose one of these:"
INTRODUCTION = (
    "ACTS digital badges recognize the skills and competencies you gain through ACTS learning. They are "
    "issued and managed through Credly, so you can share them and anyone can verify them. Below are the "
    "answers to the questions learners ask most. The badge assistant (the chat button in the corner) "
    "answers them too, walks you through applying for the Team Science Fundamentals badge, and tells you "
    "where your application stands."
)
# http(s) URLs and bare web addresses such as support.credly.com; e-mail addresses are matched
# only so that their domain is not mistaken for a web address. Same rule as static/render.js.
_LINK = re.compile(
    r"(?P<url>https?://[^\s<>\"']+)"
    r"|(?P<email>[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<site>\b(?:[a-z0-9-]+\.)+(?:com|org|edu|gov|net)\b(?:/[^\s<>\"']*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)'\""


def linked(text: str) -> str:
    """Escaped text with its web addresses as links that open in a new tab."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        if match.lastgroup == "email":
            continue
        address = match.group().rstrip(_TRAILING)
        href = address if address.lower().startswith(("http://", "https://")) else f"https://{address}"
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">{escape(address)}</a>')
        last = match.start() + len(address)
    out.append(escape(text[last:]))
    return "".join(out)


def content_security_policy(bot_url: str, upload_url: str) -> str:
    """Scripts and styles only from this server; connections only to the bot and upload servers."""
    connect = " ".join(dict.fromkeys([origin_of(bot_url), origin_of(upload_url)]))
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def demo_page(faq: Faq, bot_url: str, upload_url: str) -> str:
    questions = "\n".join(
        f'<section class="faq" id="{escape(topic.intent)}"><h3>{escape(topic.title)}</h3>'
        f"<p>{linked(topic.answer)}</p></section>"
        for topic in faq.topics.values()
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Digital Badges | ACTS</title>
<link rel="stylesheet" href="/static/site.css">
<script type="module" src="/static/acts-chat.js"
  data-bot-url="{escape(bot_url)}"
  data-upload-url="{escape(upload_url)}"
  data-title="{escape(WIDGET_TITLE)}"
  data-welcome="{escape(WELCOME)}"
  data-open="false"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="masthead">
  <div class="wrap"><span class="brand">ACTS</span>
  <span class="brand-name">Association for Clinical and Translational Science</span></div>
</header>
<main id="main" class="wrap">
  <p class="crumbs">Education &amp; Training / Digital Badges</p>
  <h1>Digital Badges</h1>
  <p class="lead">{linked(INTRODUCTION)}</p>
  <h2>Frequently asked questions</h2>
  {questions}
  <p class="contact">Still have a question? Contact {linked(faq.contact())}.</p>
</main>
<footer class="wrap"><p>A demonstration page for the ACTS badge assistant. The answers on this page
and in the chat come from the same FAQ.</p></footer>
</body>
</html>
"""


async def index(_request: web.Request) -> web.Response:
    bot_url, upload_url = bot_public_url(), public_web_url()
    response = web.Response(text=demo_page(load_faq(), bot_url, upload_url), content_type="text/html")
    response.headers["Content-Security-Policy"] = content_security_policy(bot_url, upload_url)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-cache"
    return response


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    content_type: str


@lru_cache(maxsize=32)
def _load(path: Path, _modified_ns: int) -> Asset:
    """Read and compressed once per version of the file (the modification time is in the key)."""
    body = path.read_bytes()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
    )


def _asset_path(name: str) -> Path | None:
    """Only the files that exist in static/ by that exact name, and the vendored component."""
    if name in VENDORED:
        return VENDORED[name]
    candidate = STATIC_DIR / name
    return candidate if "/" not in name and candidate.suffix in CONTENT_TYPES and candidate.is_file() else None


async def static(request: web.Request) -> web.Response:
    path = _asset_path(request.match_info["name"])
    if path is None or not path.is_file():
        if path is not None:
            log.error("%s is missing: run `make install` (npm ci)", path.relative_to(ROOT))
        raise web.HTTPNotFound()
    asset = _load(path, path.stat().st_mtime_ns)
    # Revalidated on every load (a 304 costs no body), so a changed widget is never stale.
    headers = {
        "ETag": asset.etag,
        "Cache-Control": "no-cache",
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("If-None-Match") == asset.etag:
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return web.Response(body=asset.gzipped, headers={**headers, "Content-Type": asset.content_type})
    return web.Response(body=asset.body, headers={**headers, "Content-Type": asset.content_type})


async def no_icon(_request: web.Request) -> web.Response:
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/favicon.ico", no_icon)
