"""Errors as RFC 9457 problem details (`application/problem+json`): `type`, `title`,
`status`, `detail`, and for a refused form its field errors under `errors`, keyed by field
(`non_field_errors` for the whole object)."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

CONTENT_TYPE = "application/problem+json"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the version (ETag) you read."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    """A stale If-Match: the record changed since it was read. The body says which version
    it is now, so that the client can fetch it, merge and send again."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, *, version: str) -> None:
        super().__init__(
            _("This record changed since you read it: it is at version %(version)s now.")
            % {"version": version}
        )
        self.version = version


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def _errors(data) -> dict:
    if isinstance(data, dict):
        return data
    return {"non_field_errors": data if isinstance(data, list) else [data]}


def problem_response(status_code: int, detail: str, **extra) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        **extra,
    }
    return Response(body, status=status_code, content_type=CONTENT_TYPE)


def handler(exc, context):
    """DRF's exception handler, reshaped: a service's ValidationError is a 400 with field
    errors, as a form's would be."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = _("The request has invalid fields: see errors.")
        extra["errors"] = _errors(response.data)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        detail = _("Not found.")
    elif isinstance(exc, PermissionDenied):
        detail = str(exc) or _("Your role does not allow this.")
    else:
        data = response.data
        detail = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
    if isinstance(exc, PreconditionFailed):
        extra["version"] = exc.version
    problem = problem_response(response.status_code, detail, **extra)
    for header in ("Retry-After", "WWW-Authenticate", "ETag"):
        if header in response:
            problem[header] = response[header]
    return problem
