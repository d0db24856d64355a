# Pantau: the two commands are `make run` and `make test`; each does its own set-up on a fresh machine.
#
#   make run    virtual environment, install, compile translations, migrate, seed the demo, serve
#   make test   the same set-up with the dev tools, then ruff and the import layers (import-linter), pytest
#               on SQLite, pytest on a throwaway PostgreSQL, and the browser tests in headless Chromium
#
# Environment: PORT (default 5000), DATABASE_URL (default SQLite in instance/), PYTHON (default python3),
# CI=true turns every "warn and skip" below into a failure.

SHELL := /bin/bash
.DEFAULT_GOAL := help
# Phases must run in the order they are listed, even under `make -j`.
.NOTPARALLEL:

PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Without PANTAU_ENV the app runs the production configuration; `make run` is the development server.
FLASK := PANTAU_ENV=$${PANTAU_ENV:-development} $(BIN)/flask --app wsgi
CHROMIUM := /usr/bin/chromium
# Stamps live inside the venv, so deleting .venv forgets them; pip runs again only when a requirements
# file is newer than its stamp.
STAMP_RUN := $(VENV)/.installed-requirements
STAMP_DEV := $(VENV)/.installed-requirements-dev

# $(call timed,LABEL,COMMAND): run COMMAND, then say how long it took; keeps COMMAND's exit code.
timed = t0=$$(date +%s); $(2); rc=$$?; echo "=== $(1): $$(( $$(date +%s) - t0 ))s (exit $$rc)"; exit $$rc

.PHONY: help run serve setup setup-dev translations migrate seed logins test lint test-engines test-sqlite test-postgres \
	chromium test-browser bench soak i18n-extract i18n-update clean distclean

help:
	@echo "make run        set up, migrate, seed the demo and serve at http://127.0.0.1:$(PORT)"
	@echo "make test       set up, then ruff, pytest on SQLite and PostgreSQL, and the browser tests"
	@echo "make logins     print the demo logins"
	@echo "make bench      run every bench/*.py (SQLite, and a throwaway PostgreSQL)"
	@echo "make soak       about 2 minutes: gunicorn (4 workers) on a throwaway PostgreSQL, 50 clients, faults"
	@echo "make i18n-extract / i18n-update   refresh the message catalogue from the code"
	@echo "make clean      remove caches, build output and compiled catalogues (keeps .venv and instance/)"
	@echo "make distclean  clean, and remove .venv too"

# --- set-up ---------------------------------------------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pantau needs Python 3.11 or newer, found " + sys.version.split()[0] + ": run with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(STAMP_RUN)

# The catalogue may not exist yet (or hold no .po file): then the interface shows the English msgids.
translations: $(STAMP_RUN)
	@if [ -d app/translations ] && find app/translations -name '*.po' | grep -q .; then \
		$(BIN)/pybabel compile --domain=messages -d app/translations; \
	else \
		echo "No translation catalogue (app/translations/*/LC_MESSAGES/*.po) yet: the interface stays in English."; \
	fi

migrate: $(STAMP_RUN)
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

setup: $(STAMP_RUN) translations migrate seed

setup-dev: $(STAMP_DEV) setup

logins:
	@echo "----------------------------------------------------------------------------------------"
	@echo " Demo logins at http://127.0.0.1:$(PORT)/login, all with the password  pantau-demo"
	@echo "   admin@pantau.test            administrator (users, catalogue, closures, settings)"
	@echo "   petugas@pantau.test          DPMPTSP officer, whole province"
	@echo "   petugas.serang@pantau.test   DPMPTSP officer, Kota Serang only"
	@echo "   gubernur@pantau.test         governor's office (reads everything, changes nothing)"
	@echo "   jdi@pantau.test              investor: PT Jaya Dinasti Indonesia"
	@echo "   investor@pantau.test         investor: PT Agro Park Pasar Kemis (fictional)"
	@echo "----------------------------------------------------------------------------------------"

# --- the two commands -----------------------------------------------------------------------------

run: setup logins serve

# The development server runs the scheduler in this one process (production: `flask --app wsgi scheduler run`).
serve: $(STAMP_RUN)
	$(FLASK) serve --host 127.0.0.1 --port $(PORT)  # the development server, with the scheduler inside it

test: setup-dev lint test-engines test-browser
	@echo "=== make test: every phase passed"

