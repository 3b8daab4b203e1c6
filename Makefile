# Every target works on a fresh clone: the first one run creates .venv and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test bench lint format browser bytecode

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The project's own modules compiled ahead, as pip compiles an installed wheel's: an editable install leaves that to
# the first import, and where PYTHONDONTWRITEBYTECODE is set (many containers) every process start would compile them
# again (about 0.2 s of `sst-dev start`, docs/benchmarks.md). Up-to-date files are skipped.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q devserver emulator

dev: bytecode
	$(BIN)/sst-dev start --app sample_app

# Three test processes, one file each at a time (docs/development.md).
test: bytecode browser
	$(BIN)/python -m pytest -n 3 --dist loadfile

# The Console's browser tests drive Debian's chromium (no browser download works offline). Installing it needs
# root; without it the browser tests skip outside CI and fail in CI.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: the browser tests will skip (outside CI) or fail (in CI)"

bench: bytecode
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
