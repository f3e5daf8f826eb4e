"""Fixtures of the API tests: a client that sends a user's personal access token."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.test import APIClient

from api import tokens


@pytest.fixture
def token_for(db):
    """token_for(user, read_only=False, days=30) -> the text of a new token of that user."""

    def _token(user, *, read_only: bool = False, days: int = 30) -> str:
        return tokens.token_create(
            actor=None, user=user, name="test", days=days, read_only=read_only
        )[1]

    return _token


@pytest.fixture
def api_as(token_for):
    """api_as(user, read_only=False) -> an API client sending a new token of that user."""

    def _client(user, *, read_only: bool = False) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, read_only=read_only)}")
        return client

    return _client


@pytest.fixture
def wsgi_keeps_connection():
    """Calls through Django's WSGI handler (schemathesis) close the database connection
    after each request, as a server does; in a test that would end the test's transaction
    (PostgreSQL). Django's own test client keeps the connection open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
