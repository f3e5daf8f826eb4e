# The two commands of the README: `make run` and `make test`. Everything they need is
# installed by them: uv (into .tools/), the locked Python dependencies (into .venv/), and
# the Debian packages the tests use.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# The broker URL as the app reads it (.env included), empty on the embedded default: `run`
# starts Celery by it. Settings only, in plain Python: `manage.py shell -c` would also print
# its start-up banner ("60 objects imported automatically"), taken for the URL.
READ_BROKER_URL = $(PY) -c 'import os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traffick_cm.settings"); from django.conf import settings; print(settings.CELERY_BROKER_URL)'

.PHONY: run broker-url test lint install check-python worker messages clean bench bench-smoke

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "Python 3.11 or newer is needed (PYTHON=$(PYTHON))."; exit 1; }

.tools/bin/uv: | check-python
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

install: check-python $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --locked --python $(PYTHON) --quiet

run: install
	@bin/ensure-debian-packages libpango-1.0-0:/usr/lib/*/libpango-1.0.so.0 \
	  libpangoft2-1.0-0:/usr/lib/*/libpangoft2-1.0.so.0 \
	  libharfbuzz-subset0:/usr/lib/*/libharfbuzz-subset.so.0 \
	  fonts-dejavu-core:/usr/share/fonts/truetype/dejavu
	@bin/write-dot-env $(PY)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_schedules
	$(PY) manage.py seed_demo
	@broker=$$($(READ_BROKER_URL)) || exit 1; \
	pids=""; mkdir -p var; \
	trap '[ -n "$$pids" ] && kill $$pids 2>/dev/null' EXIT INT TERM; \
	if [ -n "$$broker" ]; then \
	  .venv/bin/celery -A traffick_cm worker -Q celery,reports,notifications --loglevel INFO & pids="$$pids $$!"; \
	  .venv/bin/celery -A traffick_cm beat --loglevel INFO & pids="$$pids $$!"; \
	  echo "Celery worker and beat started on $$broker."; \
	else \
	  .venv/bin/celery -A traffick_cm beat --loglevel INFO & pids="$$pids $$!"; \
	  echo "No CELERY_BROKER_URL: Celery beat started alone; the periodic tasks run in its process, the others in the web server's."; \
	fi; \
	echo "Open http://127.0.0.1:8000 and sign in as a demo user (see above)."; \
	$(PY) manage.py runserver 127.0.0.1:8000

broker-url:
	@$(READ_BROKER_URL)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m djlint templates --lint
	.venv/bin/lint-imports --no-cache
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) bin/check-translations

SYSTEM_PACKAGES := chromium:/usr/bin/chromium gettext:msgfmt \
	libpango-1.0-0:/usr/lib/*/libpango-1.0.so.0 libpangoft2-1.0-0:/usr/lib/*/libpangoft2-1.0.so.0 \
	libharfbuzz-subset0:/usr/lib/*/libharfbuzz-subset.so.0 fonts-dejavu-core:/usr/share/fonts/truetype/dejavu

test: install lint
	@bin/ensure-debian-packages $(SYSTEM_PACKAGES)
	$(PY) -m pytest -n 2 --durations=15

# The scale benchmark (issue: one million cases on one small server). Needs PostgreSQL:
# BENCH_DATABASE_URL (default: a traffick_cm_bench database on the local server), rebuilt.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/traffick_cm_bench
BENCH_CASES ?= 1000000
BENCH_ENV = BENCHMARK_TOOLS=1 DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 HTTPS=0 DJANGO_READ_DOT_ENV_FILE=0 \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver SITE_URL=http://127.0.0.1:8000 \
	SECRET_KEY=benchmark-only-$$($(PY) -c 'import secrets; print(secrets.token_hex(16))') \
	FIELD_ENCRYPTION_KEY=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')

bench: install
	@$(PY) bin/recreate-database $(BENCH_DATABASE_URL)
	@export $(BENCH_ENV); $(PY) manage.py migrate --noinput -v0 && \
	  $(PY) manage.py collectstatic --noinput -v0 && \
	  $(PY) manage.py seed_scale --cases $(BENCH_CASES) && \
	  $(PY) manage.py benchmark

# CI's smoke test: small N; checks that the generator and the benchmark run and that page
# query counts are constant; times are not checked. collectstatic (half the time: it
# compresses every file) runs beside the database steps, which it does not touch.
bench-smoke: install
	@$(PY) bin/recreate-database $(BENCH_DATABASE_URL)
	@export $(BENCH_ENV); \
	  $(PY) manage.py collectstatic --noinput -v0 & static=$$!; \
	  $(PY) manage.py migrate --noinput -v0 && $(PY) manage.py seed_scale --cases 20000; \
	  seeded=$$?; wait $$static && [ $$seeded = 0 ] && \
	  $(PY) manage.py benchmark --check --requests 5 --skip-throughput --import-rows 200

messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale fr --ignore '.venv/*' --ignore '.tools/*' --ignore 'tests/*' --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --locale fr --ignore '.venv/*' --ignore '.tools/*'

clean:
	rm -rf .venv .tools staticfiles var db.sqlite3
