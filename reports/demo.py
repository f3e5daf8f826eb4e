"""Demo action plan (CAR's 2020 plan from the seeds), indicators for the plan and for two
projects, SDG tags, and a report subscription. Idempotent."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from partners.models import Organisation
from reports.models import (
    ActionPlan,
    ActionPoint,
    Indicator,
    IndicatorTarget,
    Pillar,
    Project,
    ReportSubscription,
)
from trainings.models import TrainingSession

PILLARS = [
    ("prevention", "Prévention"),
    ("protection", "Protection"),
    ("prosecution", "Poursuites"),
    ("partnership", "Partenariat"),
]
# The key action points the seed names (all under the prosecution pillar), with their state.
ACTION_POINTS = [
    (
        "3.1",
        "prosecution",
        "Nommer un membre du parquet et un juge d'instruction chargés des "
        "affaires de traite des personnes",
        "completed",
        "MJDH",
    ),
    (
        "3.2",
        "prosecution",
        "Définir une politique pénale envers les auteurs de traite des "
        "personnes pour appliquer effectivement les peines prévues",
        "in_progress",
        "",
    ),
    (
        "3.3",
        "prosecution",
        "Créer une base de données de jurisprudence sur la traite des personnes",
        "delayed",
        "",
    ),
    (
        "3.4",
        "prosecution",
        "Organiser un atelier de renforcement des capacités des magistrats "
        "sur la traite des personnes à Bangui",
        "completed",
        "",
    ),
    (
        "3.5",
        "prosecution",
        "Organiser des audiences spéciales sur la traite des personnes, selon "
        "le nombre d'affaires en cours",
        "not_started",
        "",
    ),
]
PLAN_INDICATORS = [
    (
        "NAP-1",
        "Magistrats formés sur la traite",
        "people_trained_audience",
        "magistrates",
        30,
        "prosecution",
    ),
    ("NAP-2", "Victimes présumées identifiées", "victims_identified", "", 100, "protection"),
    ("NAP-3", "Référencements aboutis", "referrals_completed", "", 50, "protection"),
    (
        "NAP-4",
        "Sessions sur le cadre juridique",
        "sessions_on_topic",
        "legal_framework",
        10,
        "prevention",
    ),
    ("NAP-5", "Actions clés réalisées", "action_points_completed", "", 44, "partnership"),
    ("NAP-6", "Base de jurisprudence en ligne", "manual", "", 1, "prosecution"),
]
PROJECT_INDICATORS = {
    "CF-TIP-2025": (
        ["8.7", "16.2"],
        [
            ("1.1", "Personnes formées ou sensibilisées", "people_trained", "", 300),
            ("1.2", "Victimes identifiées et assistées", "victims_identified", "", 150),
            ("1.3", "Référencements aboutis", "referrals_completed", "", 80),
            ("1.4", "Magistrats formés", "people_trained_audience", "magistrates", 40),
        ],
    ),
    "GN-UNTFHS-2023": (
        ["5.2", "8.7", "10.7"],
        [
            (
                "1",
                "Acteurs formés à la protection",
                "people_trained_audience",
                "civil_society",
                100,
            ),
            (
                "2",
                "Leaders et membres communautaires sensibilisés",
                "people_trained_audience",
                "community_leaders",
                500,
            ),
            (
                "3",
                "Participants au webinaire régional",
                "people_trained_audience",
                "humanitarian_workers",
                50,
            ),
            (
                "4",
                "Ambassadeurs migrants nommés",
                "people_trained_audience",
                "migrants_returnees",
                20,
            ),
        ],
    ),
    "CF-CAN-SGBV": (
        ["5.2", "16.2"],
        [
            (
                "1",
                "Pairs éducateurs formés sur les VBG",
                "people_trained_audience",
                "peer_educators",
                100,
            ),
        ],
    ),
}


@transaction.atomic
def load() -> None:
    orgs = {o.acronym: o for o in Organisation.objects.exclude(acronym="")}
    plan, _ = ActionPlan.objects.get_or_create(
        code="CF-NAP-2020",
        defaults={
            "country": "CF",
            "title": "Plan d'action national de lutte contre la traite des personnes 2020",
            "period_start": date(2020, 3, 13),
            "period_end": date(2023, 12, 31),
            "adopted_on": date(2020, 3, 13),
            "coordinating_body": orgs.get("CNLTP-RCA"),
        },
    )
    pillars = {}
    for order, (code, name) in enumerate(PILLARS, start=1):
        pillars[code], _ = Pillar.objects.get_or_create(
            plan=plan, code=code, defaults={"name": name, "order": order}
        )
    for number, pillar, text, status, _lead in ACTION_POINTS:
        ActionPoint.objects.get_or_create(
            plan=plan,
            number=number,
            defaults={
                "pillar": pillars[pillar],
                "text": text,
                "status": status,
                "start_date": date(2020, 3, 13),
                "due_date": date(2021, 12, 31),
            },
        )
    magistrates_point = ActionPoint.objects.get(plan=plan, number="3.4")
    for session in TrainingSession.objects.filter(audiences__contains=";magistrates;"):
        session.action_points.add(magistrates_point)
    for code, name, computation, parameter, target, pillar in PLAN_INDICATORS:
        Indicator.objects.get_or_create(
            plan=plan,
            code=code,
            defaults={
                "name": name,
                "computation": computation,
                "parameter": parameter,
                "target": target,
                "pillar": pillars[pillar],
                "unit": "actions" if "action" in computation else "personnes",
                "sdg_targets": ["16.2", "8.7"],
            },
        )
    for project_code, (sdgs, rows) in PROJECT_INDICATORS.items():
        project = Project.objects.filter(code=project_code).first()
        if project is None:
            continue
        Project.objects.filter(pk=project.pk).update(sdg_targets=f";{';'.join(sdgs)};")
        for code, name, computation, parameter, target in rows:
            indicator, created = Indicator.objects.get_or_create(
                project=project,
                code=code,
                defaults={
                    "name": name,
                    "computation": computation,
                    "parameter": parameter,
                    "target": target,
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
                        target=round(target / len(years)),
                    )
    mne = User.objects.filter(username="mne").first()
    if mne is not None:
        ReportSubscription.objects.get_or_create(
            user=mne, kind="operational", parameters_key="country=CF"
        )
