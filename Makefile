# make report / make test / make bench: each creates .venv on a fresh clone if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= reports/latest
PROFILE ?= quick

.PHONY: report test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dask,pep]"
	touch $(STAMP)

# The reliability column of the report: the power benchmark's results, when they exist.
RELIABILITY := $(wildcard benchmarks/results/power.json)

report: $(STAMP)
	$(BIN)/ratecheck report --out $(OUT) --profile $(PROFILE) $(if $(RELIABILITY),--reliability $(RELIABILITY))

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.power --hours 1 && $(BIN)/python -m benchmarks.speed

clean:
	rm -rf $(VENV) reports/latest
