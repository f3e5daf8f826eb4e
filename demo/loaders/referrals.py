"""The partner directory entries, the referral pathways (the SOP) and the demo referrals in
every state, made through the services. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.selectors import has_current_consent
from cases.services import records
from demo.data.organisations import DIRECTORY, PATHWAYS
from demo.data.referrals import EXTERNAL_ORGANISATION, PACKET_FIELDS, REFERRALS
from demo.loaders.reference import demo_user
from partners import services as partner_services
from partners.models import Contact, Organisation, PathwayStep, Region
from referrals import services
from referrals.models import Referral

# The supervisors who may send a referral without consent in an emergency.
OVERRIDING_SUPERVISORS = ("supervisor", "supervisor-gn", "supervisor-ml")


@transaction.atomic
def load() -> int:
    """Fill the directory and the pathways, then create the demo referrals unless they exist;
    returns how many were created."""
    orgs = {o.acronym: o for o in Organisation.objects.exclude(acronym="")}
    _directory(orgs)
    _pathways(orgs)
    override = Permission.objects.get(codename="override_referral_consent")
    for username in OVERRIDING_SUPERVISORS:
        user = User.objects.filter(username=username).first()
        if user:
            # A Django permission, given in the admin: no service grants it.
            user.user_permissions.add(override)

    if Referral.objects.filter(case__external_id__startswith="DEMO-").exists():
        return 0
    partner_user = User.objects.get(username="partner")
    for row in REFERRALS:
        partner = orgs.get(row["partner"]) if row["partner"] else None
        _referral(row, partner, partner_user)
    return len(REFERRALS)


def _directory(orgs: dict[str, Organisation]) -> None:
    for acronym, entry in DIRECTORY.items():
        org = orgs.get(acronym)
        if org is None:
            continue
        partner_services.organisation_update(
            actor=None,
            organisation=org,
            services=entry["services"],
            languages=entry["languages"],
            opening_hours=entry["opening_hours"],
            capacity_note=entry["capacity_note"],
            beds_free=entry["beds_free"],
        )
        for contact in entry["contacts"]:
            if not Contact.objects.filter(organisation=org, name=contact["name"]).exists():
                partner_services.contact_add(actor=None, organisation=org, **contact)


def _pathways(orgs: dict[str, Organisation]) -> None:
    for row in PATHWAYS:
        country, region_name = row["country"], row["region"]
        region = (
            Region.objects.filter(country=country, name=region_name).first()
            if region_name
            else None
        )
        for rank, acronym in enumerate(row["partners"], start=1):
            step = {"service_type": row["service"], "region": region, "partner": orgs[acronym]}
            if not PathwayStep.objects.filter(country=country, **step).exists():
                partner_services.pathway_step_add(actor=None, country=country, rank=rank, **step)


def _referral(row: dict, partner: Organisation | None, partner_user: User) -> None:
    """Create the referral and take it to its state, as its caseworker and the partner would."""
    case = Case.objects.select_related("organisation").get(external_id=row["case"])
    worker = case.primary_caseworker
    final = row["state"]
    referral = services.referral_create(
        actor=worker,
        case=case,
        service_type=row["service"],
        urgency=row["urgency"],
        reason="Besoin identifié lors de l'évaluation.",
        packet_fields=list(PACKET_FIELDS),
        to_organisation=partner,
        external_organisation="" if partner else EXTERNAL_ORGANISATION["name"],
        destination_country="" if partner else EXTERNAL_ORGANISATION["country"],
    )
    if final == "draft":
        return
    if not has_current_consent(case, "referral_sharing"):
        records.consent_record(
            actor=worker,
            case=case,
            scope="referral_sharing",
            granted=True,
            given_by="guardian" if case.is_child else "person",
            method="written",
            given_on=timezone.localdate(),
        )
    referral = services.referral_send(actor=worker, referral=referral)
    if final == "sent_overdue":
        # Backdated so that it shows as overdue: no service sends a referral in the past.
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=timezone.now() - timedelta(days=3),
            respond_by=timezone.now() - timedelta(days=2),
        )
        return
    if final == "sent":
        return
    if final == "cancelled":
        services.referral_cancel(
            actor=worker, referral=referral, reason="La personne a quitté la zone."
        )
        return
    answerer = (
        worker
        if partner is None
        else (partner_user if partner.acronym == "MAE" else _focal_point(partner))
    )
    services.referral_respond(
        actor=answerer,
        referral=referral,
        accept=final != "declined",
        reason="Plus de place disponible cette semaine." if final == "declined" else "",
    )
    if final == "in_progress":
        services.referral_start(actor=answerer, referral=referral)
    elif final == "completed":
        services.referral_complete(
            actor=answerer,
            referral=referral,
            outcome="Service fourni comme prévu.",
            feedback="La personne va mieux ; suivi conseillé.",
        )
    elif final == "closed_no_service":
        services.referral_close_without_service(
            actor=answerer, referral=referral, outcome="La personne n'est pas venue."
        )


def _focal_point(org: Organisation) -> User:
    """The focal point user of a demo partner organisation (MAE's is the partner user)."""
    return demo_user(
        username=f"partner-{org.acronym.lower().replace(' ', '-')}",
        organisation=org,
        role=Role.PARTNER,
        first_name="Point focal",
        last_name=org.acronym,
    )
