# The two commands of the README: `make run` and `make test`. Everything they need is
# installed by them: uv (into .tools/), the locked Python dependencies (into .venv/), and
# the Debian packages the tests use.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test lint install check-python worker messages clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "Python 3.11 or newer is needed (PYTHON=$(PYTHON))."; exit 1; }

.tools/bin/uv: | check-python
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

install: check-python $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --locked --python $(PYTHON) --quiet

run: install
	@bin/write-dot-env $(PY)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_schedules
	$(PY) manage.py seed_demo
	@broker=$$($(PY) manage.py shell -c "from django.conf import settings; print(settings.CELERY_BROKER_URL)"); \
	pids=""; \
	if [ -n "$$broker" ]; then \
	  mkdir -p var; \
	  .venv/bin/celery -A traffick_cm worker --loglevel INFO & pids="$$pids $$!"; \
	  .venv/bin/celery -A traffick_cm beat --loglevel INFO --schedule var/celerybeat-schedule & pids="$$pids $$!"; \
	  echo "Celery worker and beat started on $$broker"; \
	else \
	  echo "No CELERY_BROKER_URL: background tasks run in-process."; \
	fi; \
	trap '[ -n "$$pids" ] && kill $$pids 2>/dev/null' EXIT INT TERM; \
	echo "Open http://127.0.0.1:8000 and sign in as a demo user (see above)."; \
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m djlint templates --lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) bin/check-translations

test: install lint
	@bin/ensure-debian-packages chromium:/usr/bin/chromium gettext:msgfmt
	$(PY) -m pytest

messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale fr --ignore '.venv/*' --ignore '.tools/*' --ignore 'tests/*' --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --locale fr --ignore '.venv/*' --ignore '.tools/*'

clean:
	rm -rf .venv .tools staticfiles var db.sqlite3
