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

# uv installs the pinned packages in parallel, from its cache after the first time (a fresh
# clone's set-up: ~40 s against pip's ~100 s, README); pip does it if uv cannot be had.
# UV_SYSTEM_CERTS: uv trusts the system's certificates, as pip does here. --compile-bytecode: pip
# compiles the packages' .pyc at install and uv does not; where PYTHONDONTWRITEBYTECODE is set
# (this machine) every Python process would compile pyspark, pandas... again (make test-fast
# 3:18 without, 2:42 with, 2026-12-01).
$(STAMP): pyproject.toml
	@echo "[setup] creating virtualenv $(VENV) and installing pinned packages (under a minute)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@{ $(PY) -m pip install --quiet uv==0.13.9 && UV_SYSTEM_CERTS=1 $(VENV)/bin/uv pip install --compile-bytecode --python $(PY) -e '.[dev]'; } \
	  || { echo "[setup] uv failed: installing with pip"; $(PY) -m pip install --progress-bar off -e '.[dev]'; }
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

# the whole suite, system tests included: two pytest processes at once, one for the tests that
# read the e2e reference run (it runs once) and a few modules placed beside them to even out the
# two (tests/conftest.py: BESIDE_E2E_RUN), one for the rest; each lists its 15 slowest tests
test: setup
	@echo "[test] running the test suite: the tests on the e2e run and the rest, at once"
	@mkdir -p .cache; \
	$(PY) -m pytest -q -p no:cacheprovider --basetemp=.cache/pytest-e2e -m "e2e_run" --durations=15 tests \
	  > .cache/test-e2e.log 2>&1 & e2e=$$!; \
	$(PY) -m pytest -q -p no:cacheprovider --basetemp=.cache/pytest-rest -m "not e2e_run" --durations=15 tests; \
	rest=$$?; wait $$e2e; on_e2e=$$?; \
	echo "[test] the tests on the e2e run:"; cat .cache/test-e2e.log; \
	echo "[test] exit codes: rest $$rest, tests on the e2e run $$on_e2e"; \
	test $$rest -eq 0 && test $$on_e2e -eq 0

# unit and contract tests, no whole nightly: the edit loop (target under 3 minutes: 2:27, 2:48 and 2:39 on fresh clones since bf546fc, 2:42 to 3:49 before, with the host's speed; docs/capacity.md, "The suite on fresh clones")
test-fast: setup
	@echo "[test] running the fast tests (no system tests)"
	@$(PY) -m pytest -q -p no:cacheprovider --durations=10 -m "not system" tests

bench: setup
	@$(PY) -m benchmarks.run --scale $(SCALE)

package: setup
	@$(PY) -m pipelines.orchestration.package

clean:
	rm -rf data .cache/checkpoints dist
