"""`make bench`: train, start and load this assistant and a stock Rasa assistant in one run.

Both are trained on the same NLU data, domain, rules and stories (copied into a
work directory). Stock means Rasa as `pip install rasa==3.6.21` gives it, in its
own virtualenv (.venv-stock: pip's own choice of dependency versions, so no
jsonschema pin), with the config.yml that `rasa init` writes. Each is started as
`make run` starts it (launcher.servers; stock without the project's web service), then
driven over REST by a separate load process (bench.load) at 1, 8 and 32
concurrent conversations (the project's rows at 64 too). The production set-up
(launcher/production.py: the shared tracker store on PostgreSQL, the Redis lock
store, nginx on one port) runs the project's model with 1 Rasa server, 2 Rasa
servers, and 1 server of 2 Sanic workers, each on a fresh PostgreSQL database, and
takes the load on nginx's port at 32 and 64. The event broker's cost is measured
on the project's set-up with and without it (bench/broker_cost.py), and the staff's
report is timed on a day of traffic (bench/report_timing.py). Prints Markdown tables
with ratios and targets and writes bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench import broker_cost, report_timing
from bench.procs import process_groups_rss_bytes
from bench.workload import FIRST_QUESTION
from launcher.production import Production, create_conversation_tables, fresh_database
from launcher.servers import ROOT, Cluster, Ports, base_env, behind_nginx, endpoints_file, free_port, services

STOCK_VENV = ROOT / ".venv-stock"
STOCK_PYTHON = STOCK_VENV / "bin" / "python"
STOCK_RASA = "rasa==3.6.21"
LEVELS = (1, 8, 32)
# 64 costs the project's rows a few seconds; stock Rasa (about 40 msg/s) would need a minute more.
PROJECT_LEVELS = (1, 8, 32, 64)
PRODUCTION_LEVELS = (32, 64)
# 40 messages a conversation slot from 8 up: a p99 over ~13 samples at 32, ~26 at 64.
FULL_REQUESTS = {1: 100, 8: 480, 32: 1280, 64: 2560}
SMOKE_REQUESTS = {1: 5, 8: 8, 32: 32, 64: 64}
# Targets, as ratios project / stock (issue "Durable conversations by default, and the speed lead
# widened"): the project as `make run` runs it, with its durable conversation store.
TARGETS = {
    "msg_per_s@32": (">=", 10.0),
    "msg_per_s@8": (">=", 8.0),
    "p99_ms@32": ("<=", 0.1),
    "startup_s": ("<=", 0.25),
    "train_s": ("<=", 0.25),
    "rss_mb": ("<=", 0.55),
    "faq_accuracy": (">=", 1.0),
}
# The load comes from one address, and its thousand messages a minute are the point: the project's
# per-source limit (300 a minute, docs/reliability.md) is raised for it, as an operator would for a
# load test. Every message still goes through the limiter, so its cost is measured.
BENCH_SOURCE_LIMIT = "1000000"
# The second project row keeps conversations in memory only, so the price of durability shows.
BROKER_ROUNDS = 4  # with and without the event broker, alternating: 8 short runs, about 2 minutes
MEMORY_STORE = "tracker_store:\n  type: rasa_plugins.runtime.tracker_store.LiveTrackerStore\n"
# The production set-up's rows: (name, Rasa servers, Sanic workers per server, what the tables call it).
PRODUCTION_SETUPS = (
    ("production-1", 1, 1, "production, 1 server"),
    ("production-2", 2, 1, "production, 2 servers"),
    ("production-1x2", 1, 2, "production, 1 server x 2 workers"),
)
# The smoke run starts the one with the most parts (two servers, the lock between them, nginx's choice):
# the three together took it from about 20 s to about 60 s on a 2-core machine.
SMOKE_PRODUCTION_SETUPS = ("production-2",)
# Targets of issue 22 (production on several servers): (numerator, denominator, measure) -> bound.
PRODUCTION_TARGETS = {
    ("production-2", "stock", "msg_per_s@32"): (">=", 8.0),
    ("production-2", "stock", "p99_ms@32"): ("<=", 1 / 8),
    ("production-2", "production-1", "msg_per_s@64"): (">=", 1.3),
}
# Ratios shown beside them: how the set-ups compare, no target.
PRODUCTION_RATIOS = (
    ("production-2", "stock", "msg_per_s@32"),
    ("production-2", "stock", "p99_ms@32"),
    ("production-2", "production-1", "msg_per_s@32"),
    ("production-2", "production-1", "msg_per_s@64"),  # the scaling efficiency
    ("production-1x2", "production-1", "msg_per_s@32"),
    ("production-1x2", "production-1", "msg_per_s@64"),
    ("production-1", "project", "msg_per_s@32"),  # PostgreSQL, Redis and nginx against one SQLite process
    ("production-1", "project", "msg_per_s@64"),
)

# In smoke mode stock Rasa trains for one epoch: the same code paths, a fraction of the time.
SMOKE_STOCK_CONFIG = """recipe: default.v1
assistant_id: stock_smoke
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 1
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 1
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 1
  - name: TEDPolicy
    max_history: 5
    epochs: 1
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prepare(workdir: Path, name: str, config_text: str) -> Path:
    system = workdir / name
    system.mkdir(parents=True)
    shutil.copytree(ROOT / "data", system / "data")
    shutil.copy(ROOT / "domain.yml", system / "domain.yml")
    (system / "config.yml").write_text(config_text)
    return system


