"""Changes to the partner directory and the referral pathways.

An organisation's country decides which pathways, plans, training totals and statistics its
users reach (accounts/policy.py), so only a superuser moves an organisation to another
country; its regions are always regions of its country; a partner focal point changes only
its directory entry (what it offers, where and when), never the fields that say who and
where it is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, can_on
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
# What a partner focal point keeps up to date about its own organisation.
DIRECTORY_FIELDS = (
    "phone",
    "email",
    "address",
    "services",
    "serves_children",
    "serves_adults",
    "serves_sex",
    "languages",
    "opening_hours",
    "capacity_note",
    "beds_free",
)
COUNTRY_CHANGE_REFUSED = gettext_lazy(
    "Only a superuser can move an organisation to another country: its country decides "
    "which pathways, plans and figures its users reach."
)


def may_change_country(actor: User | None) -> bool:
    """Operators (no acting user) and superusers only."""
    return actor is None or actor.is_superuser


def may_change_whole_record(actor: User | None) -> bool:
    """Administrators edit the whole record of their organisation; a partner focal point
    its directory entry only."""
    return actor is None or can(actor, "organisation_record", Action.CHANGE)


def _check_regions(country: str, regions: Iterable[Region]) -> None:
    foreign = sorted(r.name for r in regions if r.country.code != str(country))
    if foreign:
        raise ValidationError(
            {
                "regions": _("These regions are not in the chosen country: %(names)s")
                % {"names": ", ".join(foreign)}
            }
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
    regions = list(regions)
    _check_regions(org.country.code, regions)
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
    if actor is not None and not can_on(actor, "organisation", Action.CHANGE, organisation):
        raise PermissionDenied
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _snapshot(org)
    country = org.country.code
    fields = {k: v for k, v in fields.items() if k in FIELDS}
    beyond_entry = bool(set(fields) - set(DIRECTORY_FIELDS)) or regions is not None
    if beyond_entry and not may_change_whole_record(actor):
        # A partner focal point's form has none of these: the request was forged.
        raise PermissionDenied
    for key, value in fields.items():
        setattr(org, key, value)
    if org.country.code != country and not may_change_country(actor):
        raise ValidationError({"country": COUNTRY_CHANGE_REFUSED})
    org.full_clean()
    regions = list(regions) if regions is not None else None
    if regions is not None:
        _check_regions(org.country.code, regions)
    elif org.country.code != country:
        # A country changed by a superuser leaves no region of the old one behind.
        _check_regions(org.country.code, org.regions.all())
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
    if actor is not None and not can_on(actor, "organisation", Action.CHANGE, organisation):
        raise PermissionDenied
    contact = Contact(organisation=organisation, **fields)
    contact.full_clean()
    contact.save()
    log_action(
        "partners.contact.added", actor=actor, target=organisation, data={"contact": contact.pk}
    )
    return contact


@transaction.atomic
def contact_remove(*, actor: User, contact: Contact) -> None:
    if actor is not None and not can_on(actor, "organisation", Action.CHANGE, contact.organisation):
        raise PermissionDenied
    log_action(
        "partners.contact.removed",
        actor=actor,
        target=contact.organisation,
        data={"contact": contact.pk},
    )
    contact.delete()


def _check_pathway_country(actor: User | None, country: str) -> None:
    """A person changes the pathways of their own organisation's country only."""
    if actor is None or actor.is_superuser:
        return
    if not actor.organisation_id or actor.organisation.country.code != country:
        raise PermissionDenied


@transaction.atomic
def pathway_step_add(*, actor: User, country: str, **fields: Any) -> PathwayStep:
    _check_pathway_country(actor, country)
    step = PathwayStep(country=country, **fields)
    if step.region_id and step.region.country.code != country:
        raise ValidationError({"region": _("This region is not in the pathway's country.")})
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
    _check_pathway_country(actor, step.country.code)
    log_action(
        "partners.pathway.removed",
        actor=actor,
        target=step,
        data={"service_type": step.service_type, "partner": step.partner_id},
    )
    step.delete()
