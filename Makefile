# The README's quick start is these two targets.
#   make run   -- set up .venv and generate a pipeline from an example requirement (offline)
#   make test  -- set up .venv with dev extras and run lint, types and the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXAMPLE ?= examples/fraud_xgboost_e2e.txt
OUT    ?= out/fraud_xgboost_e2e

.PHONY: run test venv dev lint typecheck pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]" "torch==2.13.0"

run: venv
	$(BIN)/sagewright generate --requirement-file $(EXAMPLE) --out $(OUT) --yes

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest -n 2

test: dev lint typecheck pytest

clean:
	rm -rf $(VENV) out .mypy_cache .pytest_cache .ruff_cache
