# The interface: `make demo`, `make test`, `make ui` (see README). Everything else is a step.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export WAREHOUSE_DIR ?= $(CURDIR)/warehouse
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DAGSTER_HOME ?= $(abspath $(WAREHOUSE_DIR))/dagster_home
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -name '*.sql' -o -name '*.yml' | grep -v '/target/')

.PHONY: setup setup-spark prepare demo test test-fast test-no-shims lint mutate ui bench bench-large bench-engines clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

# Dagster's own processes (webserver, daemon, run workers) load the instance's event log class
# (pipelines.compat) before any code location, and pipelines/bin/dbt starts pipelines.dbt_child:
# the repository is on the venv's import path, as an editable install would put it.
$(BIN)/.repo-on-path: $(BIN)/.installed
	$(BIN)/python -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "smallcap_warehouse.pth").write_text(sys.argv[1] + "\n")' "$(CURDIR)"
	touch $@

setup: $(BIN)/.installed $(BIN)/.repo-on-path

# The Spark engine (WAREHOUSE_ENGINE=spark, docs/scale-out.md): pyspark and dbt-spark, pinned in
# their own lock file, ~600 MB; Java 17 must be on the machine. The parity test needs them.
$(BIN)/.spark-installed: $(BIN)/.installed requirements-spark.lock
	$(BIN)/python -m pip install --quiet -r requirements-spark.lock
	touch $@

setup-spark: setup $(BIN)/.spark-installed

# The dbt manifest is built here, once, so loading the Dagster definitions never parses dbt. The
# asset graph is the same on both engines: parsed on the default one, so that Spark's packages
# are not needed for it (a Spark build parses again with its own target).
$(MANIFEST): $(BIN)/.installed $(BIN)/.repo-on-path $(DBT_SOURCES)
	mkdir -p $(WAREHOUSE_DIR)
	cd dbt_project && WAREHOUSE_ENGINE=duckdb ../$(BIN)/dbt parse --quiet
	touch $@

# The dashboard's Vega bundle depends only on installed package versions: built once here too.
$(VENV)/.vega-bundle: $(BIN)/.installed $(BIN)/.repo-on-path
	$(BIN)/python -c 'from pipelines.dashboard.page import prepare_vega_bundle; prepare_vega_bundle()'
	touch $@

prepare: $(MANIFEST) $(VENV)/.vega-bundle

demo: prepare
	$(BIN)/python -m pipelines.run

# Two pytest-xdist workers, each module whole on one (tests/conftest.py, docs/testing.md).
WORKERS ?= -n 2 --dist loadgroup

# Lint first (about a minute): a lint failure stops the run before the suite (about 16 minutes on two workers).
test: prepare setup-spark lint
	$(BIN)/python -m pytest -q -rs $(WORKERS)

# The tests that run no warehouse (loaders, gates, parsers, contract, corpus): about 90 s on 2 cores.
test-fast: prepare
	$(BIN)/python -m pytest -q -rs -m "not warehouse"

# The whole suite on the libraries as shipped, every shim of pipelines/compat.py off: what to run
# first when upgrading Dagster, dagster-dbt or Great Expectations (docs/upgrading.md).
test-no-shims: prepare
	WAREHOUSE_COMPAT_SHIMS=off $(BIN)/python -m pytest -q -rs $(WORKERS)

# Ruff (lint, then the formatter's check) on every Python file; sqlfluff with the dbt templater on
# the dbt models (configured in pyproject.toml and .sqlfluff). Not the macros: the dbt templater
# skips macro files, and a macro's expansion is parsed in each model that calls it. sqlfluff
# renders the models with dbt, hence `prepare` (the profile reads WAREHOUSE_DIR, exported above).
lint: prepare
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# sqlfluff's worker pool leaves a semaphore to Python's resource tracker, which warns about it at exit.
	PYTHONWARNINGS="ignore:resource_tracker:UserWarning" $(BIN)/sqlfluff lint dbt_project/models

# Not part of `make test` (it takes tens of minutes): each mutation of tests/mutations.py must
# make its tests fail. Some of them: make mutate MUTATE_ARGS="--only relative_strength_inverted"
MUTATE_ARGS ?=
mutate: prepare
	$(BIN)/python -m tests.mutate $(MUTATE_ARGS)

# pipelines.ui is `dagster dev -w workspace.yaml` with SIGINT back to its default, so Ctrl-C ends it
# even when `make ui` was started in the background of a script (which starts it with SIGINT ignored).
UI_PORT ?= 3000
ui: prepare
	$(BIN)/python -m pipelines.instance >/dev/null
	$(BIN)/python -m pipelines.ui -h 127.0.0.1 -p $(UI_PORT)

clean:
	rm -rf $(WAREHOUSE_DIR) dbt_project/target dbt_project/logs

# 2,000 small + 1,000 large companies x 10 years (7.5 M price rows); bench-large: 9,000 + 3,000 (30 M).
# Other sizes: make bench BENCH_ARGS="--small 200 --large 100 --years 3"
BENCH_ARGS ?=
bench: prepare
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-large: prepare
	$(BIN)/python -m bench.run --size large $(BENCH_ARGS)

# The same market on each engine (WAREHOUSE_ENGINE): full build, incremental day, Spark's start cost.
bench-engines: prepare setup-spark
	$(BIN)/python -m bench.engines $(BENCH_ARGS)
