"""CAR's 2020 national action plan from the seed documents (its pillars, the key action points
the seed names, its indicators), the indicators of three projects, and a report
subscription."""

from __future__ import annotations

from datetime import date

PLAN = {
    "code": "CF-NAP-2020",
    "country": "CF",
    "title": "Plan d'action national de lutte contre la traite des personnes 2020",
    "period_start": date(2020, 3, 13),
    "period_end": date(2023, 12, 31),
    "adopted_on": date(2020, 3, 13),
    "coordinating_body": "CNLTP-RCA",
}
# The dates every action point of the plan runs between.
ACTION_POINT_PERIOD = {"start_date": date(2020, 3, 13), "due_date": date(2021, 12, 31)}
# The training sessions for magistrates carry out this action point.
MAGISTRATES_TRAINING_POINT = "3.4"
# SDG targets of every plan indicator.
PLAN_SDG_TARGETS = ["16.2", "8.7"]

PILLARS = [
    {"code": "prevention", "name": "Prévention"},
    {"code": "protection", "name": "Protection"},
    {"code": "prosecution", "name": "Poursuites"},
    {"code": "partnership", "name": "Partenariat"},
]

# The key action points the seed names, all under the prosecution pillar, with their state.
# The seed names the Ministry of Justice (MJDH) as the lead of 3.1: not a demo organisation,
# so no lead is set.
ACTION_POINTS = [
    {
        "number": "3.1",
        "pillar": "prosecution",
        "text": (
            "Nommer un membre du parquet et un juge d'instruction chargés des "
            "affaires de traite des personnes"
        ),
        "status": "completed",
    },
    {
        "number": "3.2",
        "pillar": "prosecution",
        "text": (
            "Définir une politique pénale envers les auteurs de traite des "
            "personnes pour appliquer effectivement les peines prévues"
        ),
        "status": "in_progress",
    },
    {
        "number": "3.3",
        "pillar": "prosecution",
        "text": "Créer une base de données de jurisprudence sur la traite des personnes",
        "status": "delayed",
    },
    {
        "number": "3.4",
        "pillar": "prosecution",
        "text": (
            "Organiser un atelier de renforcement des capacités des magistrats "
            "sur la traite des personnes à Bangui"
        ),
        "status": "completed",
    },
    {
        "number": "3.5",
        "pillar": "prosecution",
        "text": (
            "Organiser des audiences spéciales sur la traite des personnes, selon "
            "le nombre d'affaires en cours"
        ),
        "status": "not_started",
    },
]

# pillar: a pillar's code.
PLAN_INDICATORS = [
    {
        "code": "NAP-1",
        "name": "Magistrats formés sur la traite",
        "computation": "people_trained_audience",
        "parameter": "magistrates",
        "target": 30,
        "pillar": "prosecution",
    },
    {
        "code": "NAP-2",
        "name": "Victimes présumées identifiées",
        "computation": "victims_identified",
        "parameter": "",
        "target": 100,
        "pillar": "protection",
    },
    {
        "code": "NAP-3",
        "name": "Référencements aboutis",
        "computation": "referrals_completed",
        "parameter": "",
        "target": 50,
        "pillar": "protection",
    },
    {
        "code": "NAP-4",
        "name": "Sessions sur le cadre juridique",
        "computation": "sessions_on_topic",
        "parameter": "legal_framework",
        "target": 10,
        "pillar": "prevention",
    },
    {
        "code": "NAP-5",
        "name": "Actions clés réalisées",
        "computation": "action_points_completed",
        "parameter": "",
        "target": 44,
        "pillar": "partnership",
    },
    {
        "code": "NAP-6",
        "name": "Base de jurisprudence en ligne",
        "computation": "manual",
        "parameter": "",
        "target": 1,
        "pillar": "prosecution",
    },
]

# By project code: its SDG targets and its indicators.
PROJECT_INDICATORS = {
    "CF-TIP-2025": {
        "sdg_targets": ["8.7", "16.2"],
        "indicators": [
            {
                "code": "1.1",
                "name": "Personnes formées ou sensibilisées",
                "computation": "people_trained",
                "parameter": "",
                "target": 300,
            },
            {
                "code": "1.2",
                "name": "Victimes identifiées et assistées",
                "computation": "victims_identified",
                "parameter": "",
                "target": 150,
            },
            {
                "code": "1.3",
                "name": "Référencements aboutis",
                "computation": "referrals_completed",
                "parameter": "",
                "target": 80,
            },
            {
                "code": "1.4",
                "name": "Magistrats formés",
                "computation": "people_trained_audience",
                "parameter": "magistrates",
                "target": 40,
            },
        ],
    },
    "GN-UNTFHS-2023": {
        "sdg_targets": ["5.2", "8.7", "10.7"],
        "indicators": [
            {
                "code": "1",
                "name": "Acteurs formés à la protection",
                "computation": "people_trained_audience",
                "parameter": "civil_society",
                "target": 100,
            },
            {
                "code": "2",
                "name": "Leaders et membres communautaires sensibilisés",
                "computation": "people_trained_audience",
                "parameter": "community_leaders",
                "target": 500,
            },
            {
                "code": "3",
                "name": "Participants au webinaire régional",
                "computation": "people_trained_audience",
                "parameter": "humanitarian_workers",
                "target": 50,
            },
            {
                "code": "4",
                "name": "Ambassadeurs migrants nommés",
                "computation": "people_trained_audience",
                "parameter": "migrants_returnees",
                "target": 20,
            },
        ],
    },
    "CF-CAN-SGBV": {
        "sdg_targets": ["5.2", "16.2"],
        "indicators": [
            {
                "code": "1",
                "name": "Pairs éducateurs formés sur les VBG",
                "computation": "people_trained_audience",
                "parameter": "peer_educators",
                "target": 100,
            }
        ],
    },
}

# kind and parameters_key of ReportSubscription; user: a demo username.
SUBSCRIPTIONS = [{"user": "mne", "kind": "operational", "parameters_key": "country=CF"}]
