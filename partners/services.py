from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.audit import log_action
from accounts.models import User
from partners.models import Organisation, Region

FIELDS = ("name", "acronym", "type", "country", "phone", "email", "address", "is_active")


def _snapshot(org: Organisation) -> dict[str, Any]:
    data = {field: str(getattr(org, field)) for field in FIELDS}
    data["regions"] = sorted(org.regions.values_list("pk", flat=True)) if org.pk else []
    return data


@transaction.atomic
def organisation_create(
    *, actor: User, regions: Iterable[Region] = (), **fields: Any
) -> Organisation:
    org = Organisation(**{k: v for k, v in fields.items() if k in FIELDS})
    org.full_clean()
    org.save()
    org.regions.set(regions)
    log_action("partners.organisation.created", actor=actor, target=org, data=_snapshot(org))
    return org


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, regions: Iterable[Region], **fields: Any
) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _snapshot(org)
    for key, value in fields.items():
        if key in FIELDS:
            setattr(org, key, value)
    org.full_clean()
    org.save()
    org.regions.set(regions)
    after = _snapshot(org)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        log_action("partners.organisation.changed", actor=actor, target=org, data=changed)
    return org
