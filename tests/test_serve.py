"""Starting the servers together: a start-up that fails or is interrupted leaves nothing running."""

from __future__ import annotations

import sys

import pytest

from bot.serve import Cluster, Service, free_port


def never_healthy_server() -> Service:
    # Runs, but nothing ever answers on its health URL.
    port = free_port()
    return Service(
        name="silent",
        argv=[sys.executable, "-c", "import time; time.sleep(120)"],
        health_url=f"http://127.0.0.1:{port}/health",
        public_url="",
    )


def test_a_start_up_that_times_out_stops_every_server():
    cluster = Cluster([never_healthy_server(), never_healthy_server()])
    with pytest.raises(RuntimeError, match="did not answer"):
        cluster.start(timeout=1)
    assert all(proc.poll() is not None for proc in cluster.procs.values())


def test_ctrl_c_during_start_up_stops_every_server(monkeypatch):
    def interrupted(self, timeout):
        raise KeyboardInterrupt

    monkeypatch.setattr(Cluster, "wait_healthy", interrupted)
    cluster = Cluster([never_healthy_server()])
    with pytest.raises(KeyboardInterrupt):
        cluster.start()
    assert cluster.procs and all(proc.poll() is not None for proc in cluster.procs.values())


def test_a_server_that_dies_while_starting_is_reported_and_the_others_stopped():
    dying = Service(
        name="dying",
        argv=[sys.executable, "-c", "raise SystemExit(3)"],
        health_url=f"http://127.0.0.1:{free_port()}/health",
        public_url="",
    )
    cluster = Cluster([dying, never_healthy_server()])
    with pytest.raises(RuntimeError, match="dying exited with code 3"):
        cluster.start(timeout=30)
    assert all(proc.poll() is not None for proc in cluster.procs.values())
