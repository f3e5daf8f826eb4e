"""The donors and funded projects of the seed documents."""

from __future__ import annotations

from datetime import date

# donor: a donor's acronym; organisations: the implementers' acronyms.
DONORS = [
    {
        "name": "U.S. Department of State Office to Monitor and Combat Trafficking in Persons",
        "acronym": "TIP Office",
        "country": "US",
    },
    {"name": "United Nations Peacebuilding Fund", "acronym": "PBF", "country": ""},
    {"name": "United Nations Trust Fund for Human Security", "acronym": "UNTFHS", "country": "JP"},
    {"name": "Government of Canada", "acronym": "Canada", "country": "CA"},
    {"name": "MINUSCA", "acronym": "MINUSCA", "country": "CF"},
    {"name": "United Nations Development Programme", "acronym": "UNDP", "country": ""},
]

PROJECTS = [
    {
        "code": "GN-UNTFHS-2023",
        "title": (
            "Using the human security approach to empower and protect individuals "
            "against trafficking in persons in Guinea"
        ),
        "donor": "UNTFHS",
        "countries": ["GN"],
        "start_date": date(2023, 3, 1),
        "end_date": date(2024, 6, 30),
        "organisations": ["IOM Guinea", "OHCHR"],
    },
    {
        "code": "CF-CAN-SGBV",
        "title": (
            "Prevention of SGBV among IDPs and host populations in the Central African Republic"
        ),
        "donor": "Canada",
        "countries": ["CF"],
        "start_date": date(2019, 4, 1),
        "end_date": date(2021, 3, 31),
        "organisations": ["IOM CAR"],
    },
    {
        "code": "CF-NAP-2020",
        "title": "Support to the first National Action Plan against trafficking in persons",
        "donor": "MINUSCA",
        "countries": ["CF"],
        "start_date": date(2019, 11, 1),
        "end_date": date(2020, 12, 31),
        "organisations": ["UNODC", "IOM CAR"],
    },
    {
        "code": "CF-PBF-CT",
        "title": "Counter-trafficking and protection of victims in crisis-affected communities",
        "donor": "PBF",
        "countries": ["CF"],
        "start_date": date(2024, 1, 1),
        "end_date": date(2026, 12, 31),
        "organisations": ["IOM CAR"],
    },
    {
        "code": "CF-TIP-2025",
        "title": (
            "Strengthening identification, protection and prosecution of trafficking "
            "in persons in the Central African Republic"
        ),
        "donor": "TIP Office",
        "countries": ["CF"],
        "start_date": date(2025, 1, 1),
        "end_date": date(2027, 6, 30),
        "organisations": ["IOM CAR", "UNODC"],
    },
    {
        "code": "WCA-XB-2025",
        "title": (
            "Cross-border protection of victims of trafficking between Mali, Burkina "
            "Faso, Niger and Nigeria"
        ),
        "donor": "TIP Office",
        "countries": ["ML", "BF", "NE", "NG"],
        "start_date": date(2025, 7, 1),
        "end_date": date(2027, 12, 31),
        "organisations": ["IOM Mali"],
    },
]
