"""The organisations, donors and projects of the seed documents and one user per role: what
the rest of the demo stands on. A rerun restores the demo state."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from demo.data.organisations import ORGANISATIONS
from demo.data.programmes import DONORS, PROJECTS
from demo.data.users import DEMO_PASSWORD, USERS
from partners import services as partner_services
from partners.models import Organisation, Region
from programmes import services as programme_services
from programmes.models import Donor, Project


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Load or refresh the reference data and the users; returns (username, roles,
    organisation) per user."""
    orgs = _organisations()
    donors = _donors()
    _projects(orgs, donors)
    return _users(orgs)


def demo_user(
    *, username: str, organisation: Organisation, role: Role, first_name: str, last_name: str
) -> User:
    """A demo user that the cases or referrals need, created on first use."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            username=username,
            organisation=organisation,
            roles=[role],
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )
        _mark_demo(User.objects.filter(pk=user.pk))
    return user


def _mark_demo(users: QuerySet[User]) -> None:
    # No service sets is_demo (it is read-only everywhere): with DEMO=1 these users sign in
    # without a second factor; every other protection stays on.
    users.update(is_demo=True)


def _organisations() -> dict[str, Organisation]:
    """By acronym and by name."""
    orgs: dict[str, Organisation] = {}
    for row in ORGANISATIONS:
        regions = list(Region.objects.filter(country=row["country"], name__in=row["regions"]))
        fields = {"acronym": row["acronym"], "type": row["type"], "country": row["country"]}
        org = Organisation.objects.filter(name=row["name"]).first()
        if org is None:
            org = partner_services.organisation_create(
                actor=None, name=row["name"], regions=regions, **fields
            )
        else:
            # A rerun adds the regions the demo names and keeps any others.
            org = partner_services.organisation_update(
                actor=None, organisation=org, regions=[*org.regions.all(), *regions], **fields
            )
        orgs[row["acronym"]] = org
        orgs[row["name"]] = org
    return orgs


def _donors() -> dict[str, Donor]:
    """By acronym."""
    donors: dict[str, Donor] = {}
    for row in DONORS:
        fields = {"acronym": row["acronym"], "country": row["country"]}
        donor = Donor.objects.filter(name=row["name"]).first()
        if donor is None:
            donor = programme_services.donor_create(actor=None, name=row["name"], **fields)
        else:
            donor = programme_services.donor_update(actor=None, donor=donor, **fields)
        donors[row["acronym"]] = donor
    return donors


def _projects(orgs: dict[str, Organisation], donors: dict[str, Donor]) -> None:
    for row in PROJECTS:
        implementers = [orgs[acronym] for acronym in row["organisations"]]
        fields = {
            "title": row["title"],
            "donor": donors[row["donor"]],
            "countries": row["countries"],
            "start_date": row["start_date"],
            "end_date": row["end_date"],
        }
        project = Project.objects.filter(code=row["code"]).first()
        if project is None:
            programme_services.project_create(
                actor=None, code=row["code"], organisations=implementers, **fields
            )
        else:
            # A rerun adds the demo's implementers and keeps any others.
            programme_services.project_update(
                actor=None,
                project=project,
                organisations=[*project.organisations.all(), *implementers],
                **fields,
            )


def _users(orgs: dict[str, Organisation]) -> list[tuple[str, str, str]]:
    printed = []
    for row in USERS:
        org = orgs[row["organisation"]]
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            account_services.user_create(
                actor=None,
                username=row["username"],
                organisation=org,
                roles=row["roles"],
                password=DEMO_PASSWORD,
                first_name=row["first_name"],
                last_name=row["last_name"],
                job_title=row["job_title"],
            )
        else:
            # A rerun restores the demo state: known password, active, the organisation and
            # the role of its name. Not through user_update or user_set_active: those act for
            # an administrator, whose sensitive role grants wait for a second one.
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.organisation = org
            user.save(update_fields=["password", "is_active", "organisation"])
            account_services.user_roles_set(user, row["roles"])
        roles = ", ".join(str(role.label) for role in row["roles"])
        printed.append((row["username"], roles, str(org)))
    _mark_demo(User.objects.filter(username__in=[row["username"] for row in USERS]))
    return printed
