# qoffice — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DEMO_HOME := $(CURDIR)/demo
PYTEST_ARGS ?=

.PHONY: bootstrap run test test-fast lint start-sql bench dist windows-installer demo screenshots clean i18n

bootstrap:
	@tools/bootstrap.sh

demo: bootstrap
	@mkdir -p $(DEMO_HOME)
	@if [ ! -f $(DEMO_HOME)/qoffice.db ]; then \
	  QOFFICE_HOME=$(DEMO_HOME) $(PY) -m qoffice demo-data --enterprises 2000 --seed 1; fi

run: demo
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ] && [ -z "$$QT_QPA_PLATFORM" ]; then \
	  echo "没有图形显示 (no display). Run it under a virtual screen:  xvfb-run -a make run"; exit 1; fi
	QOFFICE_HOME=$(DEMO_HOME) $(PY) -m qoffice --db $(DEMO_HOME)/qoffice.db

# The linters run inside the suite too (tests/test_architecture.py): ruff and the import-linter
# contracts of pyproject.toml, so `make test` fails on a broken layer or a lint error.
test: bootstrap
	QOFFICE_REQUIRE_PG=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

test-fast: bootstrap
	QOFFICE_REQUIRE_PG=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# The enterprise list's start SQL, generated from its definition (tests/test_start_sql.py: fresh).
start-sql: bootstrap
	QT_QPA_PLATFORM=offscreen $(PY) tools/gen_start_sql.py

bench: bootstrap
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

dist: bootstrap
	$(PY) -m PyInstaller --noconfirm --clean build.spec

windows-installer: bootstrap
	packaging/windows/build.sh

i18n: bootstrap
	$(PY) -m qoffice.i18n_build --extract

clean:
	rm -rf build dist
