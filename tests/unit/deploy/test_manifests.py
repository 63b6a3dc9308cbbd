"""The deployment files (deploy/) checked offline, as far as they can be without Docker or a cluster:
every Kubernetes manifest against the Kubernetes API schema in strict mode, no secret in the
repository, probes, resources and a non-root user for every container, and the same commands,
options and Rasa settings as the launcher (launcher/servers.py) in the compose file, the manifests
and the Dockerfile, so that a renamed entry point or option fails here."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_schema

from bot.settings import insights_queue
from launcher import production
from launcher.servers import DEFAULT_MODEL, Ports, free_port, services

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
# The newest Kubernetes whose schemas the pinned kubernetes-validate ships (requirements-dev.txt says why).
KUBERNETES_VERSION = "1.28"
MIGRATE = ["python", "-c", "from bot.store.db import migrate; migrate()"]
# Where each public path goes, the same in nginx (compose) and the Ingress (Kubernetes).
ROUTES = {
    "/webhooks/rest/": "rasa",
    "/webhooks/slack/": "rasa",
    "/webhooks/credly/": "web",
    "/upload/": "web",
    "/static/": "web",
    "/": "web",
}
# Names of settings that are secrets, or carry one (a password inside a URL).
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|_KEY$|^DATABASE_URL$|^ACTS_REDIS_URL$|^ACTS_RABBITMQ_URL$")


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _manifest_files() -> list[Path]:
    return sorted(path for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")


MANIFESTS = [(path.name, index, doc) for path in _manifest_files() for index, doc in enumerate(_documents(path))]


def _by_kind(kind: str) -> list[dict]:
    return [doc for _, _, doc in MANIFESTS if doc["kind"] == kind]


def _workloads() -> dict[str, dict]:
    """Deployments and Jobs by name: their pod specs are checked alike."""
    return {doc["metadata"]["name"]: doc for doc in _by_kind("Deployment") + _by_kind("Job")}


def _containers(workload: dict) -> list[dict]:
    return workload["spec"]["template"]["spec"]["containers"]


def _env_file_keys(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def _config_map() -> dict[str, str]:
    (config,) = _by_kind("ConfigMap")
    return config["data"]


SECRET_KEYS = _env_file_keys(KUBERNETES / "secrets.env.example")
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
ENV_EXAMPLE = _env_file_keys(DEPLOY / "env.example")


def _launcher_services() -> dict:
    """What `make run` starts, with the Rasa API on (as in production) and no emulators."""
    specs = services(
        Ports(), DEFAULT_MODEL, Path("endpoints.yml"), credly_emulator=False, api_token="token", action_token="token"
    )
    return {spec.name: spec for spec in specs}


def _shape(argv: list[str]) -> tuple[str, list[str], list[str]]:
    """A command's module (after -m), its words before the first option (`run`), and its options'
    names (`--port`, `--auth-token` of `--auth-token=...`)."""
    module = argv[argv.index("-m") + 1]
    rest = argv[argv.index("-m") + 2 :]
    words = []
    for token in rest:
        if token.startswith("-"):
            break
        words.append(token)
    options = sorted(token.split("=", 1)[0] for token in rest if token.startswith("--"))
    return module, words, options


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _check_command(argv: list[str], component: str) -> None:
    """`argv` starts the launcher's `component` as the launcher does, on the same port and model, and
    with files that the image has."""
    spec = _launcher_services()[component]
    assert _shape(argv) == _shape(spec.argv), component
    assert _module_exists(_shape(argv)[0]), component
    assert _option(argv, "--port") == _option(spec.argv, "--port"), component
    if component == "rasa":
        assert _option(argv, "--model") == DEFAULT_MODEL.relative_to(ROOT).as_posix()
        for option in ("--endpoints", "--credentials"):
            assert _option(argv, option).startswith("deploy/rasa/") and (ROOT / _option(argv, option)).is_file()


def _module_exists(module: str) -> bool:
    """`python -m module` runs: a module file, or a package with __main__.py, in the repository."""
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__main__.py").is_file()


def _rasa_launcher_env() -> dict[str, str]:
    """The Rasa server's own environment in the production set-up (launcher/production.py)."""
    setup = production.Production(
        rasa_ports=(5005, 5006), web_port=8081, database_url="postgresql://db", redis_url="redis://redis:6379/1"
    )
    return {**_launcher_services()["rasa"].env, **production.rasa_env(setup)}


