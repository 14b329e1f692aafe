# eduapp: the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL + Redis pass of `make test` (override to point elsewhere).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install pdf-font run test test-sqlite test-pg test-dates e2e fuzz lint translations extract-messages clean lock lock-check

## Every package pinned with its hashes (requirements/, compiled from pyproject.toml by `make lock`):
## lock.txt the runtime (the Dockerfile), dev-lock.txt with the dev and e2e extras (this venv),
## bench-lock.txt with the bench extra too (docs/performance.md). No resolver runs at install time.
LOCK := requirements/lock.txt
DEV_LOCK := requirements/dev-lock.txt
BENCH_LOCK := requirements/bench-lock.txt

$(BIN)/eduapp: pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/eduapp

install: $(BIN)/eduapp translations pdf-font

## The Chinese font embedded in every PDF (eduapp/pdf_fonts.py): Debian's fonts-wqy-microhei, installed
## here when missing (as root; otherwise the command to run is printed, and a PDF says what is missing).
PDF_FONT_PACKAGE := fonts-wqy-microhei
pdf-font:
	@if [ -n "$$EDUAPP_PDF_FONT" ] || dpkg -s $(PDF_FONT_PACKAGE) >/dev/null 2>&1; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing $(PDF_FONT_PACKAGE) (the Chinese font embedded in PDFs)"; \
	  (apt-get install -y -q $(PDF_FONT_PACKAGE) >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(PDF_FONT_PACKAGE) >/dev/null)); \
	else echo "PDFs need Debian's $(PDF_FONT_PACKAGE): run 'sudo apt-get install $(PDF_FONT_PACKAGE)' (or set EDUAPP_PDF_FONT to a TrueType font)" >&2; fi

## Recompile the locks after changing pyproject.toml's dependencies. uv resolves for every platform on
## Python 3.11 against its default index (never this machine's extra ones), keeping the pins already in
## requirements/ (so a new upstream release changes nothing until the file is edited or removed); each
## lock is constrained by the one before it, so the three agree on every shared package.
## To upgrade everything: `rm requirements/*.txt && make lock`.
UV_COMPILE = $(BIN)/uv pip compile --quiet --no-config --universal --python-version 3.11 --generate-hashes \
  --custom-compile-command "make lock" pyproject.toml
define compile_locks # $(1): where the three files are written (their pins are kept as preferences)
	$(UV_COMPILE) $(UV_FLAGS) -o $(1)/lock.txt
	$(UV_COMPILE) $(UV_FLAGS) --extra dev --extra e2e -c $(LOCK) -o $(1)/dev-lock.txt
	$(UV_COMPILE) $(UV_FLAGS) --extra dev --extra e2e --extra bench -c $(DEV_LOCK) -o $(1)/bench-lock.txt
endef
lock: | $(BIN)/uv
	$(call compile_locks,requirements)

## uv comes pinned with the dev lock (make install); this only serves a venv that lacks it.
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv

## Fails when a lock is stale (pyproject.toml changed, `make lock` not run): compiles copies of the locks
## in a temporary folder and diffs. From uv's cache first (offline, about a second); when that fails or
## differs, from the index, whose answer decides.
lock-check: | $(BIN)/uv
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	compile() { rm -rf "$$tmp/out" && mkdir "$$tmp/out" && cp $(LOCK) $(DEV_LOCK) $(BENCH_LOCK) "$$tmp/out"/ \
	  && $(MAKE) --no-print-directory lock-compile LOCK_OUT="$$tmp/out" UV_FLAGS="$$1"; }; \
	same() { for f in lock.txt dev-lock.txt bench-lock.txt; do cmp -s requirements/$$f "$$tmp/out/$$f" || return 1; done; }; \
	if ! { compile --offline >/dev/null 2>&1 && same; }; then \
	  compile "" || { echo "the locks do not compile from pyproject.toml: run 'make lock' and commit requirements/" >&2; exit 1; }; \
	  for f in lock.txt dev-lock.txt bench-lock.txt; do \
	    diff -u requirements/$$f "$$tmp/out/$$f" || { echo "requirements/$$f is stale: run 'make lock' and commit it" >&2; exit 1; }; \
	  done; \
	fi; echo "make lock-check: requirements/ matches pyproject.toml"

.PHONY: lock-compile
lock-compile:
	$(call compile_locks,$(LOCK_OUT))

translations: $(BIN)/eduapp
	$(BIN)/pybabel -q compile -d eduapp/translations

## Update the catalogs after changing user-facing text (then translate the new entries).
extract-messages: $(BIN)/eduapp
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-location --sort-output --no-wrap -o eduapp/translations/messages.pot .
	$(BIN)/pybabel -q update -N --ignore-obsolete --no-wrap -i eduapp/translations/messages.pot -d eduapp/translations

