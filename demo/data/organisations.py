"""The organisations of the seed documents, the directory entries of those that take
referrals, and the referral pathways (the SOP) between them."""

from __future__ import annotations

from partners.models import OrganisationType

# regions: the regions of its country it covers (by name).
ORGANISATIONS = [
    {
        "name": "IOM Central African Republic",
        "acronym": "IOM CAR",
        "type": OrganisationType.IOM_MISSION,
        "country": "CF",
        "regions": ["Bangui", "Ombella-M'Poko", "Ouham", "Ouaka", "Nana-Mambéré"],
    },
    {
        "name": "IOM Guinea",
        "acronym": "IOM GN",
        "type": OrganisationType.IOM_MISSION,
        "country": "GN",
        "regions": ["Conakry", "Kankan", "Labé", "Mamou", "N'Zérékoré"],
    },
    {
        "name": "IOM Mali",
        "acronym": "IOM ML",
        "type": OrganisationType.IOM_MISSION,
        "country": "ML",
        "regions": ["Bamako", "Gao", "Kayes", "Mopti"],
    },
    {
        "name": "United Nations Office on Drugs and Crime",
        "acronym": "UNODC",
        "type": OrganisationType.UN_AGENCY,
        "country": "CF",
        "regions": ["Bangui"],
    },
    {
        "name": (
            "United Nations Multidimensional Integrated Stabilization Mission in the Central "
            "African Republic"
        ),
        "acronym": "MINUSCA",
        "type": OrganisationType.UN_AGENCY,
        "country": "CF",
        "regions": ["Bangui", "Ouaka", "Ouham"],
    },
    {
        "name": "Office of the United Nations High Commissioner for Human Rights, Guinea",
        "acronym": "OHCHR",
        "type": OrganisationType.UN_AGENCY,
        "country": "GN",
        "regions": ["Conakry", "Labé"],
    },
    {
        "name": "Comité national de coordination de la lutte contre la traite des personnes",
        "acronym": "CNLTP-RCA",
        "type": OrganisationType.NATIONAL_COMMITTEE,
        "country": "CF",
        "regions": [],
    },
    {
        "name": (
            "Ministère de la Promotion de la Femme, de la Famille et de la Protection de l'Enfant"
        ),
        "acronym": "MPFFPE",
        "type": OrganisationType.CENTRAL_GOVERNMENT,
        "country": "CF",
        "regions": [],
    },
    {
        "name": "Comité national de lutte contre la traite des personnes et pratiques assimilées",
        "acronym": "CNLTPPA",
        "type": OrganisationType.NATIONAL_COMMITTEE,
        "country": "GN",
        "regions": [],
    },
    {
        "name": "Ministère de la Promotion Féminine, de l'Enfance et des Personnes Vulnérables",
        "acronym": "MPFEPV",
        "type": OrganisationType.CENTRAL_GOVERNMENT,
        "country": "GN",
        "regions": [],
    },
    {
        "name": "Ministère de l'Action Sociale",
        "acronym": "MAS-GN",
        "type": OrganisationType.CENTRAL_GOVERNMENT,
        "country": "GN",
        "regions": [],
    },
    {
        "name": "Ministère de la Justice et des Droits de l'Homme",
        "acronym": "MJDH-GN",
        "type": OrganisationType.JUDICIARY,
        "country": "GN",
        "regions": [],
    },
    {
        "name": "Ministère de la Sécurité et de la Protection Civile",
        "acronym": "MSPC-GN",
        "type": OrganisationType.CENTRAL_GOVERNMENT,
        "country": "GN",
        "regions": [],
    },
    {
        "name": "Office de protection du genre, de l'enfance et des mœurs",
        "acronym": "OPROGEM",
        "type": OrganisationType.LAW_ENFORCEMENT,
        "country": "GN",
        "regions": ["Conakry", "Kankan", "Labé"],
    },
    {
        "name": "Haut Commandement de la Gendarmerie Nationale",
        "acronym": "HCGN",
        "type": OrganisationType.LAW_ENFORCEMENT,
        "country": "GN",
        "regions": [],
    },
    {
        "name": "Unité mixte d'intervention rapide et de répression des violences sexuelles",
        "acronym": "UMIRR",
        "type": OrganisationType.LAW_ENFORCEMENT,
        "country": "CF",
        "regions": ["Bangui"],
    },
    {
        "name": "Maison d'accueil Espoir",
        "acronym": "MAE",
        "type": OrganisationType.SHELTER,
        "country": "CF",
        "regions": ["Bangui", "Ombella-M'Poko"],
    },
    {
        "name": "Centre de santé communautaire de Bimbo",
        "acronym": "CSC Bimbo",
        "type": OrganisationType.HEALTH,
        "country": "CF",
        "regions": ["Ombella-M'Poko", "Bangui"],
    },
    {
        "name": "Clinique juridique de Bangui",
        "acronym": "CJB",
        "type": OrganisationType.LEGAL,
        "country": "CF",
        "regions": ["Bangui"],
    },
    {
        "name": "Association des jeunes pour la paix et la protection",
        "acronym": "AJPP",
        "type": OrganisationType.CSO,
        "country": "CF",
        "regions": ["Bangui", "Ouaka"],
    },
    {
        "name": "Association guinéenne d'aide aux migrants de retour",
        "acronym": "AGAMR",
        "type": OrganisationType.NGO,
        "country": "GN",
        "regions": ["Conakry", "Labé", "Mamou"],
    },
    {
        "name": "Inspection générale du travail",
        "acronym": "IGT-GN",
        "type": OrganisationType.LABOUR_INSPECTION,
        "country": "GN",
        "regions": ["Conakry"],
    },
]

