"""Demo reference data from the seed documents: organisations, donors, projects and one
user per role. Loaded by `manage.py seed_demo`; every step is idempotent."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from partners.models import Organisation, OrganisationType, Region
from programmes.models import Donor, Project

DEMO_PASSWORD = "traffick-demo"  # noqa: S105 - published demo credential, DEMO=1 only

T = OrganisationType
ORGANISATIONS = [
    # name, acronym, type, country, regions covered
    (
        "IOM Central African Republic",
        "IOM CAR",
        T.IOM_MISSION,
        "CF",
        ["Bangui", "Ombella-M'Poko", "Ouham", "Ouaka", "Nana-Mambéré"],
    ),
    (
        "IOM Guinea",
        "IOM GN",
        T.IOM_MISSION,
        "GN",
        ["Conakry", "Kankan", "Labé", "Mamou", "N'Zérékoré"],
    ),
    ("IOM Mali", "IOM ML", T.IOM_MISSION, "ML", ["Bamako", "Gao", "Kayes", "Mopti"]),
    ("United Nations Office on Drugs and Crime", "UNODC", T.UN_AGENCY, "CF", ["Bangui"]),
    (
        "United Nations Multidimensional Integrated Stabilization Mission in the Central "
        "African Republic",
        "MINUSCA",
        T.UN_AGENCY,
        "CF",
        ["Bangui", "Ouaka", "Ouham"],
    ),
    (
        "Office of the United Nations High Commissioner for Human Rights, Guinea",
        "OHCHR",
        T.UN_AGENCY,
        "GN",
        ["Conakry", "Labé"],
    ),
    (
        "Comité national de coordination de la lutte contre la traite des personnes",
        "CNLTP-RCA",
        T.NATIONAL_COMMITTEE,
        "CF",
        [],
    ),
    (
        "Ministère de la Promotion de la Femme, de la Famille et de la Protection de l'Enfant",
        "MPFFPE",
        T.CENTRAL_GOVERNMENT,
        "CF",
        [],
    ),
    (
        "Comité national de lutte contre la traite des personnes et pratiques assimilées",
        "CNLTPPA",
        T.NATIONAL_COMMITTEE,
        "GN",
        [],
    ),
    (
        "Ministère de la Promotion Féminine, de l'Enfance et des Personnes Vulnérables",
        "MPFEPV",
        T.CENTRAL_GOVERNMENT,
        "GN",
        [],
    ),
    ("Ministère de l'Action Sociale", "MAS-GN", T.CENTRAL_GOVERNMENT, "GN", []),
    ("Ministère de la Justice et des Droits de l'Homme", "MJDH-GN", T.JUDICIARY, "GN", []),
    (
        "Ministère de la Sécurité et de la Protection Civile",
        "MSPC-GN",
        T.CENTRAL_GOVERNMENT,
        "GN",
        [],
    ),
    (
        "Office de protection du genre, de l'enfance et des mœurs",
        "OPROGEM",
        T.LAW_ENFORCEMENT,
        "GN",
        ["Conakry", "Kankan", "Labé"],
    ),
    ("Haut Commandement de la Gendarmerie Nationale", "HCGN", T.LAW_ENFORCEMENT, "GN", []),
    (
        "Unité mixte d'intervention rapide et de répression des violences sexuelles",
        "UMIRR",
        T.LAW_ENFORCEMENT,
        "CF",
        ["Bangui"],
    ),
    ("Maison d'accueil Espoir", "MAE", T.SHELTER, "CF", ["Bangui", "Ombella-M'Poko"]),
    (
        "Centre de santé communautaire de Bimbo",
        "CSC Bimbo",
        T.HEALTH,
        "CF",
        ["Ombella-M'Poko", "Bangui"],
    ),
    ("Clinique juridique de Bangui", "CJB", T.LEGAL, "CF", ["Bangui"]),
    (
        "Association des jeunes pour la paix et la protection",
        "AJPP",
        T.CSO,
        "CF",
        ["Bangui", "Ouaka"],
    ),
    (
        "Association guinéenne d'aide aux migrants de retour",
        "AGAMR",
        T.NGO,
        "GN",
        ["Conakry", "Labé", "Mamou"],
    ),
    ("Inspection générale du travail", "IGT-GN", T.LABOUR_INSPECTION, "GN", ["Conakry"]),
]

DONORS = [
    (
        "U.S. Department of State Office to Monitor and Combat Trafficking in Persons",
        "TIP Office",
        "US",
    ),
    ("United Nations Peacebuilding Fund", "PBF", ""),
    ("United Nations Trust Fund for Human Security", "UNTFHS", "JP"),
    ("Government of Canada", "Canada", "CA"),
    ("MINUSCA", "MINUSCA", "CF"),
    ("United Nations Development Programme", "UNDP", ""),
]

PROJECTS = [
    (
        "GN-UNTFHS-2023",
        "Using the human security approach to empower and protect individuals "
        "against trafficking in persons in Guinea",
        "UNTFHS",
        ["GN"],
        date(2023, 3, 1),
        date(2024, 6, 30),
        ["IOM Guinea", "OHCHR"],
    ),
    (
        "CF-CAN-SGBV",
        "Prevention of SGBV among IDPs and host populations in the Central African Republic",
        "Canada",
        ["CF"],
        date(2019, 4, 1),
        date(2021, 3, 31),
        ["IOM CAR"],
    ),
    (
        "CF-NAP-2020",
        "Support to the first National Action Plan against trafficking in persons",
        "MINUSCA",
        ["CF"],
        date(2019, 11, 1),
        date(2020, 12, 31),
        ["UNODC", "IOM CAR"],
    ),
    (
        "CF-PBF-CT",
        "Counter-trafficking and protection of victims in crisis-affected communities",
        "PBF",
        ["CF"],
        date(2024, 1, 1),
        date(2026, 12, 31),
        ["IOM CAR"],
    ),
    (
        "CF-TIP-2025",
        "Strengthening identification, protection and prosecution of trafficking "
        "in persons in the Central African Republic",
        "TIP Office",
        ["CF"],
        date(2025, 1, 1),
        date(2027, 6, 30),
        ["IOM CAR", "UNODC"],
    ),
    (
        "WCA-XB-2025",
        "Cross-border protection of victims of trafficking between Mali, Burkina "
        "Faso, Niger and Nigeria",
        "TIP Office",
        ["ML", "BF", "NE", "NG"],
        date(2025, 7, 1),
        date(2027, 12, 31),
        ["IOM Mali"],
    ),
]

USERS = [
    # username, first name, last name, organisation acronym, roles, job title
    ("caseworker", "Clarisse", "Ngaïkoua", "IOM CAR", [Role.CASEWORKER], "Protection assistant"),
    ("supervisor", "Didier", "Yakité", "IOM CAR", [Role.SUPERVISOR], "Protection officer"),
    ("partner", "Odette", "Kossi", "MAE", [Role.PARTNER], "Shelter coordinator"),
    (
        "programme",
        "Jean-Baptiste",
        "Mbaïkoua",
        "IOM CAR",
        [Role.PROGRAMME],
        "Counter-trafficking programme officer",
    ),
    ("mne", "Aminata", "Diallo", "IOM CAR", [Role.MNE], "M&E officer"),
    (
        "ministry",
        "Gisèle",
        "Ndoumba",
        "CNLTP-RCA",
        [Role.MINISTRY],
        "Focal point, national coordinating body",
    ),
    ("admin", "Patrick", "Sélémby", "IOM CAR", [Role.ADMIN], "Information management officer"),
]


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Load or refresh the demo data; returns (username, role, organisation) per user."""
    orgs: dict[str, Organisation] = {}
    for name, acronym, org_type, country, region_names in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            name=name, defaults={"acronym": acronym, "type": org_type, "country": country}
        )
        org.regions.add(*Region.objects.filter(country=country, name__in=region_names))
        orgs[acronym] = org
        orgs[name] = org

    donors: dict[str, Donor] = {}
    for name, acronym, country in DONORS:
        donor, _ = Donor.objects.update_or_create(
            name=name, defaults={"acronym": acronym, "country": country}
        )
        donors[acronym] = donor

    for code, title, donor, countries, start, end, implementers in PROJECTS:
        project, _ = Project.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "donor": donors[donor],
                "countries": countries,
                "start_date": start,
                "end_date": end,
            },
        )
        project.organisations.add(*(orgs[a] for a in implementers))

    printed = []
    for username, first, last, org_acronym, roles, title in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                actor=None,
                username=username,
                organisation=orgs[org_acronym],
                roles=roles,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                job_title=title,
            )
        else:
            # A rerun restores the demo state: known password, active, the role of its name.
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.organisation = orgs[org_acronym]
            user.save(update_fields=["password", "is_active", "organisation"])
            account_services.user_roles_set(user, roles)
        printed.append((username, ", ".join(str(r.label) for r in roles), str(orgs[org_acronym])))
    # With DEMO=1 these sign in without a second factor; every other protection stays on.
    User.objects.filter(username__in=[row[0] for row in USERS]).update(is_demo=True)
    return printed
