"""Reads of referrals, through the access policy; statistics aggregate in the database."""

from __future__ import annotations

import json
import statistics
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.audit import log_read
from accounts.models import User
from accounts.policy import Action, can, get_for_user_or_404, scope, statistics_countries
from cases.models import Case
from partners.models import Organisation, Region
from partners.selectors import Suggestion, finder_for_needs
from referrals.models import CLOSED_STATUSES, Referral, ReferralStatus
from traffick_cm import periods, suppression
from traffick_cm.codebooks import ServiceType
from traffick_cm.periods import Period

S = ReferralStatus
ANSWERED = [S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED_NO_SERVICE]
ACCEPTED = [S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED_NO_SERVICE]


def sent_between(start: date, end: date) -> dict[str, Any]:
    """Referrals sent from the start to the end day included, as a range the index serves."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return {"sent_at__gte": first, "sent_at__lt": after}


def outgoing(
    *, actor: User, status: str = "", overdue_only: bool = False, now: datetime | None = None
) -> QuerySet[Referral]:
    qs = scope(actor, "referral", Action.LIST, Referral.objects.all())
    if status:
        qs = qs.filter(status=status)
    if overdue_only and now is not None:
        qs = qs.filter(status=S.SENT, respond_by__lt=now)
    return qs.select_related("case", "to_organisation").order_by("-created_at")


def inbox(
    *, actor: User, status: str = "", overdue_only: bool = False, now: datetime | None = None
) -> QuerySet[Referral]:
    """A partner's referrals, the most pressing first: the open ones before the closed, an
    emergency before a high urgency before a normal one, those waiting for an answer by
    their deadline; then the newest."""
    qs = scope(actor, "referral_inbox", Action.LIST, Referral.objects.all())
    if status:
        qs = qs.filter(status=status)
    if overdue_only and now is not None:
        qs = qs.filter(status=S.SENT, respond_by__lt=now)
    return qs.select_related("from_organisation").order_by(
        "inbox_rank", F("inbox_deadline").asc(nulls_last=True), "-sent_at", "-pk"
    )


def referral_for_referrer(*, actor: User, pk: int, action: Action = Action.VIEW) -> Referral:
    qs = Referral.objects.select_related(
        "case", "to_organisation", "from_organisation", "created_by", "responded_by"
    ).prefetch_related("events__by")
    return get_for_user_or_404(actor, "referral", action, qs, pk=pk)


def referral_for_partner(*, actor: User, pk: int, action: Action = Action.VIEW) -> Referral:
    qs = Referral.objects.select_related(
        "from_organisation", "to_organisation", "created_by", "responded_by"
    ).prefetch_related("events__by")
    return get_for_user_or_404(actor, "referral_inbox", action, qs, pk=pk)


def referral_read_log(*, actor: User, referral: Referral, side: str) -> None:
    """Someone read a referral's details (its reason and the packet shared with the
    partner): audited like a case file viewed. `side` is "referrer" or "partner"."""
    log_read(
        "referrals.referral.viewed",
        actor=actor,
        target=referral,
        data={"case": referral.case_id, "side": side},
    )


def packet_visible(referral: Referral, *, now: datetime) -> bool:
    """A partner sees the packet while the referral is open, and for a configurable time
    after it closes; then only the referral's metadata. A packet withdrawn (consent ended,
    referral cancelled) is never visible, whatever is still stored."""
    if referral.packet_withdrawn:
        return False
    if referral.status not in CLOSED_STATUSES or referral.closed_at is None:
        return True
    retention = timedelta(days=settings.REFERRAL_PACKET_RETENTION_DAYS)
    return now < referral.closed_at + retention


def packet(referral: Referral) -> dict[str, Any]:
    return json.loads(referral.packet) if referral.packet else {}


def pathway_suggestions(*, case: Case, needs: list[str]) -> list[tuple[str, list[Suggestion]]]:
    """For each need: the partners the finder suggests for the case's country and region
    (the SOP's pathway, the directory, then the fallbacks, each marked as such)."""
    return finder_for_needs(
        needs=needs,
        country=case.identified_country.code,
        region=case.identified_region,
        exclude=case.organisation_id,
    )


# How long an answer stays among a caseworker's recent referral outcomes (the home page).
RECENT_OUTCOME_DAYS = 30
OUTCOMES = [S.ACCEPTED, S.IN_PROGRESS, S.DECLINED, S.COMPLETED, S.CLOSED_NO_SERVICE]


def recent_outcomes(*, actor: User, now: datetime, limit: int = 10) -> QuerySet[Referral]:
    """The answers partners gave to the referrals of the user's cases lately, latest first:
    accepted, declined, completed or closed without service (dated by the answer, or by
    the closing when there was one)."""
    qs = scope(actor, "referral", Action.LIST, Referral.objects.all())
    return (
        qs.filter(status__in=OUTCOMES)
        .annotate(outcome_at=Coalesce("closed_at", "responded_at"))
        .filter(outcome_at__gte=now - timedelta(days=RECENT_OUTCOME_DAYS))
        .select_related("case", "to_organisation")
        .order_by("-outcome_at", "-pk")[:limit]
    )


def _median_hours(pairs: list[tuple[datetime, datetime]]) -> float | None:
    hours = [
        (answered - sent).total_seconds() / 3600 for sent, answered in pairs if sent and answered
    ]
    return round(statistics.median(hours), 1) if hours else None


def _statistics_referrals(actor: User) -> tuple[QuerySet[Referral], frozenset[str] | None, bool]:
    """The referrals a user's statistics count, the countries they cover, and whether the
    figures are exact. The case team counts its own referrals (those of the cases it may
    see), exactly; everyone else counts the referrals made or received in the countries the
    access policy gives them, and sees them released as outside the case team."""
    qs = Referral.objects.filter(sent_at__isnull=False).exclude(to_organisation__isnull=True)
    if can(actor, "referral", Action.LIST):
        own = scope(actor, "referral", Action.LIST, Referral.objects.all())
        return qs.filter(pk__in=own.values("pk")), _own_country(actor), True
    countries = statistics_countries(actor, "referral_statistics")
    if countries is not None:
        qs = qs.filter(
            Q(from_organisation__country__in=countries) | Q(to_organisation__country__in=countries)
        )
    return qs, countries, False


def _own_country(actor: User) -> frozenset[str] | None:
    return frozenset({actor.organisation.country.code}) if actor.organisation_id else None


def _sent_in(qs: QuerySet[Referral], start: date | None, end: date | None) -> QuerySet[Referral]:
    if start is not None and end is not None:
        qs = qs.filter(**sent_between(start, end))
    return qs


def partner_statistics(*, actor: User, period: Period | None = None) -> dict[str, Any]:
    """Per partner: referrals received, acceptance rate, median hours to respond, completion
    rate; and counts per service type and region, and cross-border. The exact figures, over
    the referrals the user's statistics count (see `_statistics_referrals`), in the period
    (all of them without one)."""
    base, _countries, _exact = _statistics_referrals(actor)
    qs = _sent_in(base, *(period.start, period.end) if period else (None, None))
    rows = (
        qs.values("to_organisation", "to_organisation__name")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(status__in=ANSWERED)),
            accepted=Count("pk", filter=Q(status__in=ACCEPTED)),
            completed=Count("pk", filter=Q(status=S.COMPLETED)),
        )
        .order_by("to_organisation__name")
    )
    times: dict[int, list[tuple[datetime, datetime]]] = {}
    for org_id, sent, answered in qs.filter(responded_at__isnull=False).values_list(
        "to_organisation", "sent_at", "responded_at"
    ):
        times.setdefault(org_id, []).append((sent, answered))
    partners = []
    for row in rows:
        partners.append(
            {
                "name": row["to_organisation__name"],
                "received": row["received"],
                "acceptance_rate": _rate(row["accepted"], row["answered"]),
                "completion_rate": _rate(row["completed"], row["accepted"]),
                "median_response_hours": _median_hours(times.get(row["to_organisation"], [])),
            }
        )
    by_service = list(qs.values("service_type").annotate(n=Count("pk")).order_by("service_type"))
    by_region = list(
        qs.values("case__identified_region__name")
        .annotate(n=Count("pk"))
        .order_by("case__identified_region__name")
    )
    cross_border = qs.exclude(destination_country=F("from_organisation__country"))
    by_destination = list(
        cross_border.values("destination_country")
        .annotate(n=Count("pk"))
        .order_by("destination_country")
    )
    return {
        "partners": partners,
        "by_service": by_service,
        "by_region": by_region,
        "by_destination": by_destination,
        "total": qs.count(),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole) if whole else None


