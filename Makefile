# One entry point for people and CI. Every target uses the local virtual
# environment built from the pinned files, so a fresh clone needs only Python 3.11.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt constraints.txt pyproject.toml intacct_airflow_provider.py | sha1sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)

.PHONY: venv test test-future-clock test-tools lint docs docs-serve unit demo sandbox airflow bench lock clean

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml intacct_airflow_provider.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	# The project's own metadata: registers the intacct connection type with Airflow (pyproject.toml).
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation .
	@rm -f $(VENV)/.installed-*
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check .

# Most of the suite waits on HTTP, subprocesses and Airflow's loops, so two pytest-xdist workers
# share the 2 cores well; tests that start Airflow's own processes stay together on one of them
# (xdist_group, tests/fixtures/airflow.py). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: lint docs test-tools
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# The documentation site (mkdocs.yml, docs/), built strictly: a broken link or anchor, or a page
# missing from the nav, fails it. Material prints a notice of its end of life (May 2027, see
# requirements.txt) on every build; NO_MKDOCS_2_WARNING=1 keeps it out of the test output.
DOCS_SITE ?= build/site
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(DOCS_SITE)

# The same site on http://127.0.0.1:$(DOCS_PORT), rebuilt on every edit.
DOCS_PORT ?= 8000
docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

# Debian's tools the tests use: headless Chromium and its chromedriver (the browser tests,
# tests/browser), the compose CLI, which validates docker-compose.yaml (no Docker engine needed),
# and Node.js with npm for Sage's JavaScript SDK (tests/conformance), installed from its lock file.
JS_SDK_DIR := tests/conformance/sage_js_sdk
test-tools:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v docker-compose >/dev/null \
		&& command -v node >/dev/null && command -v npm >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			chromium chromium-driver docker-compose nodejs npm; }
	@test -d $(JS_SDK_DIR)/node_modules/@intacct/intacct-sdk || npm ci --prefix $(JS_SDK_DIR) --no-audit --no-fund

# The whole suite with the clock 400 days ahead: no test may depend on today's date.
FAKETIME_OFFSET ?= +400d
test-future-clock: $(STAMP)
	@command -v faketime >/dev/null || apt-get install -y --no-install-recommends faketime
	faketime -f '$(FAKETIME_OFFSET)' $(MAKE) test

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# The main job end to end on the embedded default: sandbox + synthetic ERP + Airflow on SQLite.
# TRANSPORT=rest connects through the sandbox's REST API (OAuth 2.0) instead of its XML gateway.
TRANSPORT ?= xml
demo: $(STAMP)
	$(BIN)/python -m include.devtools.demo run --transport $(TRANSPORT)

# The local Intacct sandbox alone (state in data/sandbox).
SANDBOX_PORT ?= 8790
sandbox: $(STAMP)
	$(BIN)/python -m include.intacct_sandbox serve --host 127.0.0.1 --port $(SANDBOX_PORT) --state-dir data/sandbox

# Airflow with its UI (LocalExecutor, SQLite) and the sandbox; state under data/. A busy port is
# replaced by a free one (printed); ERP_SOURCE_URL / INTEGRATION_DB_URL from the environment win.
AIRFLOW_PORT ?= 8080
airflow: $(STAMP)
	$(BIN)/python -m include.devtools.demo airflow --port $(AIRFLOW_PORT) --transport $(TRANSPORT)

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Regenerate the lock file from a clean install of requirements.txt.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet -r requirements.txt
	.lockvenv/bin/python -m pip freeze --exclude-editable > constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(DOCS_SITE)
