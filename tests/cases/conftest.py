"""Fixtures and form builders shared by the case-file tests."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from tests import factories


@pytest.fixture
def client():
    # English, so that the assertions read the messages users see in English.
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Uploaded case documents go to a throwaway folder, not the shared test media root.
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def supervisor(users):
    return users[Role.SUPERVISOR]


@pytest.fixture
def colleague(org):
    """A second caseworker of the same organisation, assigned to none of the cases above."""
    return factories.user(Role.CASEWORKER, organisation=org, username="colleague")


@pytest.fixture
def outside_supervisor(other_org):
    return factories.user(Role.SUPERVISOR, organisation=other_org, username="outside_supervisor")


@pytest.fixture
def outside_caseworker(other_org):
    return factories.user(Role.CASEWORKER, organisation=other_org, username="outside_caseworker")


@pytest.fixture
def case(caseworker):
    return factories.case(caseworker=caseworker)
