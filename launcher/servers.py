"""Starts the assistant's servers together, says where they are, and stops them together.

`make run` and the end-to-end tests both use this, so the tests drive exactly
what a newcomer runs. Each server runs in its own process group; Ctrl-C (or
the end of a test) stops all of them and leaves nothing running.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.settings import VAR, action_server_token, allowed_origins, bind_host, environment, mail_dir
from launcher import production as production_setup

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "acts.tar.gz"
STOP_GRACE_SECONDS = 10
PRIVATE_UMASK = 0o077  # every file the servers create (databases, uploads, mail, logs) is the owner's alone


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str  # http://…/health, or smtp://host:port for the local mail server
    public_url: str
    env: dict[str, str] = field(default_factory=dict)  # this server's own, over the cluster's
    # A server started only once this one answers (the first Rasa server creates the conversation
    # tables of a new database; two creating them at once would fail).
    after: str | None = None


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8080
    credly: int = 8090  # the local Credly emulator, when no Credly credentials are configured
    slack: int = 8091  # the local Slack emulator, with ACTS_SLACK=emulator
    mail: int = 8025  # the local SMTP server (emulators/mail.py), when no ACTS_SMTP_HOST is configured


def free_port() -> int:
    """A TCP port nobody listens on right now (for tests and the benchmark)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env() -> dict[str, str]:
    env = environment()
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def endpoints_file(
    ports: Ports,
    template: Path,
    workdir: Path,
    action_token: str | None = None,
    production: production_setup.Production | None = None,
) -> Path:
    """endpoints.yml with the action server URL pointing at the chosen port (and its token, if set);
    in production, the shared conversation and lock stores (launcher/production.py)."""
    config = yaml.safe_load(template.read_text()) or {}
    if production is not None:
        config = production_setup.endpoints(config, production)
    config["action_endpoint"] = {"url": f"http://127.0.0.1:{ports.actions}/webhook"}
    if action_token:
        config["action_endpoint"]["token"] = action_token  # sent as ?token=
    path = workdir / "endpoints.yml"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:  # holds the token
        file.write(yaml.safe_dump(config))
    return path


SLACK_CHANNEL = "rasa_plugins.channels.slack.SlackInput"


def credentials_file(template: Path, workdir: Path, with_slack: bool) -> Path:
    """credentials.yml, plus the Slack channel when the Slack app is configured (else no Slack endpoint)."""
    config = yaml.safe_load(template.read_text()) or {}
    if with_slack:
        config[SLACK_CHANNEL] = None  # it reads its settings from the environment
    path = workdir / "credentials.yml"
    path.write_text(yaml.safe_dump(config))
    return path


# `ACTS_SLACK=emulator make run`: the local Slack emulator plays the workspace, with a learner, a
# reviewer and the reviewers' channel, so the Slack flow can be tried on a laptop.
DEMO_SLACK_LEARNER = {"id": "U0LEARNER1", "name": "jane", "real_name": "Jane Doe", "email": "jane.doe@example.edu"}
DEMO_SLACK_REVIEWER = {"id": "U0REVIEWER", "name": "rita", "real_name": "Rita Reviewer", "email": "rita@example.org"}
DEMO_SLACK_REVIEW_CHANNEL = {"id": "C0REVIEWS1", "name": "badge-reviews", "is_private": True}


def slack_emulator_env(ports: Ports) -> dict[str, str]:
    from emulators.slack import EMULATOR_BOT_TOKEN, EMULATOR_SIGNING_SECRET

    return {
        "SLACK_BOT_TOKEN": EMULATOR_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": EMULATOR_SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{ports.slack}/api/",
        "SLACK_REVIEW_CHANNEL": DEMO_SLACK_REVIEW_CHANNEL["id"],
        "SLACK_REVIEWERS": DEMO_SLACK_REVIEWER["id"],
    }


