"""The web service alone, as `make run` starts it (its own process, real HTTP), on a free port with its
own database and Credly emulator: for tests of the web service that need no Rasa server, and that
set its limits (an upload's time limit, the issuing worker's pace) to what a test can wait for."""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.store.applications import ApplicationStore
from bot.store.db import migrate
from launcher.servers import Cluster, Service, free_port
from tests.emulator_thread import RunningEmulator, emulator


@dataclass(frozen=True)
class WebService:
    url: str
    store: ApplicationStore
    credly: RunningEmulator
    database_url: str
    upload_dir: Path
    log: Path
    webhook_url: str  # /webhooks/credly/<the deployment's secret>


@contextlib.contextmanager
def web_service(workdir: Path, database_url: str | None = None, **env: str) -> Iterator[WebService]:
    database_url = database_url or f"sqlite:///{workdir / 'acts.db'}"
    migrate(database_url)
    port = free_port()
    secret = env.get("ACTS_CREDLY_WEBHOOK_SECRET") or secrets.token_urlsafe(32)
    webhook_url = f"http://127.0.0.1:{port}/webhooks/credly/{secret}"
    with emulator(webhook_url=webhook_url) as credly:
        settings = {
            "DATABASE_URL": database_url,
            "ACTS_UPLOAD_DIR": str(workdir / "uploads"),
            "CREDLY_BASE_URL": credly.base_url,
            "ACTS_PUBLIC_URL": f"http://localhost:{port}",
            **env,
            "ACTS_CREDLY_WEBHOOK_SECRET": secret,
        }
        service = Service(
            name="web",
            argv=[sys.executable, "-m", "bot.web", "--port", str(port)],
            health_url=f"http://127.0.0.1:{port}/health",
            public_url="",
        )
        cluster = Cluster([service], log_dir=workdir / "logs", env=settings)
        cluster.start(timeout=60)
        try:
            yield WebService(
                url=f"http://127.0.0.1:{port}",
                store=ApplicationStore(url=database_url, documents_dir=workdir / "uploads"),
                credly=credly,
                database_url=database_url,
                upload_dir=workdir / "uploads",
                log=workdir / "logs" / "web.log",
                webhook_url=webhook_url,
            )
        finally:
            cluster.stop()
