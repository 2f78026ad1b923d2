# The two commands of the README:  make app  and  make test.
# Both create/update .venv/ (Python 3.11, pinned versions in requirements.lock).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5006
DATA   ?= data_samples

.PHONY: app serve-hosted loadtest test lint format bench venv browser spark clean sample-data lock

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

## Start the dashboard on the sample data (http://localhost:$(PORT)/app; this machine only:
## no log-in, everything allowed — for a team use make serve-hosted)
app: venv
	AANDACHT_DATA=$(DATA) $(BIN)/panel serve app/app.py --port $(PORT) --address 127.0.0.1 \
	  --allow-websocket-origin=localhost:$(PORT) --allow-websocket-origin=127.0.0.1:$(PORT) --num-procs 1

## The dashboard for a team, with log-in: settings and secrets from the environment only
## (AANDACHT_ACCESS, AANDACHT_CREDENTIALS or PANEL_OAUTH_*, AANDACHT_COOKIE_SECRET; docs/hosting.md)
serve-hosted: venv
	PORT=$(PORT) scripts/serve-hosted.sh

## Load test (not part of make test: about 2 minutes): 20 concurrent sessions on 127.0.0.1
loadtest: venv browser
	$(BIN)/python bench/load_test.py --sessions 20 --server-side

## Lint, then the whole test suite (unit, property, CLI, notebooks, browser)
test: venv browser lint
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check aandacht app tests bench notebooks
	$(BIN)/ruff format --check aandacht app tests bench notebooks

format: venv
	$(BIN)/ruff format aandacht app tests bench notebooks
	$(BIN)/ruff check --fix aandacht app tests bench notebooks

## Debian's Chromium for the browser tests (Playwright cannot download a browser here)
browser:
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; \
	else echo "NOTE: no /usr/bin/chromium (apt-get install chromium); browser tests will be skipped"; fi

## Apache Spark as an engine (optional, about 500 MB): Java 17 from Debian and the spark extra
## (pinned in requirements-spark.lock); then --engine pyspark and AANDACHT_SPARK_TESTS=1 work
spark: venv
	@if command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Java 17 (openjdk-17-jre-headless) for Spark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; \
	else echo "Spark needs Java 17: apt-get install openjdk-17-jre-headless (as root)"; exit 1; fi
	$(BIN)/python -m pip install -q -r requirements-spark.lock

## Benchmarks (not part of the tests): 1M and 10M events; results go to docs/performance.md
bench: venv
	$(BIN)/python bench/run.py

## Regenerate the bundled sample data set
sample-data: venv
	$(BIN)/aandacht generate --output data_samples

## Re-pin requirements.lock from the current .venv
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^aandacht' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
