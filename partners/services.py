from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.audit import log_action
from accounts.models import User
from partners.models import Contact, Organisation, PathwayStep, Region

FIELDS = (
    "name",
    "acronym",
    "type",
    "country",
    "phone",
    "email",
    "address",
    "is_active",
    "services",
    "serves_children",
    "serves_adults",
    "serves_sex",
    "languages",
    "opening_hours",
    "capacity_note",
    "beds_free",
    "receives_referrals",
)


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
    *,
    actor: User,
    organisation: Organisation,
    regions: Iterable[Region] | None = None,
    **fields: Any,
) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _snapshot(org)
    for key, value in fields.items():
        if key in FIELDS:
            setattr(org, key, value)
    org.full_clean()
    org.save()
    if regions is not None:
        org.regions.set(regions)
    after = _snapshot(org)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        log_action("partners.organisation.changed", actor=actor, target=org, data=changed)
    return org


@transaction.atomic
def contact_add(*, actor: User, organisation: Organisation, **fields: Any) -> Contact:
    contact = Contact(organisation=organisation, **fields)
    contact.full_clean()
    contact.save()
    log_action(
        "partners.contact.added", actor=actor, target=organisation, data={"contact": contact.pk}
    )
    return contact


@transaction.atomic
def contact_remove(*, actor: User, contact: Contact) -> None:
    log_action(
        "partners.contact.removed",
        actor=actor,
        target=contact.organisation,
        data={"contact": contact.pk},
    )
    contact.delete()


@transaction.atomic
def pathway_step_add(*, actor: User, country: str, **fields: Any) -> PathwayStep:
    step = PathwayStep(country=country, **fields)
    step.full_clean()
    step.save()
    log_action(
        "partners.pathway.added",
        actor=actor,
        target=step,
        data={
            "service_type": step.service_type,
            "partner": step.partner_id,
            "region": step.region_id,
            "rank": step.rank,
        },
    )
    return step


@transaction.atomic
def pathway_step_remove(*, actor: User, step: PathwayStep) -> None:
    log_action(
        "partners.pathway.removed",
        actor=actor,
        target=step,
        data={"service_type": step.service_type, "partner": step.partner_id},
    )
    step.delete()