# The directory entries of the organisations that take referrals, by acronym.
DIRECTORY = {
    "MAE": {
        "services": ["shelter", "mhpss"],
        "languages": ["fra", "sag"],
        "opening_hours": "24 h / 24, 7 j / 7",
        "capacity_note": "20 lits pour femmes et enfants",
        "beds_free": 6,
        "contacts": [
            {
                "name": "Odette Kossi",
                "function": "Coordinatrice",
                "phone": "+236 72 00 00 01",
                "email": "accueil@mae.example.org",
            }
        ],
    },
    "CSC Bimbo": {
        "services": ["medical", "mhpss"],
        "languages": ["fra", "sag"],
        "opening_hours": "Lun–sam 7 h 30–17 h",
        "capacity_note": "",
        "beds_free": None,
        "contacts": [
            {
                "name": "Dr Firmin Gbazi",
                "function": "Médecin-chef",
                "phone": "+236 72 00 00 02",
                "email": "",
            }
        ],
    },
    "CJB": {
        "services": ["legal", "documentation"],
        "languages": ["fra", "sag"],
        "opening_hours": "Lun–ven 8 h–16 h",
        "capacity_note": "",
        "beds_free": None,
        "contacts": [
            {
                "name": "Me Sylvie Ndanga",
                "function": "Avocate",
                "phone": "+236 72 00 00 03",
                "email": "contact@cjb.example.org",
            }
        ],
    },
    "AJPP": {
        "services": ["mhpss", "livelihood", "education", "family_tracing"],
        "languages": ["fra", "sag"],
        "opening_hours": "Lun–ven 8 h–17 h",
        "capacity_note": "",
        "beds_free": None,
        "contacts": [
            {
                "name": "Armel Doui",
                "function": "Chargé de protection",
                "phone": "+236 72 00 00 04",
                "email": "",
            }
        ],
    },
    "UMIRR": {
        "services": ["legal"],
        "languages": ["fra", "sag"],
        "opening_hours": "24 h / 24",
        "capacity_note": "",
        "beds_free": None,
        "contacts": [
            {
                "name": "Cdt Blaise Yangana",
                "function": "Point focal traite",
                "phone": "+236 72 00 00 05",
                "email": "",
            }
        ],
    },
    "AGAMR": {
        "services": ["shelter", "livelihood", "return", "family_tracing"],
        "languages": ["fra", "ful", "sus", "man"],
        "opening_hours": "Lun–sam 8 h–18 h",
        "capacity_note": "12 places d'accueil transitoire",
        "beds_free": 3,
        "contacts": [
            {
                "name": "Mariama Sylla",
                "function": "Coordinatrice",
                "phone": "+224 620 00 00 01",
                "email": "info@agamr.example.org",
            }
        ],
    },
    "OPROGEM": {
        "services": ["legal", "child_protection"],
        "languages": ["fra", "ful", "sus", "man"],
        "opening_hours": "24 h / 24",
        "capacity_note": "",
        "beds_free": None,
        "contacts": [
            {
                "name": "Cdt Alpha Bangoura",
                "function": "Point focal",
                "phone": "+224 620 00 00 02",
                "email": "",
            }
        ],
    },
    "IGT-GN": {
        "services": ["legal"],
        "languages": ["fra"],
        "opening_hours": "Lun–ven 8 h–16 h",
        "capacity_note": "",
        "beds_free": None,
        "contacts": [],
    },
}

# The SOP: by country and region (None: the whole country), the partners for a service, in
# the order a caseworker tries them.
PATHWAYS = [
    {"country": "CF", "region": "Bangui", "service": "shelter", "partners": ["MAE"]},
    {"country": "CF", "region": "Bangui", "service": "medical", "partners": ["CSC Bimbo"]},
    {"country": "CF", "region": "Bangui", "service": "mhpss", "partners": ["AJPP", "MAE"]},
    {"country": "CF", "region": "Bangui", "service": "legal", "partners": ["CJB", "UMIRR"]},
    {"country": "CF", "region": None, "service": "livelihood", "partners": ["AJPP"]},
    {"country": "CF", "region": None, "service": "medical", "partners": ["CSC Bimbo"]},
    {"country": "GN", "region": "Conakry", "service": "shelter", "partners": ["AGAMR"]},
    {"country": "GN", "region": None, "service": "child_protection", "partners": ["OPROGEM"]},
    {"country": "GN", "region": None, "service": "return", "partners": ["AGAMR"]},
    {"country": "GN", "region": None, "service": "legal", "partners": ["OPROGEM", "IGT-GN"]},
]
