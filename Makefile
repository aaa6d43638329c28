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
	$(BIN)/python -m pytest -q -n 4 -rs --durations=15

# ruff; import-linter (layers tui -> screens -> store, a headless store: [tool.importlinter]);
# mypy (strict for store/, screens/ and tui/; tests/ and bench/ checked too: [tool.mypy]). CI runs it before the tests.
lint: $(BIN)/labeldesk
	$(BIN)/ruff check tui screens store tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(BIN)/labeldesk
	$(BIN)/python -m bench
