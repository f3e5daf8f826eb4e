"""Audit entries, written explicitly by services (never by signals)."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEntry, User

MASK = "***"
# Values under these keys are personal or secret: the entry records that they changed,
# never what they were.
SENSITIVE_KEYS = frozenset({"password", "first_name", "last_name", "email", "phone", "address"})


def _mask(data: dict[str, Any], hide: bool = False) -> dict[str, Any]:
    """Mask values under sensitive keys, also inside nested dicts such as
    {"email": {"before": ..., "after": ...}}."""
    masked: dict[str, Any] = {}
    for key, value in data.items():
        sensitive = hide or key in SENSITIVE_KEYS
        if isinstance(value, dict):
            masked[key] = _mask(value, sensitive)
        elif sensitive and value not in (None, ""):
            masked[key] = MASK
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
        organisation=getattr(actor, "organisation", None),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=_mask(data or {}),
    )
