"""Start-up from the environment: malformed or missing production values stop the app with
a message naming the variable; a bare laptop starts on the embedded defaults.

Each case starts a fresh Python with only the variables it names, so nothing leaks in from
the test settings or the shell that runs the tests."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

SETUP = "import django; django.setup()"


def _run(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "traffick_cm.settings",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        **variables,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _setup(**variables: str) -> subprocess.CompletedProcess[str]:
    return _run("-c", SETUP, **variables)


def _settings_value(expression: str, **variables: str) -> str:
    result = _run(
        "-c", f"{SETUP}; from django.conf import settings; print({expression})", **variables
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _fernet_key() -> str:
    return Fernet.generate_key().decode()


def _secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def test_production_without_secret_key_refuses_to_start():
    result = _setup(DEBUG="0", FIELD_ENCRYPTION_KEY=_fernet_key())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_with_an_empty_secret_key_refuses_to_start():
    # An .env copied from .env.example carries "SECRET_KEY=" with nothing after it.
    result = _setup(DEBUG="0", SECRET_KEY="", FIELD_ENCRYPTION_KEY=_fernet_key())

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_encryption_key_refuses_to_start():
    result = _setup(DEBUG="0", SECRET_KEY=_secret_key())

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FIELD_ENCRYPTION_KEY", "not-a-fernet-key"),
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://x"),
    ],
)
def test_malformed_value_is_refused_naming_the_variable(variable, value):
    variables = {"DEBUG": "1", variable: value}

    result = _setup(**variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_malformed_connection_age_is_refused_on_postgres():
    result = _setup(
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/traffick_cm",
        CONN_MAX_AGE="forever",
    )

    assert result.returncode != 0
    assert "CONN_MAX_AGE" in result.stderr


def test_malformed_key_among_rotated_encryption_keys_is_refused():
    result = _setup(DEBUG="1", FIELD_ENCRYPTION_KEY=f"{_fernet_key()},short")

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_debug_laptop_starts_with_nothing_else_set_and_uses_sqlite():
    assert _setup(DEBUG="1").returncode == 0
    engine = _settings_value("settings.DATABASES['default']['ENGINE']", DEBUG="1")
    assert engine == "django.db.backends.sqlite3"


def test_tasks_run_in_process_when_no_broker_is_configured():
    # Both the Django setting and the Celery app that reads it.
    eager = _settings_value(
        "settings.CELERY_TASK_ALWAYS_EAGER, __import__('traffick_cm.celery').celery.app.conf"
        ".task_always_eager",
        DEBUG="1",
    )

    assert eager == "True True"


def test_tasks_go_to_the_broker_when_one_is_configured():
    eager = _settings_value(
        "settings.CELERY_TASK_ALWAYS_EAGER", DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )

    assert eager == "False"


def test_deploy_checks_pass_with_production_settings():
    result = _run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=_secret_key(),
        FIELD_ENCRYPTION_KEY=_fernet_key(),
        ALLOWED_HOSTS="cm.example.org",
        HTTPS="1",
        DATABASE_URL="postgres://traffick:secret@db.example.org:5432/traffick_cm",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