def stock_python() -> Path:
    """The stock virtualenv's interpreter, created on first use (a few minutes, once)."""
    stamp = STOCK_VENV / ".installed"
    if stamp.exists():
        return STOCK_PYTHON
    log(f"creating {STOCK_VENV.name} with {STOCK_RASA} (first run only)")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(STOCK_VENV)], check=True)
    # The project's lock, minus the one pin the project chose for speed: pip resolves the rest as
    # it would for anyone, reproducibly.
    constraints = STOCK_VENV / "constraints.txt"
    constraints.write_text(
        "".join(
            line
            for line in (ROOT / "constraints.txt").read_text().splitlines(True)
            if not line.startswith(("jsonschema==", "alembic==", "Mako=="))
        )
    )
    subprocess.run(
        [str(STOCK_PYTHON), "-m", "pip", "install", "--quiet", STOCK_RASA, "-c", str(constraints)], check=True
    )
    stamp.touch()
    return STOCK_PYTHON


def stock_config() -> str:
    """The config.yml that `rasa init` writes, read from the stock installation."""
    code = "import rasa, pathlib; print(pathlib.Path(rasa.__file__).parent / 'cli/initial_project/config.yml')"
    path = subprocess.run([str(stock_python()), "-c", code], capture_output=True, text=True, check=True)
    return Path(path.stdout.strip()).read_text()


def rasa(python: Path, system: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(python), "-m", "rasa", *args], cwd=system, env=base_env(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"rasa {' '.join(args)} failed in {system}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def train(python: Path, system: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    rasa(
        python,
        system,
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        "models",
        "--fixed-model-name",
        "model",
    )
    return system / "models" / "model.tar.gz", time.perf_counter() - started


def accuracy(python: Path, system: Path, model: Path) -> float:
    rasa(
        python,
        system,
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        str(ROOT / "tests" / "nlu" / "test_nlu.yml"),
        "--out",
        "nlu_results",
    )
    return json.loads((system / "nlu_results" / "intent_report.json").read_text())["accuracy"]


def first_correct_answer(url: str, deadline: float, must_be_right: bool) -> None:
    """Waits for the first answer to FIRST_QUESTION (the right one, unless a one-epoch smoke model)."""
    question, expected = FIRST_QUESTION
    while time.monotonic() < deadline:
        try:
            reply = requests.post(url, json={"sender": "bench-startup", "message": question}, timeout=10).json()
            answer = " ".join(m.get("text", "") for m in reply)
            if answer and (expected in answer or not must_be_right):
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError("no correct answer before the start-up deadline")


