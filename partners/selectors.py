from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import Action, scope
from partners.models import Organisation, PathwayStep, Region
from partners.regions import neighbours
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


# The partner finder: who to refer a case to for a service, never a dead end.


class Reach(StrEnum):
    """How a suggested partner reaches the case, best first."""

    PATHWAY = "pathway"  # the SOP's pathway for the case's region
    PATHWAY_COUNTRY = "pathway_country"  # the SOP's pathway for the whole country
    REGION = "region"  # the directory: covers the case's region
    COUNTRY = "country"  # the directory, for a case with no region: works in its country
    NEIGHBOUR = "neighbour"  # covers a region bordering the case's (partners/regions.py)
    OTHER_REGION = "other_region"  # covers another region of the case's country
    NATIONAL = "national"  # works in the whole country (no region listed)
    CROSS_BORDER = "cross_border"  # in another country


# When none of these finds a partner, the finder falls back to the reaches after them.
COVERING = frozenset({Reach.PATHWAY, Reach.PATHWAY_COUNTRY, Reach.REGION, Reach.COUNTRY})
FALLBACK_LIMIT = 5


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    reach: Reach
    # The regions through which it reaches the case (neighbouring or other regions).
    regions: tuple[str, ...] = ()

    @property
    def is_fallback(self) -> bool:
        return self.reach not in COVERING

    @property
    def note(self) -> str:
        """How it reaches the case, in words: what the caseworker weighs."""
        names = ", ".join(self.regions)
        org = self.organisation
        match self.reach:
            case Reach.PATHWAY:
                return _("On the referral pathway for %(regions)s") % {"regions": names}
            case Reach.PATHWAY_COUNTRY:
                return _("On the referral pathway for the whole country")
            case Reach.REGION:
                return _("Covers the case's region")
            case Reach.COUNTRY:
                return _("Works in %(country)s") % {"country": org.country.name}
            case Reach.NEIGHBOUR:
                return _("Covers a neighbouring region: %(regions)s") % {"regions": names}
            case Reach.OTHER_REGION:
                return _("Covers another region: %(regions)s") % {"regions": names}
            case Reach.NATIONAL:
                return _("National coverage")
            case Reach.CROSS_BORDER:
                return _("Cross-border: %(country)s") % {"country": org.country.name}
        return ""


def _offering(service: str, *, exclude: int | None, receiving_only: bool):
    qs = Organisation.objects.filter(
        is_active=True, services__contains=ChoiceListField.has(service)
    )
    if receiving_only:
        qs = qs.filter(receives_referrals=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs


def partner_finder(
    *,
    service: str,
    country: str,
    region: Region | None,
    exclude: int | None = None,
    receiving_only: bool = False,
    with_directory: bool = False,
    steps: list[PathwayStep] | None = None,
) -> list[Suggestion]:
    """The partners to refer a case of `country` (and `region`, if known) to for `service`,
    best first, each with how it reaches the case:

    1. the SOP's pathway for the region, in order, then for the whole country;
    2. if the pathway names none: the directory's partners offering the service in the
       region (in the country, for a case with no region);
    3. if still none, each marked as a fallback: partners covering a neighbouring region
       (the small table of partners/regions.py), then another region of the country; then
       partners with national coverage (no region listed); then partners in other
       countries, for a cross-border referral.

    "Nearest" is only as good as what we know: there is no map here, so a region is near
    when the table says it borders the case's, and otherwise simply in the same country.
    An empty list means that no active partner offers the service anywhere. `exclude` is
    the referring organisation; `receiving_only` keeps the partners that answer referrals
    in this system, and `with_directory` adds the directory's partners of the region after
    the pathway's (both: the referral form's list); `steps` are the pathway steps already
    read for this country and region (several services at once)."""
    if steps is None:
        steps = list(_pathway_steps(services=[service], country=country, region=region))
    found: list[Suggestion] = []
    for step in steps:
        partner = step.partner
        if step.service_type != service or partner.pk == exclude:
            continue
        if receiving_only and not partner.receives_referrals:
            continue
        if all(s.organisation.pk != partner.pk for s in found):
            if step.region_id and region is not None:
                found.append(Suggestion(partner, Reach.PATHWAY, (region.name,)))
            else:
                found.append(Suggestion(partner, Reach.PATHWAY_COUNTRY))
    if found and not with_directory:
        return found
    offering = _offering(service, exclude=exclude, receiving_only=receiving_only)
    local = offering.filter(country=country).exclude(pk__in=[s.organisation.pk for s in found])
    if region is not None:
        local = local.filter(regions=region)
    found += [
        Suggestion(org, Reach.REGION if region is not None else Reach.COUNTRY)
        for org in local.order_by("name")[:FALLBACK_LIMIT]
    ]
    if found:
        return found
    return _fallbacks(offering, country=country, region=region)


def _fallbacks(offering, *, country: str, region: Region | None) -> list[Suggestion]:
    found: list[Suggestion] = []
    if region is not None:
        near = neighbours(country, region.name)
        elsewhere = offering.filter(country=country, regions__isnull=False).distinct()
        nearby: list[Suggestion] = []
        further: list[Suggestion] = []
        for org in elsewhere.prefetch_related("regions").order_by("name"):
            covered = [r.name for r in org.regions.all() if r.country.code == str(country)]
            bordering = tuple(name for name in covered if name in near)
            if bordering:
                nearby.append(Suggestion(org, Reach.NEIGHBOUR, bordering))
            else:
                further.append(Suggestion(org, Reach.OTHER_REGION, tuple(covered[:3])))
        found += (nearby + further)[:FALLBACK_LIMIT]
    national = offering.filter(country=country, regions__isnull=True).order_by("name")
    found += [Suggestion(org, Reach.NATIONAL) for org in national[:FALLBACK_LIMIT]]
    abroad = offering.exclude(country=country).order_by("country", "name")
    found += [Suggestion(org, Reach.CROSS_BORDER) for org in abroad[:FALLBACK_LIMIT]]
    return found


def _pathway_steps(
    *, services: list[str], country: str, region: Region | None
) -> QuerySet[PathwayStep]:
    """The SOP's steps for these services in the region, then in the whole country."""
    where = Q(region__isnull=True)
    if region is not None:
        where |= Q(region=region)
    return (
        PathwayStep.objects.filter(
            country=country, service_type__in=services, partner__is_active=True
        )
        .filter(where)
        .select_related("partner")
        .order_by("service_type", F("region").asc(nulls_last=True), "rank")
    )


def finder_for_needs(
    *, needs: list[str], country: str, region: Region | None, exclude: int | None = None
) -> list[tuple[str, list[Suggestion]]]:
    """The finder for each need of an assessment, the pathway read once for all of them."""
    steps = list(_pathway_steps(services=needs, country=country, region=region))
    return [
        (
            need,
            partner_finder(
                service=need, country=country, region=region, exclude=exclude, steps=steps
            ),
        )
        for need in needs
    ]
