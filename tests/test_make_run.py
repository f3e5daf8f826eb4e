"""`make run` on the embedded default: it reads the broker setting as the app does, and with
no broker the periodic tasks (reminders, scheduled reports) really run, in beat's process.

Each case starts fresh processes with only the variables it names, like those of the .env
that `make run` writes (DEBUG off, DEMO on, plain http), so nothing leaks in from the test
settings or the shell that runs the tests."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _embedded_default(**variables: str) -> dict[str, str]:
    """The environment of `make run` on a fresh machine: bin/write-dot-env's values."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DEBUG": "0",
        "DEMO": "1",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1:8000",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        **variables,
    }


def _make(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_run_reads_no_broker_on_the_embedded_default():
    result = _make("broker-url", env=_embedded_default())

    assert result.returncode == 0, result.stderr
    # One empty line: nothing else on stdout (Django's shell banner once was taken for a URL).
    assert result.stdout == "\n"


def test_make_run_reads_the_broker_url_when_one_is_set():
    result = _make(
        "broker-url", env=_embedded_default(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "redis://127.0.0.1:6379/0\n"


def test_make_run_starts_celery_by_the_broker_url_read_here():
    # The dry run prints the recipes without running them: `run` must read the broker with
    # the very command that `broker-url` runs.
    env = _embedded_default()
    command = _make("--dry-run", "broker-url", env=env).stdout.strip()
    recipe = _make("--dry-run", "--old-file=install", "run", env=env).stdout

    assert command.startswith(".venv/bin/python -c ")
    assert f"broker=$({command}) || exit 1;" in recipe
    assert re.search(r'if \[ -n "\$broker" \]; then .*celery -A traffick_cm worker', recipe, re.S)
    # No broker: beat alone, started as the test below starts it.
    assert re.search(
        r"else .*\.venv/bin/celery -A traffick_cm beat --loglevel INFO .*fi;", recipe, re.S
    )


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


MAKE_REMINDERS_DUE = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

# As 16 minutes after the first start: the every-15-minutes schedule is due.
PeriodicTask.objects.filter(name="Referral reminders").update(
    last_run_at=timezone.now() - timedelta(minutes=16)
)
"""


def test_beat_runs_the_demo_schedules_in_its_own_process_without_a_broker(tmp_path):
    env = _embedded_default(
        DJANGO_SETTINGS_MODULE="traffick_cm.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        PYTHONUNBUFFERED="1",
    )
    _run("manage.py", "migrate", "--noinput", "-v", "0", env=env)
    _run("manage.py", "setup_schedules", env=env)
    _run("-c", MAKE_REMINDERS_DUE, env=env)
    log_path = tmp_path / "beat.log"

    # As `make run` starts it with no broker (python -m celery is .venv/bin/celery).
    with log_path.open("wb") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "traffick_cm", "beat", "--loglevel", "INFO"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        succeeded = re.compile(r"Task referrals\.tasks\.send_overdue_reminders\[.*\] succeeded")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and beat.poll() is None:
            if succeeded.search(log_path.read_text(errors="replace")):
                break
            time.sleep(0.5)
        output = log_path.read_text(errors="replace")
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        try:
            beat.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(beat.pid, signal.SIGKILL)
            beat.wait()

    assert "Sending due task Referral reminders" in output, output
    # Run where beat is, not sent to a worker: the eager task's own log line, in beat's log.
    assert succeeded.search(output), output
