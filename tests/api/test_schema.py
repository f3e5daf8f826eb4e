"""Property-based: schemathesis generates requests for every operation of the OpenAPI schema
(valid and invalid ones) and checks that none answers 500 and that every answer matches the
schema (status documented, content type, body schema, headers)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import checks

from accounts.roles import Role
from api import tokens

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _schema():
    """The schema /api/v1/schema/ serves, as generated for an anonymous request."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(spec)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.database_independent
def test_every_operation_answers_as_its_schema_says(case, ctx, settings, wsgi_keeps_connection):
    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    # Roles in turn, each with a read-write token, on the `ctx` records (tests/conftest.py).
    for role in (Role.SUPERVISOR, Role.PARTNER, Role.MINISTRY, Role.ADMIN):
        user = ctx["users"][role]
        text = tokens.token_create(actor=None, user=user, name="fuzz", read_only=False)[1]
        # Uncompressed: the WSGI test client does not decode what GZipMiddleware compresses.
        headers = {"Authorization": f"Bearer {text}", "Accept-Encoding": "identity"}
        case.call_and_validate(headers=headers, checks=CHECKS)
