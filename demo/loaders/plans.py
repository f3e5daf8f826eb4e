"""CAR's 2020 action plan (pillars, key action points, indicators), the indicators and SDG
tags of three projects, and a report subscription. Idempotent.

Written to the models directly: plans, indicators, a project's SDG targets and report
subscriptions are entered in the admin, and no service writes them."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from demo.data.plans import (
    ACTION_POINT_PERIOD,
    ACTION_POINTS,
    MAGISTRATES_TRAINING_POINT,
    PILLARS,
    PLAN,
    PLAN_INDICATORS,
    PLAN_SDG_TARGETS,
    PROJECT_INDICATORS,
    SUBSCRIPTIONS,
)
from partners.models import Organisation
from programmes.models import Project
from reports.models import (
    ActionPlan,
    ActionPoint,
    Indicator,
    IndicatorTarget,
    Pillar,
    ReportSubscription,
)
from trainings.models import TrainingSession


@transaction.atomic
def load() -> None:
    _plan()
    _project_indicators()
    for row in SUBSCRIPTIONS:
        user = User.objects.filter(username=row["user"]).first()
        if user is not None:
            ReportSubscription.objects.get_or_create(
                user=user, kind=row["kind"], parameters_key=row["parameters_key"]
            )


def _plan() -> ActionPlan:
    orgs = {o.acronym: o for o in Organisation.objects.exclude(acronym="")}
    fields = {key: value for key, value in PLAN.items() if key != "code"}
    fields["coordinating_body"] = orgs.get(PLAN["coordinating_body"])
    plan, _ = ActionPlan.objects.get_or_create(code=PLAN["code"], defaults=fields)
    pillars = {}
    for order, row in enumerate(PILLARS, start=1):
        pillars[row["code"]], _ = Pillar.objects.get_or_create(
            plan=plan, code=row["code"], defaults={"name": row["name"], "order": order}
        )
    for row in ACTION_POINTS:
        ActionPoint.objects.get_or_create(
            plan=plan,
            number=row["number"],
            defaults={
                "pillar": pillars[row["pillar"]],
                "text": row["text"],
                "status": row["status"],
                **ACTION_POINT_PERIOD,
            },
        )
    magistrates_point = ActionPoint.objects.get(plan=plan, number=MAGISTRATES_TRAINING_POINT)
    for session in TrainingSession.objects.filter(audiences__contains=";magistrates;"):
        session.action_points.add(magistrates_point)
    for row in PLAN_INDICATORS:
        Indicator.objects.get_or_create(
            plan=plan,
            code=row["code"],
            defaults={
                "name": row["name"],
                "computation": row["computation"],
                "parameter": row["parameter"],
                "target": row["target"],
                "pillar": pillars[row["pillar"]],
                "unit": "actions" if "action" in row["computation"] else "personnes",
                "sdg_targets": list(PLAN_SDG_TARGETS),
            },
        )
    return plan


def _project_indicators() -> None:
    for project_code, entry in PROJECT_INDICATORS.items():
        project = Project.objects.filter(code=project_code).first()
        if project is None:
            continue
        sdgs = entry["sdg_targets"]
        Project.objects.filter(pk=project.pk).update(sdg_targets=f";{';'.join(sdgs)};")
        for row in entry["indicators"]:
            indicator, created = Indicator.objects.get_or_create(
                project=project,
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "computation": row["computation"],
                    "parameter": row["parameter"],
                    "target": row["target"],
                    "sdg_targets": sdgs,
                },
            )
            if created and project.end_date.year > project.start_date.year:
                # Yearly milestones: the target spread over the project's years.
                years = list(range(project.start_date.year, project.end_date.year + 1))
                for year in years:
                    IndicatorTarget.objects.create(
                        indicator=indicator,
                        period_start=date(year, 1, 1),
                        period_end=date(year, 12, 31),
                        target=round(row["target"] / len(years)),
                    )