def load(url: str, concurrency: int, count: int, time_limit: float) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            "--url",
            url,
            "--concurrency",
            str(concurrency),
            "--requests",
            str(count),
            "--time-limit",
            str(time_limit),
        ],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def measure(
    name: str,
    system: Path,
    requests_per_level: dict,
    time_limit: float,
    ports: Ports,
    is_project: bool,
    smoke: bool = False,
    trained: tuple[Path, float, float | None] | None = None,
    in_memory: bool = False,
    levels: tuple[int, ...] = LEVELS,
    production: Production | None = None,
    endpoints_template: Path | None = None,
) -> dict:
    """`trained`: (model, training seconds, accuracy) of an earlier row, to measure the same model
    with another set-up (`in_memory`: the project with conversations in memory only; `production`: the
    production set-up behind nginx on ports.web, its database already made)."""
    python = Path(sys.executable) if is_project else stock_python()
    if trained is None:
        log(f"{name}: training")
        model, train_s = train(python, system)
        log(f"{name}: trained in {train_s:.1f}s")
        # The smoke run skips accuracy: `make test` measures the project's; a one-epoch stock model's means nothing.
        faq_accuracy = None if smoke else accuracy(python, system, model)
    else:
        model, train_s, faq_accuracy = trained
    # Stock Rasa keeps its own default (in-memory) tracker store: only the action server is shared.
    template, credentials = ROOT / "endpoints.yml", ROOT / "credentials.yml"
    if in_memory:
        template = system / "memory-endpoints.yml"
        template.write_text(MEMORY_STORE)
    if endpoints_template is not None:
        template = endpoints_template
    if not is_project:  # and Rasa's own REST channel
        template, credentials = system / "stock-endpoints.yml", system / "stock-credentials.yml"
        template.write_text("{}\n")
        credentials.write_text("rest:\n")
    action_token = secrets.token_urlsafe(32)  # both systems call the project's action server, which needs one
    endpoints = endpoints_file(ports, template, system, action_token, production)
    env = {
        "DATABASE_URL": f"sqlite:///{system / 'acts.db'}",
        "ACTS_UPLOAD_DIR": str(system / "uploads"),
        "ACTS_CONVERSATIONS_DB": str(system / f"{name}-conversations.db"),
        "ACTS_EVENTS_DB": str(system / f"{name}-events.db"),
        "ACTS_MESSAGES_PER_SOURCE_PER_MINUTE": BENCH_SOURCE_LIMIT,
    }
    if production is not None:  # as launcher.servers.running sets them for `make run-prod`
        env |= {"DATABASE_URL": production.database_url, "ACTS_REDIS_URL": production.redis_url}
    servers = services(
        ports,
        model,
        endpoints,
        web=is_project,
        credly_emulator=False,
        rasa_python=None if is_project else str(python),  # the project as `make run` starts it: the lean server
        credentials=credentials,
        action_token=action_token,
    )
    if production is not None:  # the Rasa servers, the web service on an inner port, nginx on ports.web
        rundir = system / name
        rundir.mkdir(mode=0o700, exist_ok=True)
        servers = behind_nginx(servers, production, ports, rundir)
    rasa_module = servers[0].argv[2]  # the (first) Rasa server's: recorded, and tested
    cluster = Cluster(servers, log_dir=system / "logs" / name, env=env)
    url = f"http://127.0.0.1:{ports.web if production else ports.rasa}/webhooks/rest/webhook"
    log(f"{name}: starting")
    started = time.perf_counter()
    if is_project:  # as `make run` starts it: the database is migrated first
        from bot.store.db import migrate

        migrate(env["DATABASE_URL"])
    try:
        cluster.launch()
        # A one-epoch stock model (smoke) may well answer wrongly; it only has to answer.
        first_correct_answer(url, time.monotonic() + 300, must_be_right=is_project or not smoke)
        startup_s = time.perf_counter() - started
        log(f"{name}: first correct answer after {startup_s:.1f}s; loading")
        cluster.wait_healthy(120)  # every server up (a second Rasa server starts after the first) before the load
        load(url, 4, 20, time_limit)  # warm-up, not recorded
        measured = {}
        for concurrency in levels:
            measured[concurrency] = load(url, concurrency, requests_per_level[concurrency], time_limit)
            log(f"{name}: {concurrency} concurrent: {measured[concurrency]}")
        rss = process_groups_rss_bytes(cluster.pids())
    except Exception:
        log_tails(system / "logs" / name)
        raise
    finally:
        cluster.stop()
    return {
        "system": name,
        "model": model,
        "train_s": round(train_s, 1),
        "startup_s": round(startup_s, 1),
        "rss_mb": round(rss / 2**20),
        "faq_accuracy": faq_accuracy and round(faq_accuracy, 4),
        "rasa_module": rasa_module,
        "rasa_servers": len(production.rasa_ports) if production else 1,
        "sanic_workers": production.sanic_workers if production else 1,
        "levels": measured,
    }


def log_tails(log_dir: Path, lines: int = 15) -> None:
    """The end of each server's log, when a row fails (the work directory goes with the run)."""
    for path in sorted(log_dir.glob("*.log")):
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        log(f"{path.name}, last lines:\n" + "\n".join(tail))


