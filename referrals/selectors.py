"""Reads of referrals, through the access policy; statistics aggregate in the database."""

from __future__ import annotations

import json
import statistics
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, get_for_user_or_404, scope
from cases.models import Case
from partners.models import Organisation, PathwayStep
from referrals.models import CLOSED_STATUSES, Referral, ReferralStatus

S = ReferralStatus
ANSWERED = [S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED_NO_SERVICE]
ACCEPTED = [S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED_NO_SERVICE]


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
    qs = scope(actor, "referral_inbox", Action.LIST, Referral.objects.all())
    if status:
        qs = qs.filter(status=status)
    if overdue_only and now is not None:
        qs = qs.filter(status=S.SENT, respond_by__lt=now)
    return qs.select_related("from_organisation").order_by("-sent_at")


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


def packet_visible(referral: Referral, *, now: datetime) -> bool:
    """A partner sees the packet while the referral is open, and for a configurable time
    after it closes; then only the referral's metadata."""
    if referral.status not in CLOSED_STATUSES or referral.closed_at is None:
        return True
    retention = timedelta(days=settings.REFERRAL_PACKET_RETENTION_DAYS)
    return now < referral.closed_at + retention


def packet(referral: Referral) -> dict[str, Any]:
    return json.loads(referral.packet) if referral.packet else {}


def pathway_suggestions(*, case: Case, needs: list[str]) -> list[tuple[str, list[Organisation]]]:
    """For each need: the SOP's partners for the case's region (then the whole country), in
    order; if the SOP names none, the directory's partners offering that service there."""
    country = case.identified_country.code
    steps = (
        PathwayStep.objects.filter(country=country, service_type__in=needs, partner__is_active=True)
        .filter(Q(region=case.identified_region_id) | Q(region__isnull=True))
        .select_related("partner")
        .order_by("service_type", F("region").asc(nulls_last=True), "rank")
    )
    by_need: dict[str, list[Organisation]] = {need: [] for need in needs}
    for step in steps:
        if step.partner not in by_need[step.service_type]:
            by_need[step.service_type].append(step.partner)
    for need, partners in by_need.items():
        if not partners:
            directory = Organisation.objects.filter(
                is_active=True, country=country, services__contains=f";{need};"
            ).exclude(pk=case.organisation_id)
            if case.identified_region_id:
                directory = directory.filter(regions=case.identified_region_id)
            by_need[need] = list(directory.order_by("name")[:5])
    return list(by_need.items())


def _median_hours(pairs: list[tuple[datetime, datetime]]) -> float | None:
    hours = [
        (answered - sent).total_seconds() / 3600 for sent, answered in pairs if sent and answered
    ]
    return round(statistics.median(hours), 1) if hours else None


def partner_statistics(
    *, actor: User, date_from=None, date_to=None, country: str = ""
) -> dict[str, Any]:
    """Per partner: referrals received, acceptance rate, median hours to respond, completion
    rate; and counts per service type and region, and cross-border."""
    qs = Referral.objects.filter(sent_at__isnull=False).exclude(to_organisation__isnull=True)
    if actor.organisation_id and not actor.is_superuser:
        # A national view: the referrals made or received in the user's country.
        country = country or actor.organisation.country.code
    if country:
        qs = qs.filter(Q(from_organisation__country=country) | Q(to_organisation__country=country))
    if date_from:
        qs = qs.filter(sent_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(sent_at__date__lte=date_to)
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