# --- Kubernetes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "index", "doc"), MANIFESTS, ids=[f"{n}[{i}]" for n, i, _ in MANIFESTS])
def test_every_manifest_validates_against_the_kubernetes_schema_in_strict_mode(name, index, doc):
    # strict: a misspelt or misplaced field is an error, not silently ignored as the API server would
    try:
        assert kubernetes_schema.validate(doc, KUBERNETES_VERSION, strict=True) == KUBERNETES_VERSION
    except kubernetes_schema.ValidationError as error:
        pytest.fail(f"{name}: {'.'.join(map(str, error.path))}: {error.message}", pytrace=False)


def test_the_kustomization_lists_every_manifest_and_names_no_namespace():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [path.name for path in _manifest_files()]
    assert "namespace" not in kustomization
    assert all("namespace" not in doc["metadata"] for _, _, doc in MANIFESTS)
    # The manifests name the image as the kustomization knows it, so its `images` entry applies.
    images = {container["image"] for workload in _workloads().values() for container in _containers(workload)}
    assert images == {entry["name"] for entry in kustomization["images"]}


def test_the_deployments_and_the_migration_job_are_all_there():
    deployments = {doc["metadata"]["name"]: doc["spec"]["replicas"] for doc in _by_kind("Deployment")}
    assert deployments == {"acts-rasa": 2, "acts-actions": 2, "acts-web": 2}
    (job,) = _by_kind("Job")
    assert _containers(job)[0]["command"] == MIGRATE
    services_ = {doc["metadata"]["name"] for doc in _by_kind("Service")}
    assert services_ == set(deployments)
    assert len(_by_kind("Ingress")) == 1


