"""Start-up from the environment: malformed or missing production values stop the app with
a message naming the variable; a bare laptop starts on the embedded defaults.

Each case starts a fresh Python with only the variables it names, so nothing leaks in from
the test settings or the shell that runs the tests."""

from __future__ import annotations

import ast
import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

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
        ("SITE_URL", "cm.example.org"),
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


POSTGRES = "postgres://postgres@127.0.0.1:5432/traffick_cm"
OPTIONS = "sorted(settings.DATABASES['default'].get('OPTIONS', {}).items())"


def test_postgres_prepares_statements_with_server_side_parameters():
    assert _settings_value(OPTIONS, DEBUG="1", DATABASE_URL=POSTGRES) == (
        "[('prepare_threshold', 5), ('server_side_binding', True)]"
    )
    assert _settings_value(
        OPTIONS, DEBUG="1", DATABASE_URL=POSTGRES, DATABASE_PREPARE_THRESHOLD="2"
    ) == ("[('prepare_threshold', 2), ('server_side_binding', True)]")


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler():
    assert (
        _settings_value(OPTIONS, DEBUG="1", DATABASE_URL=POSTGRES, DATABASE_PREPARE_THRESHOLD="0")
        == "[]"
    )


def test_malformed_prepare_threshold_is_refused():
    result = _setup(DEBUG="1", DATABASE_URL=POSTGRES, DATABASE_PREPARE_THRESHOLD="often")

    assert result.returncode != 0
    assert "DATABASE_PREPARE_THRESHOLD" in result.stderr


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
        SITE_URL="https://cm.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


# SITE_URL: the links in emails sent by tasks ---------------------------------------------


def _production(**variables: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": _secret_key(),
        "FIELD_ENCRYPTION_KEY": _fernet_key(),
        **variables,
    }


def test_production_without_site_url_refuses_to_start():
    result = _setup(**_production())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SITE_URL" in result.stderr


def test_production_with_an_empty_site_url_refuses_to_start():
    # An .env copied from .env.example carries "SITE_URL=" with nothing after it.
    result = _setup(**_production(SITE_URL=""))

    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_links_use_the_site_url_given():
    site_url = _settings_value(
        "settings.SITE_URL", **_production(SITE_URL="https://cm.example.org")
    )

    assert site_url == "https://cm.example.org"


def test_debug_laptop_links_point_at_the_local_server():
    assert _settings_value("settings.SITE_URL", DEBUG="1") == "http://127.0.0.1:8000"
    assert _settings_value("settings.SITE_URL", DEBUG="1", SITE_URL="") == "http://127.0.0.1:8000"


# SQLite, the embedded default: the web server and beat write to the same file ------------

SQLITE_WRITER = """
import sys, time, django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (n integer)")
if sys.argv[1] == "holder":
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO probe VALUES (1)")
        print("holding", flush=True)
        time.sleep(1.5)
else:
    # Reads, then writes while the holder has the write lock: in SQLite's default (deferred)
    # transactions this fails at once with "database is locked".
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM probe")
        time.sleep(0.2)
        cursor.execute("INSERT INTO probe VALUES (2)")
print("committed", flush=True)
"""


