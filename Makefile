# Clout — two commands: `make run` and `make test`. Each sets itself up first, idempotently.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JARS_STAMP := .cache/jars/.resolved
BROWSER_STAMP := .cache/.browser
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
DATE ?= 2026-09-30
SCALE ?= small

.PHONY: setup run test test-fast bench package clean

setup: $(STAMP) $(JARS_STAMP) $(BROWSER_STAMP)

$(STAMP): pyproject.toml
	@echo "[setup] creating virtualenv $(VENV) and installing pinned packages (about a minute)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --progress-bar off -e '.[dev]'
	@touch $(STAMP)
	@echo "[setup] python packages ready"

$(JARS_STAMP): $(STAMP) conf/local.yaml pipelines/core/jars.py
	@echo "[setup] resolving JVM packages from Maven Central into .cache/ (Spark's own Ivy)"
	@$(PY) -m pipelines.core.jars resolve
	@echo "[setup] JVM packages cached; later runs need no network"

# headless Chromium from the distribution's packages: the report's browser test (tests/test_report.py)
$(BROWSER_STAMP):
	@command -v chromium >/dev/null || { echo "[setup] installing chromium (Debian package) for the report's browser test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@mkdir -p .cache && touch $@

run: setup
	@$(VENV)/bin/clout generate --scale $(SCALE) --out data/landing
	@$(VENV)/bin/clout nightly --date $(DATE)

# the whole suite, system tests included, on two workers (tests sharing a nightly run stay on
# one worker: tests/conftest.py); the 15 slowest are listed
test: setup
	@echo "[test] running the test suite (2 workers)"
	@$(PY) -m pytest -q -n 2 --dist loadgroup --durations=15 tests

# unit and contract tests, no whole nightly: the edit loop (under 3 minutes)
test-fast: setup
	@echo "[test] running the fast tests (no system tests)"
	@$(PY) -m pytest -q -n 2 --dist loadgroup --durations=10 -m "not system" tests

bench: setup
	@$(PY) -m benchmarks.run --scale $(SCALE)

package: setup
	@$(PY) -m pipelines.orchestration.package

clean:
	rm -rf data .cache/checkpoints dist
