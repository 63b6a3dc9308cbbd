"""Servers that fail the way Slack and a mail server can, for the notice outbox's tests: an SMTP
server (aiosmtpd) that accepts, answers 4xx/5xx or stalls on demand, and an HTTP server that
answers Slack's Web API with an unexpected shape, or not at all."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def closed_port() -> int:
    """A port nothing listens on: a connection to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """mode: "accept", "451" (try later), "554" (refused) or "stall" (answers after `stall` seconds)."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.stall = 3.0
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "stall":
            import asyncio

            await asyncio.sleep(self.stall)
            return "451 too slow"
        if self.mode == "451":
            return "451 4.3.0 Try again later"
        if self.mode == "554":
            return "554 5.0.0 Transaction failed"
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def mail_server() -> Iterator[tuple[MailServer, int]]:
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=closed_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


class _SlackLike(http.server.BaseHTTPRequestHandler):
    mode = "gzip"
    calls: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).calls.append(self.path)
        if self.mode == "hang":
            time.sleep(3)
            return
        if self.mode == "gzip":  # slack_sdk keeps such a body as bytes, and posted["ts"] raises ValueError
            body, content_type = b"\x1f\x8b not really gzip", "application/gzip"
        elif self.mode == "no_ts":
            body, content_type = b'{"ok": true}', "application/json"
        else:  # "html": a proxy's error page with 200
            body, content_type = b"<html>Service temporarily unavailable</html>", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def odd_slack(mode: str) -> Iterator[tuple[str, list[str]]]:
    """An API URL whose every method answers in `mode`, and the paths it was called with."""
    handler = type("OddSlack", (_SlackLike,), {"mode": mode, "calls": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/", handler.calls
    finally:
        server.shutdown()
        server.server_close()
