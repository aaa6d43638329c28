# Two commands for a fresh machine with only Python and pip: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint

$(BIN)/labeldesk: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/labeldesk

demo: $(BIN)/labeldesk
	$(BIN)/labeldesk

test: $(BIN)/labeldesk
	$(BIN)/python -m pytest -q -n 2

lint: $(BIN)/labeldesk
	$(BIN)/ruff check tui screens store tests bench

bench: $(BIN)/labeldesk
	$(BIN)/python -m bench
