# One entry point for people and CI. Every target uses the local virtual
# environment built from the pinned files, so a fresh clone needs only Python 3.11.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt constraints.txt | sha1sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)

.PHONY: venv test test-future-clock lint unit browsers demo sandbox airflow bench lock clean

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check .

test: lint browsers
	$(BIN)/python -m pytest

# The browser tests (tests/browser) drive Debian's headless Chromium through its chromedriver.
browsers:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver; }

# The whole suite with the clock 400 days ahead: no test may depend on today's date.
FAKETIME_OFFSET ?= +400d
test-future-clock: $(STAMP)
	@command -v faketime >/dev/null || apt-get install -y --no-install-recommends faketime
	faketime -f '$(FAKETIME_OFFSET)' $(MAKE) test

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# The main job end to end on the embedded default: sandbox + synthetic ERP + Airflow on SQLite.
demo: $(STAMP)
	$(BIN)/python -m include.devtools.demo run

# The local Intacct sandbox alone (state in data/sandbox).
SANDBOX_PORT ?= 8790
sandbox: $(STAMP)
	$(BIN)/python -m include.intacct_sandbox serve --host 127.0.0.1 --port $(SANDBOX_PORT) --state-dir data/sandbox

# Airflow with its UI (LocalExecutor, SQLite) and the sandbox; state under data/.
AIRFLOW_PORT ?= 8080
airflow: $(STAMP)
	$(BIN)/python -m include.devtools.demo airflow --port $(AIRFLOW_PORT)

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Regenerate the lock file from a clean install of requirements.txt.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet -r requirements.txt
	.lockvenv/bin/python -m pip freeze --exclude-editable > constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
