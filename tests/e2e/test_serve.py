"""Starting the servers together: a start-up that fails or is interrupted leaves nothing running; the
action server's token is made once and handed to it and to Rasa only; what the servers write is private."""

from __future__ import annotations

import os
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from launcher.servers import ROOT, Cluster, Ports, Service, endpoints_file, free_port, services


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


def test_the_action_server_token_is_made_once_private_and_the_same_for_everyone(tmp_path, monkeypatch):
    import bot.settings

    monkeypatch.delenv("ACTS_ACTION_SERVER_TOKEN", raising=False)
    monkeypatch.setattr(bot.settings, "VAR", tmp_path / "var")
    with ThreadPoolExecutor(16) as pool:  # processes starting at once: one token, never half-written
        tokens = set(pool.map(lambda _: bot.settings.action_server_token(), range(64)))
    assert len(tokens) == 1 and len(tokens.pop()) >= 40
    path = tmp_path / "var" / "action-server.token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["action-server.token"]  # no drafts left behind
    monkeypatch.setenv("ACTS_ACTION_SERVER_TOKEN", "from-the-environment")
    assert bot.settings.action_server_token() == "from-the-environment"  # production's


def test_the_token_goes_to_the_action_server_and_to_rasas_endpoints_only(tmp_path):
    ports = Ports(mail=free_port())
    endpoints = endpoints_file(ports, ROOT / "endpoints.yml", tmp_path, "s3cret")
    assert yaml.safe_load(endpoints.read_text())["action_endpoint"]["token"] == "s3cret"
    assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600
    specs = {spec.name: spec for spec in services(ports, Path("m.tar.gz"), endpoints, action_token="s3cret")}
    assert specs["actions"].env == {"ACTS_ACTION_SERVER_TOKEN": "s3cret"}
    assert all("s3cret" not in " ".join(spec.argv) + str(spec.env) for n, spec in specs.items() if n != "actions")


def test_the_local_mail_server_runs_only_when_asked(tmp_path):
    ports, endpoints = Ports(mail=free_port()), tmp_path / "endpoints.yml"
    assert "mail" not in {spec.name for spec in services(ports, Path("m.tar.gz"), endpoints)}
    mail = {spec.name: spec for spec in services(ports, Path("m.tar.gz"), endpoints, local_mail=tmp_path)}["mail"]
    assert mail.health_url == f"smtp://127.0.0.1:{ports.mail}" and str(tmp_path) in mail.argv
    assert "local mail" in mail.public_url


def test_servers_create_private_files_and_logs(tmp_path):
    made = tmp_path / "made-by-the-server"
    writer = Service(
        name="writer",
        argv=[sys.executable, "-c", f"open({str(made)!r}, 'w').write('x'); import time; time.sleep(60)"],
        health_url=f"http://127.0.0.1:{free_port()}/health",
        public_url="",
    )
    (tmp_path / "logs").mkdir(mode=0o755)
    (tmp_path / "logs" / "writer.log").write_text("an earlier run's log\n")
    os.chmod(tmp_path / "logs" / "writer.log", 0o644)
    cluster = Cluster([writer], log_dir=tmp_path / "logs")
    try:
        cluster.launch()
        for _ in range(100):
            if made.exists():
                break
            time.sleep(0.1)
    finally:
        cluster.stop()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "logs" / "writer.log").stat().st_mode) == 0o600
