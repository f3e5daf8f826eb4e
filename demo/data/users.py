"""One user per role, all with the published demo password."""

from __future__ import annotations

from accounts.roles import Role

DEMO_PASSWORD = "traffick-demo"  # noqa: S105 - published demo credential, DEMO=1 only

# organisation: the acronym of the user's organisation.
USERS = [
    {
        "username": "caseworker",
        "first_name": "Clarisse",
        "last_name": "Ngaïkoua",
        "organisation": "IOM CAR",
        "roles": [Role.CASEWORKER],
        "job_title": "Protection assistant",
    },
    {
        "username": "supervisor",
        "first_name": "Didier",
        "last_name": "Yakité",
        "organisation": "IOM CAR",
        "roles": [Role.SUPERVISOR],
        "job_title": "Protection officer",
    },
    {
        "username": "partner",
        "first_name": "Odette",
        "last_name": "Kossi",
        "organisation": "MAE",
        "roles": [Role.PARTNER],
        "job_title": "Shelter coordinator",
    },
    {
        "username": "programme",
        "first_name": "Jean-Baptiste",
        "last_name": "Mbaïkoua",
        "organisation": "IOM CAR",
        "roles": [Role.PROGRAMME],
        "job_title": "Counter-trafficking programme officer",
    },
    {
        "username": "mne",
        "first_name": "Aminata",
        "last_name": "Diallo",
        "organisation": "IOM CAR",
        "roles": [Role.MNE],
        "job_title": "M&E officer",
    },
    {
        "username": "ministry",
        "first_name": "Gisèle",
        "last_name": "Ndoumba",
        "organisation": "CNLTP-RCA",
        "roles": [Role.MINISTRY],
        "job_title": "Focal point, national coordinating body",
    },
    {
        "username": "admin",
        "first_name": "Patrick",
        "last_name": "Sélémby",
        "organisation": "IOM CAR",
        "roles": [Role.ADMIN],
        "job_title": "Information management officer",
    },
]

# The caseworker and supervisor of each mission's demo cases (IOM CAR's are the users above),
# created with the cases.
MISSION_STAFF = [
    {
        "username": "caseworker-gn",
        "organisation": "IOM GN",
        "role": Role.CASEWORKER,
        "first_name": "Mariam",
        "last_name": "Soumah",
    },
    {
        "username": "caseworker-ml",
        "organisation": "IOM ML",
        "role": Role.CASEWORKER,
        "first_name": "Boubacar",
        "last_name": "Maïga",
    },
    {
        "username": "supervisor-gn",
        "organisation": "IOM GN",
        "role": Role.SUPERVISOR,
        "first_name": "Ousmane",
        "last_name": "Baldé",
    },
    {
        "username": "supervisor-ml",
        "organisation": "IOM ML",
        "role": Role.SUPERVISOR,
        "first_name": "Fatim",
        "last_name": "Dembélé",
    },
]