# The SQLite and PostgreSQL phases share nothing (each its own databases, the PostgreSQL one its own cluster on a
# free port): they run side by side, one core each (.NOTPARALLEL rules out make -j here), each into its log in
# build/, printed whole when the phase ends; a failure in either fails this.
test-engines: $(STAMP_DEV)
	@mkdir -p build; \
	$(MAKE) --no-print-directory test-sqlite > build/test-sqlite.log 2>&1 & sqlite=$$!; \
	$(MAKE) --no-print-directory test-postgres > build/test-postgres.log 2>&1 & postgres=$$!; \
	trap 'kill $$sqlite $$postgres 2>/dev/null' INT TERM; \
	wait $$sqlite; rc_sqlite=$$?; cat build/test-sqlite.log; \
	wait $$postgres; rc_postgres=$$?; cat build/test-postgres.log; \
	[ $$rc_sqlite = 0 ] && [ $$rc_postgres = 0 ]

lint: $(STAMP_DEV)
	@$(call timed,ruff and the import layers,$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache)

test-sqlite: $(STAMP_DEV)
	@$(call timed,pytest on SQLite,PANTAU_ENV=testing $(BIN)/pytest -m "not browser")

test-postgres: $(STAMP_DEV)
	@$(call timed,pytest on PostgreSQL,PANTAU_ENV=testing bash tests/with_postgres.sh $(BIN)/pytest -m "not browser")

# Debian's Chromium, driven by Playwright through executable_path. Never `playwright install`: it
# downloads a browser build, which this project's machines cannot fetch.
chromium:
	@if [ -x $(CHROMIUM) ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	elif [ "$$CI" = true ]; then \
		echo "$(CHROMIUM) is missing and this is not root: install Debian's chromium package." >&2; exit 1; \
	else \
		echo "!! WARNING: $(CHROMIUM) is missing (sudo apt-get install chromium); the browser tests will be SKIPPED." >&2; \
	fi

test-browser: $(STAMP_DEV) chromium
	@$(call timed,browser tests,PANTAU_ENV=testing $(BIN)/pytest -m browser)

# --- other tools ----------------------------------------------------------------------------------

# Every bench/*.py script (not the soak, nor the modules the scripts share: served, kept, floor_app), inside a
# throwaway PostgreSQL cluster (TEST_DATABASE_URL) so that the benchmarks that take a PostgreSQL URL measure it
# too; without PostgreSQL they run on SQLite only (CI=true: a failure). Every script runs, the ones that missed their
# target (or failed) are named at the end, and the exit status is then 1.
BENCH_ALL := missed=""; for f in bench/*.py; do case "$$f" in bench/soak*.py|bench/served.py|bench/kept.py|bench/floor_app.py) continue;; esac; echo "=== $$f"; $(PY) "$$f" || missed="$$missed $$f"; done; if [ -n "$$missed" ]; then echo "=== missed or failed:$$missed"; exit 1; fi

bench: $(STAMP_DEV)
	@if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null; then \
		bash tests/with_postgres.sh bash -c '$(BENCH_ALL)'; \
	elif [ "$$CI" = true ]; then \
		echo "PostgreSQL (initdb, pg_ctl, postgres) is not on PATH: make bench must measure it." >&2; exit 1; \
	else \
		echo "!! WARNING: PostgreSQL not found: the benchmarks run on SQLite only." >&2; $(BENCH_ALL); \
	fi

# Not part of `make test` or `make bench`: a worker SIGKILLed, PostgreSQL restarted and the stall scan SIGKILLed
# under 50 clients for 60 s, on 127.0.0.1 only (bench/README.md). Writes bench/results/soak-<date>.json and .txt.
soak: $(STAMP_DEV) translations
	@if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null; then \
		$(call timed,soak,bash tests/with_postgres.sh $(PY) bench/soak.py); \
	else \
		echo "make soak needs PostgreSQL 15 (initdb, pg_ctl, postgres on PATH)." >&2; exit 1; \
	fi

i18n-extract: $(STAMP_RUN)
	@mkdir -p app/translations
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* ._ build node_modules' \
		--add-comments=Translators: --project=Pantau --sort-by-file -o app/translations/messages.pot .

# Merge new msgids into the Indonesian catalogue (created on first use); then translate and `make run`.
i18n-update: i18n-extract
	@if [ -f app/translations/id/LC_MESSAGES/messages.po ]; then \
		$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations; \
	else \
		$(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l id; \
	fi

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find app/translations -name '*.mo' -delete 2>/dev/null || true

distclean: clean
	rm -rf $(VENV)