def seed_slack_emulator(ports: Ports) -> None:
    for path, body in (
        ("users", DEMO_SLACK_LEARNER),
        ("users", DEMO_SLACK_REVIEWER),
        ("channels", DEMO_SLACK_REVIEW_CHANNEL),
    ):
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports.slack}/__emulator/{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()


def services(
    ports: Ports,
    model: Path,
    endpoints: Path,
    web: bool = True,
    credly_emulator: bool = True,
    rasa_python: str | None = None,
    credentials: Path = ROOT / "credentials.yml",
    api_token: str | None = None,
    slack_emulator: bool = False,
    action_token: str | None = None,
    local_mail: Path | None = None,
) -> list[Service]:
    """The assistant's servers, and the Credly emulator when no real Credly is configured.
    The benchmark leaves out the web service for stock Rasa (`web=False`) and runs its Rasa
    server from another virtualenv (`rasa_python`). `action_token` goes to the action server only
    (Rasa gets it in `endpoints`); `local_mail`: the Maildir of a local SMTP server to start."""
    py = sys.executable
    web_service = Service(
        name="web",
        argv=[py, "-m", "bot.web", "--host", bind_host(), "--port", str(ports.web)],
        health_url=f"http://127.0.0.1:{ports.web}/health",
        public_url=f"http://localhost:{ports.web}/upload/<token>",
    )
    emulator = Service(
        name="credly",
        argv=[
            py,
            "-m",
            "emulators.credly",
            "--host",
            bind_host(),
            "--port",
            str(ports.credly),
            "--webhook-url",
            f"http://127.0.0.1:{ports.web}/webhooks/credly",
        ],
        health_url=f"http://127.0.0.1:{ports.credly}/health",
        public_url=f"http://localhost:{ports.credly}/v1  (local Credly emulator)",
    )
    rasa = Service(
        name="rasa",
        argv=[
            rasa_python or py,
            "-m",
            "rasa" if rasa_python else "rasa_plugins.runtime.lean_server",  # ours without TensorFlow; stock as is
            "run",
            "--interface",
            bind_host(),
            "--model",
            str(model),
            "--port",
            str(ports.rasa),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
            "--cors",  # only the pages that embed the widget (ACTS_ALLOWED_ORIGINS) may call it from a browser
            *allowed_origins(f"http://localhost:{ports.web}"),
        ],
        health_url=f"http://127.0.0.1:{ports.rasa}/",
        public_url=f"http://localhost:{ports.rasa}/webhooks/rest/webhook",
    )
    if not rasa_python:  # a request to our Rasa server is a chat message: 1 MB is plenty (Sanic allows 100)
        rasa.env["SANIC_REQUEST_MAX_SIZE"] = str(1024 * 1024)
    if api_token:  # Rasa's HTTP API (conversations' trackers), only with a token: operators and tests
        rasa.argv += ["--enable-api", f"--auth-token={api_token}"]  # "=": a token may start with "-"
    actions = Service(
        name="actions",
        argv=[py, "-m", "actions.server", "--host", bind_host(), "--port", str(ports.actions)],
        health_url=f"http://127.0.0.1:{ports.actions}/health",
        public_url=f"http://localhost:{ports.actions}/webhook",
    )
    if action_token:
        actions.env["ACTS_ACTION_SERVER_TOKEN"] = action_token
    slack = Service(
        name="slack-emulator",
        argv=[py, "-m", "emulators.slack", "--host", bind_host(), "--port", str(ports.slack),
              "--events-url", f"http://127.0.0.1:{ports.rasa}/webhooks/slack/webhook"],
        health_url=f"http://127.0.0.1:{ports.slack}/health",
        public_url=f"http://localhost:{ports.slack}/__emulator/messages  (local Slack emulator)",
    )  # fmt: skip
    # Rasa first: its start-up is the longest, so it gets the CPU before the small servers.
    optional = ([web_service] if web else []) + ([emulator] if credly_emulator else [])
    optional += [slack] if slack_emulator else []
    if local_mail is not None:
        shown = local_mail.relative_to(ROOT) if local_mail.is_relative_to(ROOT) else local_mail
        optional.append(
            Service(
                name="mail",
                argv=[py, "-m", "emulators.mail", "--host", bind_host(), "--port", str(ports.mail),
                      "--maildir", str(local_mail)],
                health_url=f"smtp://127.0.0.1:{ports.mail}",
                public_url=f"{shown}/new  (local mail: every mail the assistant sends lands here)",
            )
        )  # fmt: skip
    return [rasa, actions] + optional


def _is_up(url: str) -> bool:
    if url.startswith("smtp://"):  # an SMTP server is up when it greets and answers NOOP
        host, _, port = url.removeprefix("smtp://").rpartition(":")
        try:
            with smtplib.SMTP(host, int(port), timeout=2) as client:
                return client.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def private_log(path: Path):
    """A log opened for appending, readable by its owner only (logs name conversations and sources)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    log = os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")
    os.chmod(path, 0o600)  # a log left by an earlier run under another umask
    return log


class Cluster:
    """The running servers of one `make run` or one test session."""

    def __init__(
        self, specs: Sequence[Service], log_dir: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.specs = list(specs)
        self.log_dir = log_dir
        self.env = env or {}
        self.procs: dict[str, subprocess.Popen] = {}
        self.slack = False  # whether the Slack channel is on

    def start(self, timeout: float = 180.0) -> None:
        # Whatever stops the start-up (a server that dies, a timeout, Ctrl-C) stops every server.
        try:
            self.launch()
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def launch(self) -> None:
        for spec in self.specs:
            # Never mistake someone else's server on our port for ours.
            if _is_up(spec.health_url):
                raise RuntimeError(f"something already answers at {spec.health_url}; stop it or choose another port")
        env = {**base_env(), **self.env}
        for spec in self.specs:
            first = next((other for other in self.specs if other.name == spec.after), None)
            if first is not None:  # (restarted on its own, it has nobody to wait for)
                self._wait_for(first, time.monotonic() + 180)
            log = None
            if self.log_dir is not None:
                log = private_log(self.log_dir / f"{spec.name}.log")
            # The child gets its own copy of the log's descriptor, so ours is closed right away.
            with log or contextlib.nullcontext():
                self.procs[spec.name] = subprocess.Popen(
                    spec.argv,
                    cwd=ROOT,
                    env={**env, **spec.env},
                    stdout=log,
                    stderr=subprocess.STDOUT if log else None,
                    start_new_session=True,  # its own process group, so we can stop its children too
                    umask=PRIVATE_UMASK,
                )

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for spec in self.specs:
            self._wait_for(spec, deadline)

    def _wait_for(self, spec: Service, deadline: float) -> None:
        while not _is_up(spec.health_url):
            proc = self.procs[spec.name]
            if proc.poll() is not None:
                raise RuntimeError(f"{spec.name} exited with code {proc.returncode} while starting")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{spec.name} did not answer at {spec.health_url} in time")
            time.sleep(0.25)

    def stop(self) -> None:
        # A second Ctrl-C must not interrupt the shutdown half-way and orphan a server.
        if threading.current_thread() is not threading.main_thread():
            self._terminate_all()  # signal handlers can only be changed from the main thread
            return
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._terminate_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _terminate_all(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs.values()]

    def exited(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    """Files and folders this process creates meanwhile are its owner's alone (0600, 0700)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def behind_nginx(
    specs: list[Service], production: production_setup.Production, ports: Ports, workdir: Path
) -> list[Service]:
    """The production set-up's servers: one Rasa server per port of `production`, the first of them
    started alone (it creates the conversation tables), the web service on its inner port, and nginx on
    the public one (ports.web) in front of them."""
    rasa, *others = specs
    servers = []
    for number, port in enumerate(production.rasa_ports, 1):
        argv = list(rasa.argv)
        argv[argv.index("--port") + 1] = str(port)
        servers.append(
            Service(
                name=f"rasa-{number}",
                argv=argv,
                health_url=f"http://127.0.0.1:{port}/",
                public_url=f"http://127.0.0.1:{port}/webhooks/rest/webhook  (behind nginx)",
                env={**rasa.env, **production_setup.rasa_env(production)},
                after="rasa-1" if number > 1 else None,
            )
        )
    for spec in others:
        if spec.name == "slack-emulator":  # Slack's events reach the Rasa servers through nginx too
            spec.argv[spec.argv.index("--events-url") + 1] = f"http://127.0.0.1:{ports.web}/webhooks/slack/webhook"
        if spec.name == "web":
            spec.argv[spec.argv.index("--port") + 1] = str(production.web_port)
            spec.health_url = f"http://127.0.0.1:{production.web_port}/health"
            spec.public_url = f"http://127.0.0.1:{production.web_port}/  (behind nginx)"
            spec.env.update(production_setup.web_env())
    nginx = production_setup.nginx_binary()
    if nginx is None:
        raise RuntimeError(
            "the production set-up needs nginx: sudo apt-get install nginx (make run-prod does it as root)"
        )
    from bot.store.uploads import MAX_UPLOAD_BYTES

    config = production_setup.write_nginx_config(production, bind_host(), ports.web, workdir, MAX_UPLOAD_BYTES + 65536)
    front = Service(
        name="nginx",
        argv=[nginx, "-c", str(config), "-p", str(workdir), "-g", "daemon off;"],
        health_url=f"http://127.0.0.1:{ports.web}/health",
        public_url=f"http://localhost:{ports.web}/  (nginx: the page, the chat at /webhooks/rest/webhook, uploads)",
    )
    return servers + others + [front]


