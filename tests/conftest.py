from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.roles import Role
from tests import factories


@pytest.fixture(autouse=True)
def fresh_cache():
    # Budgets and throttles (name look-ups, password resets, re-entered passwords) are
    # counted in the cache, by user id: ids come back between tests, budgets must not.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    return factories.organisation(name="IOM Central African Republic", acronym="IOM CAR")


@pytest.fixture
def other_org(db):
    return factories.organisation(name="Other NGO", acronym="ONGO", country="GN")


@pytest.fixture
def users(db, org):
    """One user per role in `org`, keyed by role code."""
    return {role: factories.user(role, organisation=org, username=str(role)) for role in Role}


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
