"""A file a learner shared with the assistant in Slack, fetched into a local file to be checked
exactly like a web upload.

Slack serves a private file only to a request carrying the bot token (without it, a login page
comes back with status 200), so the answer's type is checked too. The file is streamed to disk
and refused as soon as it passes the upload limit.
"""

from __future__ import annotations

from pathlib import Path

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.channels.slack.client import web_client
from bot.settings import SlackSettings
from bot.store.applications import ApplicationStore, DocumentInfo, UploadRejected
from bot.store.uploads import MAX_UPLOAD_BYTES, TOO_BIG

UNAVAILABLE = (
    "I couldn't fetch the file you shared from Slack just now. Please share it again in a minute, "
    "or use the upload link instead."
)


class SharedFileProblem(Exception):
    """The shared file cannot be used; the message says why, in words for the learner."""


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
    try:
        with requests.get(url, headers={"Authorization": f"Bearer {client.token}"}, stream=True, timeout=30) as answer:
            if answer.status_code != 200 or "text/html" in answer.headers.get("Content-Type", ""):
                raise SharedFileProblem(UNAVAILABLE)  # a login page, not the file: the token was refused
            size = 0
            with into.open("wb") as file:
                for chunk in answer.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise SharedFileProblem(TOO_BIG)
                    file.write(chunk)
    except requests.RequestException as error:
        raise SharedFileProblem(UNAVAILABLE) from error
    return str(info.get("name") or info.get("title") or "document")


def attach_shared_file(store: ApplicationStore, token: str, settings: SlackSettings, file_id: str) -> DocumentInfo:
    """Fetches a shared file and attaches it to the draft of `token`, checked like a web upload
    (UploadRejected, with the same words, when it can't be used)."""
    incoming = store.incoming_file()
    try:
        name = fetch_shared_file(web_client(settings), file_id, incoming)
    except SharedFileProblem as problem:
        incoming.unlink(missing_ok=True)
        raise UploadRejected(str(problem)) from None
    return store.attach_document(token, name, incoming)  # takes the file over, whatever happens