def test_no_secret_is_in_the_repository():
    for path in [*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")]:
        for doc in _documents(path):
            if isinstance(doc, dict) and doc.get("kind") == "Secret":
                assert not doc.get("data") and not doc.get("stringData"), f"{path.name} carries a Secret's data"
    assert not _by_kind("Secret"), "Secrets are made outside the repository and only referenced"
    assert not [key for key in _config_map() if SECRET_NAME.search(key)]
    for workload in _workloads().values():
        for container in _containers(workload):
            inline = [e["name"] for e in container.get("env", []) if SECRET_NAME.search(e["name"]) and "value" in e]
            assert not inline, f"{workload['metadata']['name']}: {inline} must come from the Secret"
    # The example files hold no secret value: an empty one is filled in by whoever deploys.
    for example in (ENV_EXAMPLE, SECRET_KEYS):
        assert not {key: value for key, value in example.items() if SECRET_NAME.search(key) and value}
    assert {".env", "kubernetes/secrets.env"} <= set((DEPLOY / ".gitignore").read_text().split())


def test_every_secret_reference_names_the_one_secret_and_a_key_it_has():
    for workload in _workloads().values():
        for container in _containers(workload):
            refs = [source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source]
            assert refs == ["acts-secrets"], workload["metadata"]["name"]
            for entry in container.get("env", []):
                source = entry.get("valueFrom", {})
                if "secretKeyRef" in source:
                    assert source["secretKeyRef"]["name"] == "acts-secrets"
                    assert source["secretKeyRef"]["key"] in SECRET_KEYS
                if "configMapKeyRef" in source:
                    assert source["configMapKeyRef"]["key"] in _config_map()


def test_every_container_has_resources_and_runs_as_a_user_other_than_root():
    for name, workload in _workloads().items():
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name
            context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
            assert context["runAsNonRoot"] is True and context.get("runAsUser", 0) != 0, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name


def test_every_server_has_readiness_and_liveness_probes_on_its_health_url():
    launcher = _launcher_services()
    expected = {"acts-rasa": "rasa", "acts-actions": "actions", "acts-web": "web"}
    for doc in _by_kind("Deployment"):
        (container,) = _containers(doc)
        spec = launcher[expected[doc["metadata"]["name"]]]
        health = urllib.parse.urlsplit(spec.health_url)  # the URL the launcher waits on
        port = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe"):
            check = container[probe]["httpGet"]
            assert check["path"] == health.path, (doc["metadata"]["name"], probe)
            assert port[check["port"]] == health.port, (doc["metadata"]["name"], probe)


def test_the_manifests_run_the_launchers_commands():
    for name, component in {"acts-rasa": "rasa", "acts-actions": "actions", "acts-web": "web"}.items():
        (container,) = _containers(_workloads()[name])
        _check_command(container["command"], component)
        port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
        assert str(port) == _option(container["command"], "--port")


def test_variables_in_a_command_are_declared_in_its_container():
    # Kubernetes expands $(NAME) from the container's own `env`; an undeclared one stays as written.
    for workload in _workloads().values():
        for container in _containers(workload):
            declared = {entry["name"] for entry in container.get("env", [])}
            used = set(re.findall(r"\$\(([A-Z_]+)\)", " ".join(container["command"])))
            assert used <= declared, workload["metadata"]["name"]


def test_the_rasa_servers_get_the_settings_the_launcher_gives_them():
    (container,) = _containers(_workloads()["acts-rasa"])
    env = {entry["name"]: entry.get("value") for entry in container["env"]}
    assert {name: env.get(name) for name in _rasa_launcher_env()} == _rasa_launcher_env()


def test_the_ingress_routes_as_nginx_does():
    (ingress,) = _by_kind("Ingress")
    paths = {
        path["path"]: path["backend"]["service"]["name"].removeprefix("acts-")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert paths == ROUTES


def test_kubectl_builds_the_kustomization():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (its kustomize needs no cluster)")
    built = subprocess.run([kubectl, "kustomize", str(KUBERNETES)], capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    docs = [doc for doc in yaml.safe_load_all(built.stdout) if doc]
    assert len(docs) == len(MANIFESTS)
    for doc in docs:
        kubernetes_schema.validate(doc, KUBERNETES_VERSION, strict=True)


# --- Rasa's endpoints in containers --------------------------------------------------------------------


def _endpoint_variables() -> set[str]:
    lines = (DEPLOY / "rasa" / "endpoints.yml").read_text().splitlines()
    return set(re.findall(r"\$\{([A-Z_]+)\}", "\n".join(line for line in lines if not line.lstrip().startswith("#"))))


def test_every_variable_of_the_rasa_endpoints_is_set_in_both_deployments():
    needed = _endpoint_variables() | {"DATABASE_URL"}  # the shared tracker store reads it itself
    (container,) = _containers(_workloads()["acts-rasa"])
    kubernetes = set(_config_map()) | set(SECRET_KEYS) | {entry["name"] for entry in container["env"]}
    assert needed <= kubernetes
    for name in ("rasa-1", "rasa-2"):
        compose = set(COMPOSE["services"][name]["environment"]) | set(ENV_EXAMPLE)
        assert needed <= compose, name


def test_rasa_reads_the_container_endpoints_as_the_production_set_up(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    env = {name: f"value-of-{name}" for name in _endpoint_variables()}
    env |= {"DATABASE_URL": "postgresql://acts:secret@db:5432/acts", "ACTS_REDIS_PORT": "6379", "ACTS_REDIS_DB": "1"}
    env["ACTS_RABBITMQ_PORT"] = "5672"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = str(DEPLOY / "rasa" / "endpoints.yml")
    tracker_store = read_endpoint_config(path, "tracker_store")
    assert tracker_store.type == "rasa_plugins.runtime.shared_tracker_store.SharedTrackerStore"
    assert tracker_store.url is None and not tracker_store.kwargs  # the store reads DATABASE_URL itself
    lock_store = read_endpoint_config(path, "lock_store")
    assert lock_store.url == env["ACTS_REDIS_HOST"]
    assert int(lock_store.kwargs["port"]) == 6379 and int(lock_store.kwargs["db"]) == 1
    action = read_endpoint_config(path, "action_endpoint")
    assert (action.url, action.token) == (env["ACTS_ACTION_SERVER_URL"], env["ACTS_ACTION_SERVER_TOKEN"])
    broker = read_endpoint_config(path, "event_broker")
    expected = production.event_broker("amqp://u:p@h:5672/", *insights_queue())
    assert broker.type == expected["type"] == "rasa_plugins.runtime.event_broker.SlimPikaEventBroker"
    assert broker.url == env["ACTS_RABBITMQ_HOST"]
    assert (broker.kwargs["username"], broker.kwargs["password"]) == (
        env["ACTS_RABBITMQ_USER"],
        env["ACTS_RABBITMQ_PASSWORD"],
    )
    # The queue and exchange the web service's consumer reads by default (bot.settings.insights_queue).
    assert (broker.kwargs["queues"], broker.kwargs["exchange_name"]) == (expected["queues"], expected["exchange_name"])


def test_the_lock_store_of_the_container_endpoints_exists():
    lock_store = yaml.safe_load((DEPLOY / "rasa" / "endpoints.yml").read_text())["lock_store"]["type"]
    module, _, name = lock_store.rpartition(".")
    source = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    assert source.is_file(), f"{lock_store}: no {source.relative_to(ROOT)}"
    classes = {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.ClassDef)}
    assert name in classes


def test_the_rasa_credentials_name_channels_that_exist():
    channels = yaml.safe_load((DEPLOY / "rasa" / "credentials.yml").read_text())
    for channel in channels:
        module, _, name = channel.rpartition(".")
        source = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        assert name in {n.name for n in ast.parse(source.read_text()).body if isinstance(n, ast.ClassDef)}


# --- Compose -------------------------------------------------------------------------------------------


def test_compose_runs_every_part_of_the_production_set_up():
    assert set(COMPOSE["services"]) == {
        "postgres",
        "redis",
        "rabbitmq",
        "migrate",
        "rasa-1",
        "rasa-2",
        "actions",
        "web",
        "nginx",
    }
    assert COMPOSE["services"]["migrate"]["command"] == MIGRATE
    assert COMPOSE["services"]["nginx"]["ports"] == ["8080:8080"]
    for name in ("migrate", "rasa-1", "rasa-2", "actions", "web"):
        service = COMPOSE["services"][name]
        assert service["env_file"] == ".env", name  # deploy/.env: never in the repository
        assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
        if name != "migrate":
            assert "healthcheck" in service, name
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_compose_runs_the_launchers_commands():
    for name, component in {"rasa-1": "rasa", "rasa-2": "rasa", "actions": "actions", "web": "web"}.items():
        _check_command(COMPOSE["services"][name]["command"], component)


def test_compose_gives_the_rasa_servers_the_launchers_settings():
    for name in ("rasa-1", "rasa-2"):
        env = COMPOSE["services"][name]["environment"]
        assert {key: env.get(key) for key in _rasa_launcher_env()} == _rasa_launcher_env(), name


def test_compose_takes_every_secret_from_the_env_file():
    for name, service in COMPOSE["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert "${" in str(value), f"{name}: {key} must come from deploy/.env"


def test_the_migration_entry_point_exists():
    source = (ROOT / "bot" / "store" / "db.py").read_text()
    functions = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    migrate = functions["migrate"]  # `migrate()`: every argument has a default
    assert len(migrate.args.defaults) == len(migrate.args.args)


# --- The Dockerfile ------------------------------------------------------------------------------------


def _dockerfile() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, stage by stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, argument = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), argument.strip()))
    return stages


def test_the_image_runs_as_a_user_other_than_root():
    final = _dockerfile()[-1]
    users = [argument for instruction, argument in final if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")


def test_the_images_commands_name_modules_that_exist():
    final = _dockerfile()[-1]
    commands = [json.loads(argument) for instruction, argument in final if instruction in ("CMD", "ENTRYPOINT")]
    assert commands
    launcher_modules = {_shape(spec.argv)[0] for spec in _launcher_services().values()}
    for command in commands:
        assert _module_exists(_shape(command)[0])
        assert _shape(command)[0] in launcher_modules
    assert commands[-1] == COMPOSE["services"]["web"]["command"]  # the default: the web service


def test_the_image_is_built_as_make_install_and_make_train_do():
    stages = _dockerfile()
    bases = [argument.split()[0] for stage in stages for instruction, argument in stage if instruction == "FROM"]
    assert f"python:{(ROOT / '.python-version').read_text().strip()}-slim" in bases
    runs = " ".join(argument for stage in stages for instruction, argument in stage if instruction == "RUN")
    assert "-r /src/requirements.txt -c /src/constraints.txt" in runs
    assert "sed -n 's/^#no-deps: //p'" in runs and "--no-deps -r" in runs
    assert "npm ci" in runs
    makefile = (ROOT / "Makefile").read_text()
    train = re.search(r"\$\(RASA\) train (.*)", makefile).group(1).split()
    assert " ".join(["rasa", "train", *train]) in runs
    model = DEFAULT_MODEL.relative_to(ROOT).as_posix()
    copies = [argument for instruction, argument in stages[-1] if instruction == "COPY"]
    assert any(argument.endswith(f"/app/{model} {model}") for argument in copies)
    assert any(argument == "deploy/rasa deploy/rasa" for argument in copies)
    env = " ".join(argument for instruction, argument in stages[-1] if instruction == "ENV")
    assert "ACTS_BIND_HOST=0.0.0.0" in env and "RASA_TELEMETRY_ENABLED=false" in env


# --- nginx ---------------------------------------------------------------------------------------------


def _nginx_routes(config: str) -> tuple[dict[str, str], set[str]]:
    """nginx.conf's proxied locations (path: upstream) and those that answer 404 themselves."""
    proxied, refused = {}, set()
    for path, body in re.findall(r"location (\S+) \{(.*?)\}", config, flags=re.S):
        if match := re.search(r"proxy_pass \$(\w+);", body):
            proxied[path] = match.group(1)
        elif "return 404;" in body:
            refused.add(path)
    return proxied, refused


def test_nginx_routes_as_the_ingress_does_and_publishes_no_rasa_api():
    proxied, refused = _nginx_routes((DEPLOY / "nginx.conf").read_text())
    assert proxied == ROUTES
    assert {"/conversations/", "/webhooks/"} <= refused


def _nginx() -> str:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if nginx is None:
        pytest.skip("nginx is not installed (make test installs it)")
    return nginx


class _Echo(BaseHTTPRequestHandler):
    """A stand-in server that answers with its name, the path and the forwarded address it got."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = f"{self.server.name} {self.path} {self.headers.get('X-Forwarded-For')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


def test_nginx_sends_each_path_where_it_belongs(tmp_path):
    nginx = _nginx()
    backends = {}
    for name in ("rasa", "web"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        server.name = name
        threading.Thread(target=server.serve_forever, daemon=True).start()
        backends[name] = server
    port = free_port()
    config = (DEPLOY / "nginx.conf").read_text()
    # The same file with the compose services' names replaced by the stand-ins' addresses.
    config = config.replace("http://rasa:5005", f"http://127.0.0.1:{backends['rasa'].server_port}")
    config = config.replace("http://web:8080", f"http://127.0.0.1:{backends['web'].server_port}")
    config = config.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in kinds)
    config = config.replace("http {", "http {\n  " + temp, 1)
    (tmp_path / "nginx.conf").write_text(config)
    process = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", "stderr",
         "-g", f"daemon off; master_process off; pid {tmp_path / 'nginx.pid'};"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:

        def get(path: str, data: bytes | None = None) -> tuple[int, str]:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", data=data, timeout=5) as answer:
                    return answer.status, answer.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, ""

        deadline = time.monotonic() + 10
        while True:
            try:
                get("/")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        for path, backend in {
            "/webhooks/rest/webhook": "rasa",
            "/webhooks/slack/webhook": "rasa",
            "/webhooks/credly/secret": "web",
            "/upload/token": "web",
            "/static/acts-chat.js": "web",
            "/": "web",
            "/health": "web",
            "/model": "web",  # Rasa's API paths reach only the web service, which has none of them
            "/status": "web",
        }.items():
            status, body = get(path, data=b"{}" if path.startswith("/webhooks/") else None)
            assert status == 200 and body.split()[:2] == [backend, path], path
        assert get("/webhooks/rest/webhook", data=b"{}")[1].split()[2] == "127.0.0.1"  # X-Forwarded-For
        for path in ("/conversations/someone/tracker", "/webhooks/anything"):
            assert get(path)[0] == 404, path
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in backends.values():
            server.shutdown()
            server.server_close()


def test_the_production_endpoints_send_the_analytics_through_rasas_pika_broker(monkeypatch):
    """What `make run-prod` writes for every Rasa server's event broker, from ACTS_RABBITMQ_URL."""
    setup = production.Production(
        rasa_ports=(5005, 5006),
        web_port=8081,
        database_url="postgresql://db",
        redis_url="redis://redis:6379/1",
        rabbitmq_url="amqp://acts:s3cret@mq.internal:5673/",
        insights_queue=("acts-exchange", "acts_insights"),
    )
    config = production.endpoints({}, setup)
    assert config["event_broker"] == {
        "type": "rasa_plugins.runtime.event_broker.SlimPikaEventBroker",
        "url": "mq.internal",
        "port": 5673,
        "username": "acts",
        "password": "s3cret",
        "queues": ["acts_insights"],
        "exchange_name": "acts-exchange",
    }
    without = production.endpoints({"event_broker": {"type": "spool"}}, dataclasses.replace(setup, rabbitmq_url=None))
    assert without["event_broker"] == {"type": "spool"}  # no RabbitMQ: the embedded spool stays
