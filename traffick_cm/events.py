"""Domain events for other systems: every app may publish; none listens here.

`publish` is called by a service where something happened (a referral accepted, a case
closed...). Nothing is sent before the transaction commits: a change rolled back announces
nothing. Then the `published` signal goes out; the API connects a receiver that turns it into
signed webhook deliveries (api/webhooks.py). The core never imports an app, and apps never
import the API: this module is the meeting point.

A payload leaves the system, so it carries ids, codes, dates and counts only: each event
names the keys it may carry (EVENTS) and `publish` refuses any other, so a person's name, an
identity field or a free-text note can never be added by mistake."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

# Sent after commit with event=<name>, organisations=<sorted list of ids>, payload=<dict>,
# time=<ISO 8601 of the event>.
published = Signal()

_REFERRAL_KEYS = frozenset(
    {
        "referral",
        "case",
        "status",
        "service_type",
        "urgency",
        "from_organisation",
        "to_organisation",
        "destination_country",
        "created_at",
        "sent_at",
        "respond_by",
        "responded_at",
        "closed_at",
    }
)

# The events and the only keys their payloads may carry.
EVENTS: dict[str, frozenset[str]] = {
    "referral.created": _REFERRAL_KEYS,
    "referral.accepted": _REFERRAL_KEYS,
    "referral.declined": _REFERRAL_KEYS,
    "referral.completed": _REFERRAL_KEYS,
    "case.closed": frozenset({"case", "organisation", "status", "closure_reason", "closed_on"}),
    "training.recorded": frozenset(
        {
            "session",
            "organiser",
            "partners",
            "session_type",
            "topics",
            "audiences",
            "country",
            "start_date",
            "end_date",
            "online",
            "participants_total",
        }
    ),
    "report.ready": frozenset(
        {"run", "kind", "period_from", "period_to", "status", "finished_at", "formats"}
    ),
}

_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO 8601, lists of scalars; anything else is refused."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        if any(isinstance(v, list | dict) for v in items):
            raise ValueError("An event's payload holds lists of plain values only.")
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, _SCALARS):
        return value
    raise ValueError(f"An event's payload cannot hold a {type(value).__name__}.")


def publish(event: str, *, organisations: Iterable[int | None], payload: dict[str, Any]) -> None:
    """Announce `event` to these organisations once the current transaction commits (at once
    outside a transaction). Unknown events and payload keys raise ValueError."""
    allowed = EVENTS.get(event)
    if allowed is None:
        raise ValueError(f"Unknown event {event!r}.")
    extra = set(payload) - allowed
    if extra:
        raise ValueError(f"{event} may not carry {sorted(extra)}.")
    data = {key: _plain(value) for key, value in payload.items()}
    targets = sorted({int(pk) for pk in organisations if pk is not None})
    if not targets:
        return
    time = timezone.now().isoformat()

    def send() -> None:
        published.send(sender=None, event=event, organisations=targets, payload=data, time=time)

    # robust: a receiver that fails (its database, its broker) never undoes or breaks the
    # change that was committed; the failure is logged.
    transaction.on_commit(send, robust=True)
