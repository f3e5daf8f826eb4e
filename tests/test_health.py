"""/healthz tells a load balancer whether this instance can serve, and nothing more."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError
from django.test import override_settings

from traffick_cm import health

REAL_REDIS = "redis://127.0.0.1:6379/0"
SECRET_DETAIL = "password=hunter2 host=10.20.30.40"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


class _BrokenConnection:
    def cursor(self):
        raise OperationalError(f"could not connect to server: {SECRET_DETAIL}")


@pytest.fixture
def broken_database(monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())


@override_settings(CELERY_BROKER_URL="")
def test_healthz_answers_ok_with_the_database_up(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@override_settings(CELERY_BROKER_URL="")
def test_healthz_answers_unavailable_when_the_database_fails(client, db, broken_database):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable"


@override_settings(CELERY_BROKER_URL="")
def test_healthz_never_shows_the_database_error(client, db, broken_database):
    response = client.get("/healthz")

    body = response.content.decode()
    assert "hunter2" not in body
    assert "10.20.30.40" not in body
    assert "OperationalError" not in body


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_answers_unavailable_when_the_configured_broker_is_unreachable(client, db):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
@override_settings(CELERY_BROKER_URL=REAL_REDIS)
def test_healthz_answers_ok_when_the_configured_broker_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


@override_settings(CELERY_BROKER_URL="")
def test_healthz_is_never_cached(client, db):
    response = client.get("/healthz")

    assert "no-store" in response["Cache-Control"]


@override_settings(CELERY_BROKER_URL="")
def test_healthz_refuses_anything_but_get(client, db):
    assert client.post("/healthz").status_code == 405