# Run in a child process: Rasa stays out of the benchmark's own, and so do its import-time warnings.
def measure_production(
    name: str,
    system: Path,
    rasa_servers: int,
    sanic_workers: int,
    requests_per_level: dict,
    time_limit: float,
    trained: tuple[Path, float, float | None],
    smoke: bool,
) -> dict:
    """The production set-up with the project's model on a fresh PostgreSQL database (on the server that
    `make run-prod` uses: DATABASE_URL, else the local one), dropped afterwards; its locks under a prefix
    of their own in the Redis that ACTS_REDIS_URL names."""
    from bot.settings import production_database_url, redis_url

    admin_url = production_database_url()
    if not admin_url.startswith("postgresql"):
        raise RuntimeError("the production rows need PostgreSQL: DATABASE_URL names another database")
    with fresh_database(admin_url, prefix="acts_bench") as database_url:
        create_conversation_tables(database_url)
        ports = Ports(free_port(), free_port(), free_port())  # ports.web: nginx
        rasa_ports = (ports.rasa, *(free_port() for _ in range(rasa_servers - 1)))
        lock_prefix = f"bench{secrets.token_hex(4)}"  # letters and digits only
        production = Production(rasa_ports, free_port(), database_url, redis_url(), sanic_workers, lock_prefix)
        return measure(
            name,
            system,
            requests_per_level,
            time_limit,
            ports,
            is_project=True,
            smoke=smoke,
            trained=trained,
            levels=PRODUCTION_LEVELS,
            production=production,
        )


def flatten(result: dict) -> dict:
    flat = {key: result[key] for key in ("train_s", "startup_s", "rss_mb", "faq_accuracy")}
    for concurrency, level in result["levels"].items():
        for key in ("msg_per_s", "p50_ms", "p95_ms", "p99_ms", "errors"):
            flat[f"{key}@{concurrency}"] = level[key]
    return flat


def ratios(project: dict, stock: dict) -> dict:
    a, b = flatten(project), flatten(stock)
    return {
        key: round(a[key] / b[key], 3) if a[key] is not None and b[key] else None
        for key in a
        if not key.startswith("errors") and key in b  # stock is not measured at 64
    }


def verdict(key: str, ratio: float | None, errors: int = 0) -> str:
    if key.startswith("errors"):
        return "0: met" if not errors else "0: NOT met (a throughput of refusals is no throughput)"
    if key not in TARGETS or ratio is None:
        return ""
    op, bound = TARGETS[key]
    met = ratio >= bound if op == ">=" else ratio <= bound
    return f"{op} {bound:.2f}: {'met' if met else 'NOT met'}"


def cell(flat: dict, key: str):
    return flat[key] if key in flat else "—"  # not measured at that level