LAWS_DIR ?= ../shared/laws
LAWS_LOCAL_DIR ?= ../shared/laws-local

run: install
	$(BIN)/eduapp db upgrade
	@if [ -d "$(LAWS_DIR)" ]; then $(BIN)/eduapp laws import "$(LAWS_DIR)" | tail -n 1; \
	else echo "No statutes at $(LAWS_DIR): load a folder of statute Markdown with 'eduapp laws import DIR'."; fi
	@if [ -d "$(LAWS_LOCAL_DIR)" ]; then $(BIN)/eduapp laws import "$(LAWS_LOCAL_DIR)" | tail -n 1; \
	else echo "No local regulations at $(LAWS_LOCAL_DIR)."; fi
	$(BIN)/eduapp questions import question_bank | tail -n 2
	$(BIN)/eduapp demo
	@echo "eduapp is serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/eduapp run --host $(HOST) --port $(PORT)

## Both passes run even when the first fails; the last line reports each, and make fails if either did.
test: install
	@sqlite=0; pg=0; \
	$(MAKE) --no-print-directory test-sqlite || sqlite=$$?; \
	$(MAKE) --no-print-directory test-pg || pg=$$?; \
	verdict() { if [ "$$1" = 0 ]; then echo passed; else echo FAILED; fi; }; \
	echo "make test: SQLite pass $$(verdict $$sqlite); PostgreSQL + Redis pass $$(verdict $$pg)"; \
	[ "$$sqlite" = 0 ] && [ "$$pg" = 0 ]

test-sqlite: install
	$(BIN)/pytest -q

test-pg: install
	EDUAPP_TEST_DATABASE_URL=$(TEST_PG_URL) EDUAPP_TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q

## The SQLite pass on other days: under Debian's faketime (apt-get install faketime) the clock starts at
## each of DATES (UTC; "2027-02-28T23:30") and runs on; the last lines give each date's verdict, and make
## fails if any failed. The defaults: a minute before midnight at the end of February, 00:30 on New Year's
## Day in China (16:30 UTC), midsummer noon. Only the wall clock is faked (FAKETIME_DONT_FAKE_MONOTONIC:
## with a faked monotonic clock Python's timed lock waits hang). PostgreSQL's now() is not faked.
## TESTS="tests/test_x.py …" runs only those.
DATES ?= 2027-02-28T23:30 2027-12-31T16:30 2026-06-30T12:00
TESTS ?=
test-dates: install
	@command -v faketime >/dev/null || { echo "make test-dates needs Debian's faketime: apt-get install faketime" >&2; exit 1; }
	@failed=0; summary=""; \
	for when in $(DATES); do \
	  stamp=$$(TZ=UTC date -d "$$when" '+%Y-%m-%d %H:%M:%S') || exit 2; \
	  echo "=== the SQLite pass at $$stamp UTC (faketime)"; \
	  if TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$$stamp" $(BIN)/pytest -q -p no:cacheprovider $(TESTS); \
	  then verdict=passed; else verdict=FAILED; failed=1; fi; \
	  summary="$$summary  $$stamp UTC: $$verdict"$$'\n'; \
	done; \
	printf 'make test-dates (SQLite pass under faketime):\n%s' "$$summary"; \
	[ "$$failed" = 0 ]

## Browser end-to-end tests (tests/e2e): gunicorn, a Celery worker, PostgreSQL (database eduapp_e2e,
## recreated), Redis (database 12, flushed) and Debian's Chromium at /usr/bin/chromium; screenshots and
## server logs in artifacts/e2e (EDUAPP_ARTIFACTS).
e2e: install
	EDUAPP_E2E=1 $(BIN)/pytest -q -p no:cacheprovider tests/e2e

## Fuzz the JSON API (tests/fuzz): schemathesis, every operation as every demo role, on PostgreSQL; and the
## web pages (tests/fuzz/test_web_fuzz.py): every GET route and query parameter, every form of every page,
## as every demo role and anonymously, with hostile strings (NUL, surrogates, 10^6 characters, huge and
## negative numbers): no 5xx. FUZZ_WEB_SECONDS bounds each role's web run (3 phases: links, GETs, forms).
## Its own database (created when missing), so it can run beside `make test`.
FUZZ_EXAMPLES ?= 15
FUZZ_WEB_SECONDS ?= 24
FUZZ_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_fuzz
fuzz: install
	EDUAPP_FUZZ=1 EDUAPP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) EDUAPP_FUZZ_WEB_SECONDS=$(FUZZ_WEB_SECONDS) \
	  EDUAPP_TEST_DATABASE_URL=$(FUZZ_PG_URL) EDUAPP_TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q -p no:cacheprovider tests/fuzz

lint: install
	$(BIN)/ruff check eduapp tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache build eduapp.egg-info
