"""What every resource of the API shares: `?updated_since=` on lists, a version with an
ETag on every object and If-Match on every change, and idempotent creation."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, time, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from api.models import IdempotentRequest
from api.problems import (
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    UnprocessableEntity,
)

IDEMPOTENCY_WINDOW = timedelta(hours=24)


def parse_updated_since(raw: str) -> datetime:
    """An ISO 8601 date or date and time; without a zone, the server's."""
    moment = parse_datetime(raw)
    if moment is None and (day := parse_date(raw)) is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise ValueError(raw)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class UpdatedSinceMixin:
    """`?updated_since=<ISO 8601>`: only the records changed at or after that time, for an
    incremental sync (the next sync sends the time its previous one started)."""

    updated_field = "updated_at"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        since = self.updated_since()
        if since is None or self.action != "list":
            return queryset
        return queryset.filter(**{f"{self.updated_field}__gte": since})

    def updated_since(self) -> datetime | None:
        """The `updated_since` asked for, or None; a 400 naming it when it is no time."""
        raw = self.request.query_params.get("updated_since")
        if raw is None:
            return None
        try:
            return parse_updated_since(raw.strip())
        except (ValueError, OverflowError):
            raise exceptions.ValidationError(
                {
                    "updated_since": [
                        _("Enter a date and time in ISO 8601, e.g. 2026-01-31T12:00:00Z.")
                    ]
                }
            ) from None


def version_of(instance) -> str:
    """The object's version: its `version` counter where it keeps one, otherwise the time
    it last changed, in microseconds."""
    counter = getattr(instance, "version", None)
    if isinstance(counter, int):
        return str(counter)
    changed = getattr(instance, "updated_at", None)
    return str(int(changed.timestamp() * 1_000_000)) if changed else "0"


def _if_match_versions(header: str) -> set[str]:
    return {part.strip().removeprefix("W/").strip('"') for part in header.split(",")}


class RetrieveMixin:
    """GET of one record answers its version as an ETag."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = f'"{version_of(instance)}"'
        return response


class ChangeMixin:
    """PUT and PATCH need an If-Match naming the version read: none is 428, a stale one 412
    with the current version in the body. No silent overwrite. Subclasses implement
    `change`, through the record's service."""

    def check_version(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired
        current = version_of(instance)
        sent = _if_match_versions(header)
        if "*" not in sent and current not in sent:
            raise PreconditionFailed(version=current)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_version(instance)
        instance = self.change(instance, request.data, partial=kwargs.get("partial", False))
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = f'"{version_of(instance)}"'
        return response

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def change(self, instance, data, *, partial: bool):
        """Check `data` and change the record through its service; return it changed."""
        raise NotImplementedError


def _body_hash(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except TypeError:
        body = repr(request.data)
    return hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()


class CreateMixin:
    """POST creates through `add` (the record's service) and answers 201 with the record,
    its Location and ETag. With `Idempotency-Key`: the same key and body from the same user
    within 24 hours answer the first result again (with `Idempotent-Replayed: true`) and
    create nothing; the same key with another body is refused (422); a request still running
    under the key, 409. Only a success is kept, and only the id of what it created (never
    personal data): a replay answers that record as it is now, if the user still reaches it.
    A refused request may be corrected and sent again under the same key."""

    def create(self, request, *args, **kwargs):
        return create_once(
            request,
            make=lambda: self.add(request.data),
            created=lambda instance: self._created(request, instance),
            load=self.created_record,
            render=lambda instance: self.get_serializer(instance).data,
        )

    def _created(self, request, instance) -> Response:
        """What the idempotency store keeps of a creation: its status, id and Location."""
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{instance.pk}/")
        return created_response(instance, location)

    def created_record(self, pk):
        """The record a replayed creation made, through the user's scope (404 if gone)."""
        try:
            return self.get_queryset().get(pk=pk)
        except ObjectDoesNotExist:
            raise exceptions.NotFound from None

    def add(self, data):
        """Check `data` and create the record through its service; return it."""
        raise NotImplementedError


def create_once(request, *, make, created, load, render, reload: bool = False) -> Response:
    """Create with `make()` once per Idempotency-Key (see CreateMixin). `created(record)` is
    the answer the idempotency store keeps (status, {"id"}, Location); the answer sent is
    `render(record)`, the record made now, or on a replay (or with `reload`) `load(id)`,
    so that no content is ever stored."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 255:
        raise exceptions.ValidationError({"Idempotency-Key": [_("At most 255 characters.")]})
    made = {}

    def first() -> Response:
        made["record"] = make()
        return created(made["record"])

    response = idempotent(request, key, first) if key else first()
    record = made["record"] if "record" in made and not reload else load(response.data["id"])
    answer = Response(render(record), status=response.status_code)
    for header in ("Location", "Idempotent-Replayed"):
        if header in response:
            answer[header] = response[header]
    answer["ETag"] = f'"{version_of(record)}"'
    return answer


def created_response(record, location: str | None = None) -> Response:
    """What the idempotency store keeps of a creation: 201, its id and Location."""
    response = Response({"id": record.pk}, status=201)
    if location:
        response["Location"] = location
    return response


def idempotent(request, key: str, create) -> Response:
    body_hash = _body_hash(request)
    IdempotentRequest.objects.filter(
        user=request.user, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                user=request.user, key=key, path=request.path, body_hash=body_hash
            )
    except IntegrityError:
        record = IdempotentRequest.objects.get(user=request.user, key=key)
        if record.body_hash != body_hash:
            raise UnprocessableEntity(
                _("This Idempotency-Key was used with another request: use a new key.")
            ) from None
        if record.status_code is None:
            raise Conflict(
                _("A request with this Idempotency-Key is still being processed.")
            ) from None
        response = Response(record.response, status=record.status_code)
        if record.location:
            response["Location"] = record.location
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        response = create()
    except BaseException:
        record.delete()
        raise
    if 200 <= response.status_code < 300:
        record.status_code = response.status_code
        record.response = json.loads(json.dumps(response.data, default=str))
        record.location = response.get("Location", "")
        record.save(update_fields=["status_code", "response", "location"])
    else:
        record.delete()
    return response
