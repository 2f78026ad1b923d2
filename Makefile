# The two commands of the README:  make app  and  make test.
# Both create/update .venv/ (Python 3.11) with pinned versions: make app the library and the
# dashboard (requirements.lock), make test also the test tools (requirements-dev.lock); the
# optional extras have locks of their own (make notebooks, make spark).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
NBS    := $(VENV)/.installed-notebooks
PORT   ?= 5006
NB_PORT ?= 8888
DATA   ?= data_samples
# uv installs the pinned locks in seconds (pip took minutes); if uv cannot be installed, pip does
UV_VERSION := 0.13.9
UV     := $(BIN)/uv
# $(call install,ARGS): uv pip install ARGS into the venv, or pip when there is no uv
install = if [ -x $(UV) ]; then $(UV) pip install --quiet --python $(BIN)/python $(1); \
  else $(BIN)/python -m pip install --quiet --disable-pip-version-check $(1); fi

.PHONY: app serve-hosted loadtest test lint format bench venv dev-venv browser spark clean \
  sample-data lock notebooks notebooks-venv

venv: $(STAMP)
dev-venv: $(DEV)

$(BIN)/python:
	@echo "[1/3] creating $(VENV) ($(PYTHON))"
	@$(PYTHON) -m venv $(VENV)

# The pip of a new venv installs uv; its output is shown only when it fails
$(VENV)/.uv: | $(BIN)/python
	@echo "[2/3] installing the installer (uv $(UV_VERSION))"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) \
	  >$(VENV)/uv-install.log 2>&1 \
	  || { cat $(VENV)/uv-install.log; echo "no uv: pip installs the packages (slower)"; }
	@touch $@

$(STAMP): pyproject.toml requirements.lock | $(VENV)/.uv
	@echo "[3/3] installing the library and the dashboard (requirements.lock)"
	@$(call install,-r requirements.lock)
	@$(call install,--no-deps -e .)
	@touch $@

$(DEV): $(STAMP) requirements-dev.lock
	@echo "installing the test tools (requirements-dev.lock)"
	@$(call install,-r requirements.lock -r requirements-dev.lock)
	@touch $@

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
loadtest: dev-venv browser
	$(BIN)/python bench/load_test.py --sessions 20 --server-side

## Lint, then the whole test suite (unit, property, CLI, notebooks, browser)
test: dev-venv browser lint
	$(BIN)/python -m pytest -q

lint: dev-venv
	$(BIN)/ruff check aandacht app tests bench notebooks
	$(BIN)/ruff format --check aandacht app tests bench notebooks

format: dev-venv
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
	@echo "installing PySpark (requirements-spark.lock)"
	@$(call install,-r requirements-spark.lock)

## Benchmarks (not part of the tests): 1M and 10M events; results go to docs/performance.md
bench: dev-venv
	$(BIN)/python bench/run.py

## Regenerate the bundled sample data set
sample-data: venv
	$(BIN)/aandacht generate --output data_samples

## JupyterLab with jupytext on the bundled data: the notebooks/*.py scripts open as notebooks
## (optional, pinned in requirements-notebooks.lock; http://localhost:$(NB_PORT)/lab)
notebooks: notebooks-venv
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 --port $(NB_PORT) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

notebooks-venv: $(NBS)

# overrides.json: JupyterLab's defaults for this venv only (a double click opens a .py script
# as a notebook); the user's own settings still win
$(NBS): $(DEV) requirements-notebooks.lock notebooks/jupyterlab-overrides.json
	@echo "installing JupyterLab and jupytext (requirements-notebooks.lock)"
	@$(call install,-r requirements.lock -r requirements-dev.lock -r requirements-notebooks.lock)
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp notebooks/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

## Re-pin the locks from pyproject.toml (with uv; existing pins are kept where they still fit,
## uv's --upgrade in UV_LOCK_FLAGS takes the newest): requirements.lock = library + app,
## requirements-dev.lock = what dev adds, requirements-notebooks.lock = what notebooks adds
lock: $(VENV)/.uv
	@test -x $(UV) || { echo "make lock needs uv"; exit 1; }
	$(UV) pip compile -q $(UV_LOCK_FLAGS) --no-header --no-annotate pyproject.toml \
	  --extra app -o requirements.lock
	cat requirements.lock requirements-dev.lock > $(VENV)/dev.lock
	$(UV) pip compile -q $(UV_LOCK_FLAGS) --no-header --no-annotate pyproject.toml \
	  --extra app --extra dev -c requirements.lock -o $(VENV)/dev.lock
	grep -vxF -f requirements.lock $(VENV)/dev.lock > requirements-dev.lock
	cat $(VENV)/dev.lock requirements-notebooks.lock > $(VENV)/nb.lock
	$(UV) pip compile -q $(UV_LOCK_FLAGS) --no-header --no-annotate pyproject.toml \
	  --extra app --extra dev --extra notebooks -c $(VENV)/dev.lock -o $(VENV)/nb.lock
	grep -vxF -f $(VENV)/dev.lock $(VENV)/nb.lock > requirements-notebooks.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
