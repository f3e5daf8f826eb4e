"""Reads of sessions through the access policy; totals aggregate in the database."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.audit import log_read
from accounts.models import User
from accounts.policy import Action, get_child_or_404, get_for_user_or_404, scope
from partners.models import Organisation
from partners.selectors import organisation_choices
from programmes.models import Project
from traffick_cm.fields import ChoiceListField
from trainings import vocabularies as v
from trainings.models import SessionAttachment, TrainingSession


def filtered(qs: QuerySet[TrainingSession], criteria: dict[str, Any]) -> QuerySet[TrainingSession]:
    """Filters shared by the list, the totals and the exports."""
    if criteria.get("date_from"):
        qs = qs.filter(start_date__gte=criteria["date_from"])
    if criteria.get("date_to"):
        qs = qs.filter(start_date__lte=criteria["date_to"])
    for field in ("session_type", "country"):
        if criteria.get(field):
            qs = qs.filter(**{field: criteria[field]})
    if criteria.get("topic"):
        qs = qs.filter(topics__contains=ChoiceListField.has(criteria["topic"]))
    if criteria.get("audience"):
        qs = qs.filter(audiences__contains=ChoiceListField.has(criteria["audience"]))
    if criteria.get("region"):
        qs = qs.filter(region=criteria["region"])
    if criteria.get("organiser"):
        qs = qs.filter(organiser=criteria["organiser"])
    if criteria.get("project"):
        qs = qs.filter(project=criteria["project"])
    return qs


def session_list(*, actor: User, criteria: dict[str, Any], action: Action = Action.LIST):
    qs = scope(actor, "training", action, TrainingSession.objects.all())
    return (
        filtered(qs, criteria)
        .select_related("organiser", "region", "project")
        .order_by("-start_date", "title")
    )


def project_choices(*, actor: User) -> QuerySet[Project]:
    """The funding projects a session of the user's organisation may name: its own. The
    session form and the import both use this list."""
    return Project.objects.filter(organisations=actor.organisation_id).order_by("code")


def partner_choices(*, actor: User) -> QuerySet[Organisation]:
    """The co-organising partners a session of the user's organisation may name: active
    organisations other than its own. The session form and the import both use this list."""
    return organisation_choices().exclude(pk=actor.organisation_id)


def session_for(*, actor: User, pk: int, action: Action = Action.VIEW) -> TrainingSession:
    qs = TrainingSession.objects.select_related("organiser", "region", "project", "created_by")
    return get_for_user_or_404(actor, "training", action, qs, pk=pk)


def attachment_for_download(*, actor: User, pk: int) -> SessionAttachment:
    """An attachment of a session whose register the user may read, or 404: attendance
    sheets list people, so the register's rule applies. The download is audited against the
    session."""
    attachment = get_child_or_404(
        actor,
        "training_register",
        Action.VIEW,
        SessionAttachment.objects.select_related("session"),
        via="session",
        pk=pk,
    )
    log_read(
        "trainings.attachment.downloaded",
        actor=actor,
        target=attachment.session,
        data={"attachment": attachment.pk},
    )
    return attachment


def totals(qs: QuerySet[TrainingSession]) -> dict[str, Any]:
    """Sessions and people reached, by sex, audience, type and region, in a few queries.
    A session with several audiences counts its participants under each audience."""
    qs = qs.order_by()

    def _sum(field: str, **filters: Any) -> Any:
        return Coalesce(Sum(field, filter=Q(**filters) if filters else None), 0)

    overall = qs.aggregate(
        sessions=Count("pk"),
        female=_sum("participants_female"),
        male=_sum("participants_male"),
        other=_sum("participants_other"),
        total=_sum("participants_total"),
    )
    audience_aggregates = {}
    for code in v.Audience.values:
        has = {"audiences__contains": ChoiceListField.has(code)}
        audience_aggregates[f"s_{code}"] = Count("pk", filter=Q(**has))
        audience_aggregates[f"p_{code}"] = _sum("participants_total", **has)
    by_audience_raw = qs.aggregate(**audience_aggregates)
    by_audience = [
        {
            "code": code,
            "label": label,
            "sessions": by_audience_raw[f"s_{code}"],
            "participants": by_audience_raw[f"p_{code}"],
        }
        for code, label in v.Audience.choices
        if by_audience_raw[f"s_{code}"]
    ]
    by_type = [
        {**row, "label": v.SessionType(row["session_type"]).label}
        for row in qs.values("session_type")
        .annotate(sessions=Count("pk"), participants=_sum("participants_total"))
        .order_by("session_type")
    ]
    by_region = list(
        qs.values("country", "region__name")
        .annotate(
            sessions=Count("pk"),
            female=_sum("participants_female"),
            male=_sum("participants_male"),
            participants=_sum("participants_total"),
        )
        .order_by("country", "region__name")
    )
    return {**overall, "by_audience": by_audience, "by_type": by_type, "by_region": by_region}
