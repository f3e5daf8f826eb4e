"""How the OpenAPI schema describes the token authentication (drf-spectacular extension;
loaded in ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal access token (tcm_…), created on the API tokens page or with "
                "`manage.py create_api_token`."
            ),
        }


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Field errors of a refused request, keyed by field.",
        },
        "version": {"type": "string", "description": "The current version (412 only)."},
    },
    "required": ["type", "title", "status"],
}

# The errors every operation may answer, by method, as problem details.
ERRORS = {
    "get": ("400", "401", "403", "404", "429"),
    "post": ("400", "401", "403", "404", "409", "422", "429"),
    "put": ("400", "401", "403", "404", "412", "428", "429"),
    "patch": ("400", "401", "403", "404", "412", "428", "429"),
    "delete": ("401", "403", "404", "429"),
}


def problem_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents its errors as problem details."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            for status in ERRORS.get(method, ()):
                operation.setdefault("responses", {}).setdefault(
                    status,
                    {
                        "description": "Problem details.",
                        "content": {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}
                            }
                        },
                    },
                )
    return result
