"""Audit entries, written explicitly by services (never by signals or views).

`log_action` records a change; `log_read` records that someone read or downloaded personal
data (a case file viewed, a document or a register downloaded, an export): every read audit
goes through it, so there is one place to change how reads are recorded. Both mask personal
values with `mask`, the one masking function of the app."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEntry, User
from traffick_cm import bulk

MASK = "***"
# Values under these keys are personal or secret: the entry records that they changed,
# never what they were.
SENSITIVE_KEYS = frozenset({"password", "first_name", "last_name", "email", "phone", "address"})


def mask_value(value: Any) -> Any:
    """A personal value as an audit entry keeps it: that it was there, never what it was."""
    return MASK if value not in (None, "", []) else value


def mask(data: dict[str, Any], hide: bool = False, sensitive: frozenset[str] = SENSITIVE_KEYS):
    """Mask values under sensitive keys, also inside nested dicts such as
    {"email": {"before": ..., "after": ...}}."""
    masked: dict[str, Any] = {}
    for key, value in data.items():
        hidden = hide or key in sensitive
        if isinstance(value, dict):
            masked[key] = mask(value, hidden, sensitive)
        elif hidden:
            masked[key] = mask_value(value)
        else:
            masked[key] = value
    return masked


def log_action(
    action: str,
    *,
    actor: User | None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        # The id the user row already holds: loading the organisation would cost every
        # audited read and change a query of its own.
        organisation_id=getattr(actor, "organisation_id", None),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=mask(data or {}),
    )


def log_read(
    action: str,
    *,
    actor: User | None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Someone read personal data: a case file viewed, a file downloaded, an export."""
    return log_action(action, actor=actor, target=target, data=data)


def log_actions(
    action: str,
    *,
    actor: User | None,
    entries: list[tuple[models.Model, dict[str, Any]]],
) -> None:
    """The same action on many records, one entry each, written in one statement (a batch
    of an import: each case keeps its own creation entry in its history)."""
    organisation_id = getattr(actor, "organisation_id", None)
    bulk.insert(
        [
            AuditEntry(
                action=action,
                actor=actor,
                organisation_id=organisation_id,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                data=mask(data),
            )
            for target, data in entries
        ]
    )