# Released outside the case team: the same tables, over a calendar period, each a group of
# traffick_cm/suppression.py, rolled up from months like every other figure about victims.

OTHER = "other"


def _partners(base: QuerySet[Referral], countries: frozenset[str] | None) -> list[tuple]:
    """The partners the table names, whatever the period (a partner missing from a period's
    table would read as 0): those of the countries covered that ever received a referral
    counted; the referrals to partners elsewhere are "other partners"."""
    qs = Organisation.objects.filter(pk__in=base.values("to_organisation"))
    if countries is not None:
        qs = qs.filter(country__in=countries)
    return list(qs.order_by("name").values_list("pk", "name"))


def _named_destinations(base: QuerySet[Referral], period: Period) -> list[str]:
    """Destinations named: at least k cross-border referrals the year before the period's
    (a complete year: the list never changes afterwards); the others are "other"."""
    k = suppression.threshold()
    rows = (
        base.filter(sent_at__year=period.year - 1)
        .exclude(destination_country=F("from_organisation__country"))
        .values("destination_country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return sorted(str(row["destination_country"]) for row in rows if row["n"] >= k)


def _regions(countries: frozenset[str] | None) -> list[tuple[str, str]]:
    qs = Region.objects.all() if countries is None else Region.objects.filter(country__in=countries)
    return [(str(pk), name) for pk, name in qs.order_by("name").values_list("pk", "name")]


def _monthly(
    qs: QuerySet[Referral], partners: set[int], destinations: set[str]
) -> dict[Period, dict[str, int]]:
    monthly: dict[Period, dict[str, int]] = {}

    def add(month, key: str, n: int) -> None:
        cells = monthly.setdefault(periods.containing(month.date(), periods.Unit.MONTH), {})
        cells[key] = cells.get(key, 0) + n

    by_month = qs.annotate(_month=TruncMonth("sent_at"))
    for month, n in by_month.values_list("_month").annotate(n=Count("pk")).order_by():
        add(month, "received", n)
    for month, org, n in (
        by_month.values_list("_month", "to_organisation").annotate(n=Count("pk")).order_by()
    ):
        add(month, f"p:{org}" if org in partners else f"p:{OTHER}", n)
    for month, code, n in (
        by_month.values_list("_month", "service_type").annotate(n=Count("pk")).order_by()
    ):
        add(month, f"t:{code}", n)
    for month, region, n in (
        by_month.values_list("_month", "case__identified_region").annotate(n=Count("pk")).order_by()
    ):
        add(month, f"r:{region or 'none'}", n)
    domestic = Q(destination_country=F("from_organisation__country"))
    for month, code, is_domestic, n in (
        by_month.annotate(_domestic=ExpressionWrapper(domestic, output_field=BooleanField()))
        .values_list("_month", "destination_country", "_domestic")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if is_domestic:
            key = "d:domestic"
        else:
            key = f"d:{code}" if str(code) in destinations else f"d:{OTHER}"
        add(month, key, n)
    return monthly


def statistics_bounds(*, actor: User) -> tuple[date | None, date | None]:
    """The first and last days a referral the user's statistics count was sent."""
    base, _countries, _exact = _statistics_referrals(actor)
    row = base.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    return tuple(  # type: ignore[return-value]
        timezone.localtime(value).date() if value else None for value in (row["first"], row["last"])
    )


def released_statistics(*, actor: User, period: Period) -> dict[str, Any]:
    """The statistics page's figures over a calendar period: exact for the case team's own
    referrals; otherwise released as outside the case team (small counts hidden with
    complement, zeros beside them hidden, consistently with the months of the period),
    rates and medians only over enough referrals that they tell no one's answer."""
    base, countries, exact = _statistics_referrals(actor)
    if exact:
        return {**partner_statistics(actor=actor, period=period), "exact": True}
    k = suppression.threshold()
    partners = _partners(base, countries)
    destinations = _named_destinations(base, period)
    regions = [*_regions(countries), ("none", "")]
    layout = suppression.Layout(
        "received",
        {
            "partners": [f"p:{pk}" for pk, _name in partners] + [f"p:{OTHER}"],
            "by_service": [f"t:{code}" for code in ServiceType.values],
            "by_region": [f"r:{key}" for key, _name in regions],
            "by_destination": [f"d:{code}" for code in destinations] + [f"d:{OTHER}", "d:domestic"],
        },
    )
    qs = _sent_in(base, period.start, period.end)
    monthly = _monthly(qs, {pk for pk, _name in partners}, set(destinations))
    released = suppression.release(layout, monthly, period, k)
    counts = _partner_counts(qs)
    rows = []
    for pk, name in [*partners, (OTHER, None)]:
        key = f"p:{pk}"
        numbers = counts.get(pk) if key not in released.hidden and name is not None else None
        rows.append(
            {
                "name": name,
                "received": released.shown(key),
                # Rates and medians over a hidden count, or over a few referrals, would tell
                # what it hides or how each one went.
                "acceptance_rate": numbers
                and _released_rate(numbers["accepted"], numbers["answered"], k),
                "completion_rate": numbers
                and _released_rate(numbers["completed"], numbers["accepted"], k),
                "median_response_hours": _median_hours(numbers["times"])
                if numbers and len(numbers["times"]) >= k
                else None,
            }
        )
    return {
        "exact": False,
        "partners": rows,
        "by_service": [
            {"service_type": key.split(":", 1)[1], "n": released.shown(key)}
            for key in layout.groups["by_service"]
        ],
        "by_region": [
            {"case__identified_region__name": name, "n": released.shown(f"r:{key}")}
            for key, name in regions
        ],
        "by_destination": [
            {"destination_country": key.split(":", 1)[1], "n": released.shown(key)}
            for key in layout.groups["by_destination"]
            if key != "d:domestic"
        ],
        "total": released.total,
    }


def _partner_counts(qs: QuerySet[Referral]) -> dict[int, dict[str, Any]]:
    counts: dict[int, dict[str, Any]] = {
        row.pop("to_organisation"): {**row, "times": []}
        for row in qs.values("to_organisation")
        .annotate(
            answered=Count("pk", filter=Q(status__in=ANSWERED)),
            accepted=Count("pk", filter=Q(status__in=ACCEPTED)),
            completed=Count("pk", filter=Q(status=S.COMPLETED)),
        )
        .order_by()
    }
    for org_id, sent, answered in qs.filter(responded_at__isnull=False).values_list(
        "to_organisation", "sent_at", "responded_at"
    ):
        counts[org_id]["times"].append((sent, answered))
    return counts


def _released_rate(part: int, whole: int, k: int) -> float | None:
    """A rate outside the case team: only over k or more, and only when neither the part nor
    the rest is a small count (80 % of 5 answers is one refusal)."""
    if whole < k or suppression.is_small(part, k) or suppression.is_small(whole - part, k):
        return None
    return _rate(part, whole)