def test_two_processes_writing_to_sqlite_wait_for_each_other(tmp_path):
    variables = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "traffick_cm.settings",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    def start(role: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", SQLITE_WRITER, role],
            cwd=settings.BASE_DIR,
            env=variables,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    holder = start("holder")
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        other = start("other")
        other_out, other_err = other.communicate(timeout=60)
        _, holder_err = holder.communicate(timeout=60)
    finally:
        holder.kill()

    assert other.returncode == 0, other_err
    assert other_out.strip() == "committed"
    assert holder.returncode == 0, holder_err


# .env.example documents every variable the settings read, and only those -----------------

SETTINGS_SOURCE = Path(settings.BASE_DIR) / "traffick_cm" / "settings.py"
ENV_EXAMPLE = Path(settings.BASE_DIR) / ".env.example"
# django-environ's readers that take a variable's name first (env.db_url_config and
# env.read_env take a URL and a path).
ENV_READERS = {
    "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path", "bytes",
    "db", "db_url", "cache", "cache_url", "email", "email_url", "search_url", "get_value",
}  # fmt: skip


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _environment_key(node: ast.AST, helpers: set[str]) -> ast.expr | None:
    """The expression naming the variable when `node` reads the environment, else None."""
    if isinstance(node, ast.Call):
        func = node.func
        name_arg = node.args[0] if node.args else None
        if isinstance(func, ast.Name) and func.id in {"env", *helpers}:
            return name_arg
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id == "env":
                return name_arg if func.attr in ENV_READERS else None
            if func.attr in {"get", "pop", "setdefault"} and _is_os_environ(func.value):
                return name_arg
            if func.attr == "getenv" and isinstance(func.value, ast.Name):
                return name_arg if func.value.id == "os" else None
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        return node.slice
    if isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
        return node.left
    return None


def _variables_read(source: str) -> set[str]:
    """Every environment variable the settings module reads, by its source.

    Counts env.str("X")-style readers, os.environ.get("X") / os.getenv / os.environ["X"] /
    "X" in os.environ, and the module's own helpers that read the variable named by their
    first parameter (env_flag("X", ...)). A read whose name is not a literal fails the test:
    nobody can tell then whether .env.example covers it."""
    tree = ast.parse(source)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.args.args]
    helpers = {
        function.name
        for function in functions
        if any(
            isinstance(key := _environment_key(node, set()), ast.Name)
            and key.id == function.args.args[0].arg
            for node in ast.walk(function)
        )
    }
    # A helper's own read of its parameter is covered by its callers.
    covered = {
        id(node)
        for function in functions
        if function.name in helpers
        for node in ast.walk(function)
        if isinstance(key := _environment_key(node, helpers), ast.Name)
        and key.id == function.args.args[0].arg
    }
    names, unresolved = set(), []
    for node in ast.walk(tree):
        key = _environment_key(node, helpers)
        if key is None or id(node) in covered:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
        else:
            unresolved.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert not unresolved, f"settings.py reads variables by a computed name: {unresolved}"
    return names


def _env_example() -> tuple[list[str], list[str]]:
    """The names .env.example lists (set, or commented out as `# NAME=...`) and those of
    them without a comment before them in their paragraph."""
    names, undescribed = [], []
    described = False
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        assignment = re.match(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=", line)
        if not line.strip():
            described = False
        elif assignment:
            names.append(assignment.group(1))
            if not described:
                undescribed.append(assignment.group(1))
        elif line.startswith("#"):
            described = True
    return names, undescribed


def test_the_settings_source_is_read_for_its_variables():
    # The parser itself: it must find reads of every form the settings use.
    found = _variables_read(SETTINGS_SOURCE.read_text(encoding="utf-8"))

    assert {"DJANGO_READ_DOT_ENV_FILE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"} <= found
    assert {"CONN_MAX_AGE", "EMAIL_URL", "CACHE_URL", "SITE_URL"} <= found
    assert "name" not in found


def test_every_variable_the_settings_read_is_in_env_example():
    read = _variables_read(SETTINGS_SOURCE.read_text(encoding="utf-8"))
    listed, _ = _env_example()

    assert sorted(read - set(listed)) == []


def test_env_example_lists_only_variables_the_settings_read_each_once():
    read = _variables_read(SETTINGS_SOURCE.read_text(encoding="utf-8"))
    listed, _ = _env_example()

    assert sorted(set(listed) - read) == []
    assert sorted(name for name in set(listed) if listed.count(name) > 1) == []


def test_every_variable_in_env_example_has_a_comment():
    _, undescribed = _env_example()

    assert undescribed == []
