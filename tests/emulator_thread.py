"""Runs the Credly emulator on a free port in a background thread, for client-level tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from aiohttp import web

from bot.settings import EMULATOR_ORGANIZATION, EMULATOR_TOKEN
from emulators.credly import ORG, make_app
from launcher.servers import free_port

TEMPLATE = "7f6a3c1e-2b4d-4e8f-9a1b-5c6d7e8f9a0b"  # the catalogue's Team Science Fundamentals template


class RunningEmulator:
    def __init__(self, root: str, app: web.Application) -> None:
        self.root = root
        self.base_url = f"{self.root}/v1"
        self.app = app
        self.organization = EMULATOR_ORGANIZATION
        self.token = EMULATOR_TOKEN

    @property
    def badges(self) -> list[dict]:
        return requests.get(f"{self.root}/__emulator/badges", timeout=5).json()["data"]

    def act(self, badge_id: str, action: str, reason: str | None = None) -> dict:
        response = requests.post(
            f"{self.root}/__emulator/badges/{badge_id}/{action}", json={"reason": reason}, timeout=5
        )
        response.raise_for_status()
        return response.json()["data"]

    def fail(self, status: int, count: int = 1, **extra) -> None:
        requests.post(
            f"{self.root}/__emulator/faults", json={"status": status, "count": count, **extra}, timeout=5
        ).raise_for_status()

    @property
    def org(self):
        return self.app[ORG]


@contextmanager
def serve_in_thread(app: web.Application) -> Iterator[str]:
    """Serves an aiohttp app on 127.0.0.1 and a free port from its own event loop; yields its root URL."""
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@contextmanager
def emulator(page_size: int = 50, webhook_url: str | None = None):
    app = make_app(EMULATOR_ORGANIZATION, EMULATOR_TOKEN, webhook_url, page_size, template_ids=[TEMPLATE])
    with serve_in_thread(app) as root:
        yield RunningEmulator(root, app)