@contextlib.contextmanager
def running(
    ports: Ports,
    model: Path = DEFAULT_MODEL,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    production: production_setup.Production | None = None,
) -> Iterator[Cluster]:
    """All servers up (database migrated first), stopped again on exit. With `production`, several Rasa
    servers on PostgreSQL and Redis behind nginx on ports.web (launcher/production.py)."""
    # Where browsers reach the web service and the bot on these ports, unless the shell says otherwise.
    bot_url = f"http://localhost:{ports.web if production else ports.rasa}"  # in production nginx has both
    defaults = {"ACTS_PUBLIC_URL": f"http://localhost:{ports.web}", "ACTS_BOT_URL": bot_url}
    shell = environment()
    env = {**{k: v for k, v in defaults.items() if not shell.get(k)}, **(env or {})}

    def setting(name: str) -> str | None:  # what the caller gives, else what the shell has
        return env.get(name) or shell.get(name)

    if production is not None:  # every server on the shared PostgreSQL and Redis
        env["DATABASE_URL"] = production.database_url
        env["ACTS_REDIS_URL"] = production.redis_url
        env["ACTS_CONVERSATION_STORE"] = "database"  # Rasa's events table: for export and erasure
        if production.rabbitmq_url:  # the web service reads the analytics' queue
            env["ACTS_RABBITMQ_URL"] = production.rabbitmq_url
            env["ACTS_INSIGHTS_EXCHANGE"], env["ACTS_INSIGHTS_QUEUE"] = production.insights_queue
    emulated = not setting("CREDLY_TOKEN")
    if emulated:
        env["CREDLY_BASE_URL"] = f"http://127.0.0.1:{ports.credly}/v1"
    slack_emulated = setting("ACTS_SLACK") == "emulator"
    if slack_emulated:
        env.update(slack_emulator_env(ports))
    with_slack = all(setting(name) for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"))
    local_mail = None
    if not setting("ACTS_SMTP_HOST"):  # no SMTP server: the local one
        local_mail = Path(env.get("ACTS_MAIL_DIR") or mail_dir()).resolve()
        env.update({"ACTS_SMTP_PORT": str(ports.mail), "ACTS_MAIL_DIR": str(local_mail)})
        env.pop("ACTS_SMTP_SECURITY", None)  # plain SMTP on 127.0.0.1
    from bot.store.db import migrate  # imported here: the benchmark uses this module without a database

    with private_files():  # an SQLite database is created here, by this process
        migrate(setting("DATABASE_URL"))
        # Every set-up runs the action server with a token: the deployment's, else one made once under var/.
        action_token = env.get("ACTS_ACTION_SERVER_TOKEN") or action_server_token()
    with tempfile.TemporaryDirectory(prefix="acts-run-") as tmp:
        endpoints = endpoints_file(ports, ROOT / "endpoints.yml", Path(tmp), action_token, production)
        credentials = credentials_file(ROOT / "credentials.yml", Path(tmp), with_slack)
        api_token = setting("ACTS_RASA_API_TOKEN")
        specs = services(
            ports,
            model,
            endpoints,
            credly_emulator=emulated,
            credentials=credentials,
            api_token=api_token,
            slack_emulator=slack_emulated,
            action_token=action_token,
            local_mail=local_mail,
        )
        if production is not None:
            # Made here, once: the Sanic workers of a server would race to create it on a new database.
            production_setup.create_conversation_tables(production.database_url)
            specs = behind_nginx(specs, production, ports, Path(tmp))
        cluster = Cluster(specs, log_dir=log_dir, env=env)
        cluster.slack = with_slack
        cluster.start()
        if slack_emulated:
            seed_slack_emulator(ports)
        try:
            yield cluster
        finally:
            cluster.stop()


def _interrupt(signum, frame) -> None:
    """SIGTERM gets the same clean shutdown as Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the ACTS badge assistant locally.")
    parser.add_argument("--rasa-port", type=int, default=Ports.rasa)
    parser.add_argument("--actions-port", type=int, default=Ports.actions)
    parser.add_argument("--web-port", type=int, default=Ports.web)
    parser.add_argument("--credly-port", type=int, default=Ports.credly)
    parser.add_argument("--slack-port", type=int, default=Ports.slack)
    parser.add_argument("--mail-port", type=int, default=Ports.mail)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--shell-endpoints", action="store_true", help="write the endpoints.yml `make shell` uses")
    parser.add_argument(
        "--production",
        action="store_true",
        help="several Rasa servers (ACTS_RASA_SERVERS) on PostgreSQL and Redis behind nginx on --web-port",
    )
    args = parser.parse_args(argv)
    if args.shell_endpoints:  # `rasa shell` calls the action server of `make run`, with its token
        workdir = VAR / "shell"
        workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        ports = Ports(actions=args.actions_port)
        print(endpoints_file(ports, ROOT / "endpoints.yml", workdir, action_server_token()))
        return 0

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    os.umask(PRIVATE_UMASK)  # the database, var/ and logs this process creates are private too
    ports = Ports(args.rasa_port, args.actions_port, args.web_port, args.credly_port, args.slack_port, args.mail_port)
    production = None
    if args.production:
        from bot.settings import (
            insights_queue,
            production_database_url,
            production_rabbitmq_url,
            rasa_servers,
            redis_url,
            sanic_workers,
        )

        rasa_ports = tuple(args.rasa_port + number for number in range(rasa_servers()))
        production = production_setup.Production(
            rasa_ports, args.web_port + 1, production_database_url(), redis_url(), sanic_workers()
        )
        queue = insights_queue()
        production = dataclasses.replace(production, rabbitmq_url=production_rabbitmq_url(), insights_queue=queue)
    print("Starting the ACTS badge assistant (this takes a few seconds)...", flush=True)
    try:
        with running(ports, args.model, production=production) as cluster:
            print("\nThe ACTS badge assistant is up:")
            print(f"  {'page':<8} http://localhost:{ports.web}/  (open it: the chat is in the corner)")
            for spec in cluster.specs:
                print(f"  {spec.name:<8} {spec.public_url}")
            from bot.settings import database_url, mail

            print(f"  database {database_url().split('@')[-1]}")  # never print credentials
            if not any(spec.name == "mail" for spec in cluster.specs):
                print(f"  mail     SMTP {mail().host} (ACTS_SMTP_HOST)")
            if cluster.slack:
                slack_port = ports.web if production else ports.rasa
                print(f"  slack    http://localhost:{slack_port}/webhooks/slack/webhook  (events and interactivity)")
            else:
                print("  slack    off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or ACTS_SLACK=emulator")
                print("           (docs/slack.md)")
            chat = f"http://localhost:{ports.web}/webhooks/rest/webhook" if production else cluster.specs[0].public_url
            print(
                f"\nTry: curl -s -XPOST {chat} "
                '-H \'Content-Type: application/json\' -d \'{"sender":"me","message":"Is there a fee?"}\''
            )
            print("Press Ctrl-C to stop.\n", flush=True)
            while not cluster.exited():
                time.sleep(0.5)
            print(f"Stopped: {', '.join(cluster.exited())} exited.", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("\nStopped.")
        return 0
    except RuntimeError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