def table(project: dict, memory: dict, stock: dict, ratio: dict) -> str:
    a, m, b = flatten(project), flatten(memory), flatten(stock)
    lines = [
        "| measure | project | project, in memory | stock | project / stock | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key in a:
        shown = "" if key.startswith("errors") else ratio.get(key, "")
        errors = (a[key] or 0) + (m[key] or 0) if key.startswith("errors") else 0
        lines.append(
            f"| {key} | {a[key]} | {m[key]} | {cell(b, key)} | {shown} | {verdict(key, ratio.get(key), errors)} |"
        )
    return "\n".join(lines)


def cores() -> int:
    """The cores this run may use (every server, the load generator, PostgreSQL and Redis share them)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def production_ratios(systems: dict[str, dict]) -> dict:
    """The production set-up against stock, against itself with one server, and against the SQLite project:
    each ratio with its target, where issue 22 sets one."""
    flat = {name: flatten(system) for name, system in systems.items()}
    rows = []
    for top, bottom, key in PRODUCTION_RATIOS:
        a, b = flat.get(top, {}).get(key), flat.get(bottom, {}).get(key)  # a smoke run leaves set-ups out
        value = round(a / b, 3) if a is not None and b else None
        row = {"ratio": f"{top} / {bottom}", "measure": key, "value": value}
        if (top, bottom, key) in PRODUCTION_TARGETS:
            op, bound = PRODUCTION_TARGETS[(top, bottom, key)]
            row["target"] = f"{op} {bound:g}"
            row["met"] = None if value is None else value >= bound if op == ">=" else value <= bound
        rows.append(row)
    scaling = ("production-2 / production-1", "msg_per_s@64")
    efficiency = next(row["value"] for row in rows if (row["ratio"], row["measure"]) == scaling)
    return {
        "ratios": rows,
        "scaling_efficiency@64": efficiency,
        "cores": cores(),
        "note": (
            f"scaling efficiency = msg/s of 2 Rasa servers / 1 server at 64 concurrent conversations; this machine has "
            f"{cores()} cores, which the Rasa servers share with the load generator, nginx, PostgreSQL, Redis, the "
            "action server and the web service: a second server adds processes, not cores"
        ),
    }


def production_table(systems: dict[str, dict], compared: dict) -> str:
    """The production set-up's rows beside the SQLite project and stock, then its ratios and targets."""
    setups = [(name, title) for name, *_, title in PRODUCTION_SETUPS if name in systems]
    names = [name for name, _ in setups] + ["project", "stock"]
    titles = [title for _, title in setups] + ["project (SQLite, 1 server)", "stock"]
    flat = {name: flatten(systems[name]) for name in names}
    keys = [f"{key}@{c}" for c in PRODUCTION_LEVELS for key in ("msg_per_s", "p50_ms", "p95_ms", "p99_ms", "errors")]
    lines = [f"| measure | {' | '.join(titles)} | target |", "|---|" + "---:|" * len(names) + "---|"]
    for key in [*keys, "startup_s", "rss_mb"]:
        target = ""
        if key.startswith("errors"):
            errors = sum(flat[name].get(key) or 0 for name, _ in setups)
            target = verdict(key, None, errors)
        lines.append(f"| {key} | {' | '.join(str(cell(flat[name], key)) for name in names)} | {target} |")
    lines += ["", "| ratio | measure | value | target |", "|---|---|---:|---|"]
    for row in compared["ratios"]:
        met = {True: "met", False: "NOT met", None: "not measured"}[row.get("met")]
        target = f"{row['target']}: {met}" if "target" in row else ""
        lines.append(f"| {row['ratio']} | {row['measure']} | {row['value']} | {target} |")
    lines.append(f"\nScaling efficiency at 64: {compared['scaling_efficiency@64']} ({compared['note']}).")
    lines.append("rss_mb: the servers' processes (Rasa, actions, web, nginx); PostgreSQL and Redis not counted.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few requests, one-epoch stock model (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    counts = SMOKE_REQUESTS if args.smoke else FULL_REQUESTS
    time_limit = 30.0 if args.smoke else 180.0
    stock_config_text = SMOKE_STOCK_CONFIG if args.smoke else stock_config()

    with tempfile.TemporaryDirectory(prefix="acts-bench-") as tmp:
        workdir = Path(tmp)
        project_dir = prepare(workdir, "project", (ROOT / "config.yml").read_text())
        stock_dir = prepare(workdir, "stock", stock_config_text)
        # One system at a time, so none competes with another for the CPU.

        def measure_project(name: str, **setup) -> dict:
            """The project on make run's set-up (`setup` changes it), on ports of its own."""
            ports = Ports(free_port(), free_port(), free_port())
            return measure(name, project_dir, counts, time_limit, ports, is_project=True, smoke=args.smoke, **setup)

        project = measure_project("project", levels=PROJECT_LEVELS)
        trained = (project["model"], project["train_s"], project["faq_accuracy"])
        memory = measure_project("project-memory", trained=trained, in_memory=True, levels=PROJECT_LEVELS)
        # What the event broker costs (issue 23): make run's set-up with and without it, alternating.
        broker = broker_cost.compare(
            lambda name, template: measure_project(
                name, trained=trained, levels=(broker_cost.CONCURRENCY,), endpoints_template=template
            )["levels"][broker_cost.CONCURRENCY],
            project_dir,
            rounds=1 if args.smoke else BROKER_ROUNDS,
        )
        log(broker_cost.line(broker))
        production = {
            name: measure_production(name, project_dir, servers, workers, counts, time_limit, trained, args.smoke)
            for name, servers, workers, _ in PRODUCTION_SETUPS
            if not args.smoke or name in SMOKE_PRODUCTION_SETUPS
        }
        stock = measure(
            "stock",
            stock_dir,
            counts,
            time_limit,
            Ports(free_port(), free_port(), free_port()),
            is_project=False,
            smoke=args.smoke,
        )
    ratio = ratios(project, stock)
    systems = {"project": project, "project-memory": memory, **production, "stock": stock}
    compared = production_ratios(systems)
    keys = ("train_s", "startup_s", "rss_mb", "faq_accuracy", "rasa_module", "rasa_servers", "sanic_workers")
    rows = [
        {"system": system["system"], "concurrency": concurrency, **level, **{key: system[key] for key in keys}}
        for system in systems.values()
        for concurrency, level in system["levels"].items()
    ]
    # The staff's report on a day of traffic (issue 23: under 10 s): bench/report_timing.py.
    report = report_timing.measure(500 if args.smoke else 100_000)
    results = {"smoke": args.smoke, "rows": rows, "ratios": ratio, "production": compared, "report": report}
    results["broker"] = broker
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(project, memory, stock, ratio))
    print("\n" + production_table(systems, compared))
    day = f"{report['messages']} messages: {report['report_s']} s (read in: {report['read_in_s']} s)"
    print(f"\nthe staff's report of a day of {day}")
    print(broker_cost.line(broker))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
