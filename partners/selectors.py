from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, scope
from partners.models import Organisation, PathwayStep, Region
from traffick_cm.fields import ChoiceListField


def organisation_list(
    *,
    actor: User,
    q: str = "",
    country: str = "",
    type: str = "",
    service: str = "",
    region: Region | None = None,
    serves: str = "",
    language: str = "",
) -> QuerySet[Organisation]:
    qs = scope(actor, "organisation", Action.LIST, Organisation.objects.all())
    if service:
        qs = qs.filter(services__contains=ChoiceListField.has(service))
    if region is not None:
        qs = qs.filter(regions=region)
    if serves == "children":
        qs = qs.filter(serves_children=True)
    elif serves == "adults":
        qs = qs.filter(serves_adults=True)
    elif serves in ("female", "male"):
        qs = qs.filter(serves_sex__in=["all", serves])
    if language:
        qs = qs.filter(languages__contains=ChoiceListField.has(language))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(acronym__icontains=q))
    if country:
        qs = qs.filter(country=country)
    if type:
        qs = qs.filter(type=type)
    return qs.annotate(region_count=Count("regions")).order_by("-is_active", "name")


def organisation_choices() -> QuerySet[Organisation]:
    """The organisations a form offers as a partner, provider or referrer (active ones); an
    import names them from the same list, so a file reaches no more than the form."""
    return Organisation.objects.filter(is_active=True).order_by("name")


def directory_for_region(*, region: Region) -> QuerySet[Organisation]:
    """The printed referral directory of a region: active partners covering it."""
    return (
        Organisation.objects.filter(is_active=True, regions=region)
        .prefetch_related("contacts")
        .order_by("type", "name")
    )


def pathway_list(*, actor: User) -> QuerySet[PathwayStep]:
    return scope(actor, "pathway", Action.LIST, PathwayStep.objects.all()).select_related(
        "region", "partner"
    )
