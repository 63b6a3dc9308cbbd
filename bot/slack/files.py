"""A file a learner shared with the assistant in Slack, fetched into a local file to be checked
exactly like a web upload.

Slack serves a private file only to a request carrying the bot token (without it, a login page
comes back with status 200), so the answer's type is checked too. The file is streamed to disk
and refused as soon as it passes the upload limit.

The token goes only to Slack's file host: `files.info` can name any address (an external file's
lives elsewhere), and whoever receives the token can act as the bot. So the token is sent only to
https://files.slack.com and to the configured SLACK_API_URL's own scheme, host and port (Slack's
API host, or the local emulator, which serves its files there). Any other address is refused
without a request. Redirects are followed one by one: the token only to those same hosts, and an
https address elsewhere (a CDN's signed link) without it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import SlackSettings
from bot.slack.client import web_client
from bot.store.applications import ApplicationStore, DocumentInfo, UploadRejected
from bot.store.uploads import MAX_UPLOAD_BYTES, TOO_BIG

log = logging.getLogger(__name__)
SLACK_FILE_HOST = ("https", "files.slack.com", 443)
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
UNAVAILABLE = (
    "I couldn't fetch the file you shared from Slack just now. Please share it again in a minute, "
    "or use the upload link instead."
)


class SharedFileProblem(Exception):
    """The shared file cannot be used; the message says why, in words for the learner."""


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) address without user info; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number, or out of range
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc or port is None:
        return None
    return parts.scheme.lower(), parts.hostname.lower().rstrip("."), port


def token_may_go_to(url: str, api_url: str) -> bool:
    """True only for Slack's file host and the configured API's own origin."""
    origin = _origin(url)
    return origin is not None and origin in {SLACK_FILE_HOST, _origin(api_url)}


def fetch_shared_file(client: WebClient, file_id: str, into: Path) -> str:
    """Writes the shared file's bytes into `into` and returns its name as the learner shared it."""
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as error:
        raise SharedFileProblem(UNAVAILABLE) from error
    if int(info.get("size") or 0) > MAX_UPLOAD_BYTES:
        raise SharedFileProblem(TOO_BIG)
    url = info.get("url_private_download") or info.get("url_private")
    if not url:
        raise SharedFileProblem(UNAVAILABLE)
    if not token_may_go_to(str(url), client.base_url):
        log.warning("a shared file's address is not on Slack's file host: not fetched")  # nor logged
        raise SharedFileProblem(UNAVAILABLE)
    try:
        _download(str(url), client.token, client.base_url, into)
    except requests.RequestException as error:
        raise SharedFileProblem(UNAVAILABLE) from error
    return str(info.get("name") or info.get("title") or "document")


def _download(url: str, token: str | None, api_url: str, into: Path) -> None:
    for _ in range(MAX_REDIRECTS + 1):
        trusted = token_may_go_to(url, api_url)
        headers = {"Authorization": f"Bearer {token}"} if trusted else {}
        with requests.get(url, headers=headers, stream=True, timeout=30, allow_redirects=False) as answer:
            if answer.is_redirect:
                url = urljoin(url, answer.headers.get("Location", ""))
                if not (token_may_go_to(url, api_url) or (_origin(url) or ("",))[0] == "https"):
                    raise SharedFileProblem(UNAVAILABLE)  # not to plain http elsewhere, nor other schemes
                continue
            if answer.status_code != 200 or "text/html" in answer.headers.get("Content-Type", ""):
                raise SharedFileProblem(UNAVAILABLE)  # a login page, not the file: the token was refused
            size = 0
            with into.open("wb") as file:
                for chunk in answer.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise SharedFileProblem(TOO_BIG)
                    file.write(chunk)
            return
    raise SharedFileProblem(UNAVAILABLE)  # too many redirects


def attach_shared_file(store: ApplicationStore, token: str, settings: SlackSettings, file_id: str) -> DocumentInfo:
    """Fetches a shared file and attaches it to the draft of `token`, checked like a web upload
    (UploadRejected, with the same words, when it can't be used)."""
    incoming = store.incoming_file()
    try:
        name = fetch_shared_file(web_client(settings), file_id, incoming)
    except SharedFileProblem as problem:
        incoming.unlink(missing_ok=True)
        # Too big is the learner's file refused, like a web upload; Slack not handing it over is not.
        refusals = store.count_refused_upload(token) if str(problem) == TOO_BIG else 0
        raise UploadRejected(str(problem), refusals) from None
    return store.attach_document(token, name, incoming)  # takes the file over, whatever happens
