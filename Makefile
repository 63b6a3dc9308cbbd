# The ACTS badge assistant. A newcomer needs two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(PY) -m rasa
MODEL  := models/acts.tar.gz
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PYTHON_VERSION := $(shell cat .python-version)

# Rasa is private by default here: no telemetry, quiet TensorFlow.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

# The interpreter the venv is built from: pyenv's pinned version, else python3.10 on PATH.
BASE_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python3) $(shell command -v python3.10))

FAQ_RESPONSES := data/nlu/faq_responses.yml
TRAINING_INPUTS := config.yml domain.yml $(FAQ_RESPONSES) $(shell find data -name '*.yml' 2>/dev/null) $(wildcard rasa_plugins/nlu/*.py)

.PHONY: help install install-dev train run run-prod nginx shell test check lint validate browser bench eval report lock clean

help:
	@echo "make run    install if needed, train if the model is stale, start the assistant"
	@echo "make test   install if needed, train if needed, run the whole test suite"
	@echo "make check  the fast inner loop: lint, data validation and the unit tests (no model, no servers)"
	@echo "make run-prod  several Rasa servers on PostgreSQL and Redis behind nginx (docs/production.md)"
	@echo "make train  (re)train the model if data or config changed"
	@echo "make shell  talk to the assistant in the terminal (needs the action server: make run)"
	@echo "make eval   score the answers to real learners' questions, traps and paraphrases (docs/evaluation.md)"
	@echo "make report what learners asked and where they gave up, as var/report.html (docs/insights.md)"
	@echo "make bench  measure this assistant against stock Rasa (20-35 minutes, most of it training stock Rasa)"

install: $(STAMP)

$(STAMP): requirements.txt constraints.txt .python-version package-lock.json
	@test -n "$(BASE_PYTHON)" || { echo "Python $(PYTHON_VERSION) not found (pyenv install $(PYTHON_VERSION))"; exit 1; }
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	sed -n 's/^#no-deps: //p' requirements.txt > $(VENV)/no-deps.txt  # requirements.txt says why
	$(PY) -m pip install --quiet --no-deps -r $(VENV)/no-deps.txt
	@command -v npm >/dev/null || { echo "The chat widget needs Node 20 and npm (https://nodejs.org)"; exit 1; }
	npm ci --no-audit --no-fund  # the website widget's chat component, exactly as package-lock.json pins it
	@touch $@

# Test and development tools (pytest, ruff, playwright ...), beside what runs the assistant.
install-dev: $(DEV_STAMP)

$(DEV_STAMP): requirements-dev.txt constraints.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

train: $(MODEL)

# The FAQ answers are edited in bot/content/faq.yml; Rasa reads them as responses.
$(FAQ_RESPONSES): bot/content/faq.yml bot/answers/faq.py bot/answers/responses.py | $(STAMP)
	$(PY) -m bot.answers.responses $@

# Retrain only when the training data or configuration changed.
$(MODEL): $(TRAINING_INPUTS) | $(STAMP)
	$(RASA) train --config config.yml --domain domain.yml --data data --out models --fixed-model-name acts
	@touch $@

run: $(MODEL)
	$(PY) -m launcher

# The production set-up on this machine: ACTS_RASA_SERVERS Rasa servers (2) on PostgreSQL and Redis
# behind nginx on port 8080 (docs/production.md). DATABASE_URL and ACTS_REDIS_URL name them elsewhere.
run-prod: $(MODEL) nginx
	$(PY) -m launcher --production

# nginx from Debian's packages, for the production set-up and its tests.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; \
	  else echo "The production set-up needs nginx: sudo apt-get install nginx"; exit 1; fi; }

shell: $(MODEL)
	$(RASA) shell --model $(MODEL) --port 5006 --endpoints "$$($(PY) -m launcher --shell-endpoints)"  # 5005 belongs to `make run`

test: $(MODEL) $(DEV_STAMP) lint validate browser nginx
	$(PY) -m pytest tests

# The inner loop while changing code: what `make test` runs first, then tests/unit (no trained model,
# no servers of their own) on two workers, on SQLite only: their PostgreSQL twins, like the model, e2e
# and browser tests, run in `make test`, which stays the whole suite.
check: lint validate
	$(PY) -m pytest -q -n 2 -m "not postgresql" tests/unit

# Style and formatting: fix what it finds (`.venv/bin/ruff check --fix . && .venv/bin/ruff format .`).
lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Training-data conflicts (stories vs rules, unknown intents or actions) fail early.
validate: $(STAMP) $(FAQ_RESPONSES)
	$(RASA) data validate --config config.yml --domain domain.yml --data data --fail-on-warnings

# The browser tests need Debian's Chromium; browser builds cannot be downloaded here.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; fi; }

# Trains both systems itself, from copies of the data; the first run also builds .venv-stock.
bench: $(STAMP) $(FAQ_RESPONSES) nginx
	$(PY) -m bench

# Real learners' questions (../shared/eval), out-of-scope traps and FAQ paraphrases, first reply only,
# against a freshly started assistant (or a running one: make eval EVAL_ARGS="--url http://localhost:5005").
eval: $(MODEL)
	$(PY) -m eval $(EVAL_ARGS)

# What learners asked and where they gave up, for ACTS staff: var/report.html (docs/insights.md).
report: $(STAMP)
	$(PY) -m bot.insights report $(REPORT_ARGS)

lock: $(DEV_STAMP)
	( echo "# Every package of the environment, pinned; generated by 'make lock' from requirements*.txt."; \
	  $(PY) -m pip freeze --exclude-editable | grep -v "^pip==\|^setuptools==\|^wheel==" ) > constraints.txt

clean:
	rm -rf models results .pytest_cache .venv-stock
