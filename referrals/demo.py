"""Demo partner directory entries, referral pathways (the SOP) and referrals in every state,
made through the services. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Case
from cases.selectors import has_current_consent
from cases.services import records
from partners.models import Contact, Organisation, PathwayStep, Region
from referrals import services
from referrals.models import Referral

PROFILES = {
    # acronym: services, languages, hours, capacity, beds free, contacts
    "MAE": (
        ["shelter", "accommodation", "mhpss"],
        ["fra", "sag"],
        "24 h / 24, 7 j / 7",
        "20 lits pour femmes et enfants",
        6,
        [("Odette Kossi", "Coordinatrice", "+236 72 00 00 01", "accueil@mae.example.org")],
    ),
    "CSC Bimbo": (
        ["medical", "mhpss"],
        ["fra", "sag"],
        "Lun–sam 7 h 30–17 h",
        "",
        None,
        [("Dr Firmin Gbazi", "Médecin-chef", "+236 72 00 00 02", "")],
    ),
    "CJB": (
        ["legal", "documentation"],
        ["fra", "sag"],
        "Lun–ven 8 h–16 h",
        "",
        None,
        [("Me Sylvie Ndanga", "Avocate", "+236 72 00 00 03", "contact@cjb.example.org")],
    ),
    "AJPP": (
        ["mhpss", "livelihood", "education", "family_tracing"],
        ["fra", "sag"],
        "Lun–ven 8 h–17 h",
        "",
        None,
        [("Armel Doui", "Chargé de protection", "+236 72 00 00 04", "")],
    ),
    "UMIRR": (
        ["legal"],
        ["fra", "sag"],
        "24 h / 24",
        "",
        None,
        [("Cdt Blaise Yangana", "Point focal traite", "+236 72 00 00 05", "")],
    ),
    "AGAMR": (
        ["shelter", "livelihood", "return", "family_tracing"],
        ["fra", "ful", "sus", "man"],
        "Lun–sam 8 h–18 h",
        "12 places d'accueil transitoire",
        3,
        [("Mariama Sylla", "Coordinatrice", "+224 620 00 00 01", "info@agamr.example.org")],
    ),
    "OPROGEM": (
        ["legal", "child_protection"],
        ["fra", "ful", "sus", "man"],
        "24 h / 24",
        "",
        None,
        [("Cdt Alpha Bangoura", "Point focal", "+224 620 00 00 02", "")],
    ),
    "IGT-GN": (["legal"], ["fra"], "Lun–ven 8 h–16 h", "", None, []),
}

PATHWAYS = [
    # country, region (None: whole country), service, partners in order
    ("CF", "Bangui", "shelter", ["MAE"]),
    ("CF", "Bangui", "medical", ["CSC Bimbo"]),
    ("CF", "Bangui", "mhpss", ["AJPP", "MAE"]),
    ("CF", "Bangui", "legal", ["CJB", "UMIRR"]),
    ("CF", None, "livelihood", ["AJPP"]),
    ("CF", None, "medical", ["CSC Bimbo"]),
    ("GN", "Conakry", "shelter", ["AGAMR"]),
    ("GN", None, "child_protection", ["OPROGEM"]),
    ("GN", None, "return", ["AGAMR"]),
    ("GN", None, "legal", ["OPROGEM", "IGT-GN"]),
]

# case external id, partner acronym (None: outside the system), service, urgency, final state
REFERRALS = [
    ("DEMO-CF-03", "MAE", "shelter", "high", "completed"),
    ("DEMO-CF-03", "CSC Bimbo", "medical", "emergency", "in_progress"),
    ("DEMO-CF-04", "AJPP", "mhpss", "normal", "accepted"),
    ("DEMO-CF-05", "AJPP", "livelihood", "normal", "completed"),
    ("DEMO-CF-06", "MAE", "shelter", "high", "declined"),
    ("DEMO-CF-11", "MAE", "shelter", "emergency", "sent_overdue"),
    ("DEMO-CF-11", "CJB", "legal", "normal", "sent"),
    ("DEMO-CF-12", "AJPP", "education", "normal", "closed_no_service"),
    ("DEMO-CF-13", "CSC Bimbo", "medical", "normal", "cancelled"),
    ("DEMO-CF-10", "MAE", "shelter", "normal", "draft"),
    ("DEMO-CF-02", "MAE", "mhpss", "normal", "sent"),
    ("DEMO-GN-01", "AGAMR", "shelter", "high", "accepted"),
    ("DEMO-GN-03", "AGAMR", "livelihood", "normal", "completed"),
    ("DEMO-ML-01", None, "return", "high", "accepted"),
]


@transaction.atomic
def load() -> int:
    orgs = {o.acronym: o for o in Organisation.objects.exclude(acronym="")}
    for acronym, (svc, languages, hours, capacity, beds, contacts) in PROFILES.items():
        org = orgs.get(acronym)
        if org is None:
            continue
        Organisation.objects.filter(pk=org.pk).update(
            services=f";{';'.join(svc)};",
            languages=f";{';'.join(languages)};",
            opening_hours=hours,
            capacity_note=capacity,
            beds_free=beds,
        )
        for name, function, phone, email in contacts:
            Contact.objects.get_or_create(
                organisation=org,
                name=name,
                defaults={"function": function, "phone": phone, "email": email},
            )
    for country, region_name, service, partners in PATHWAYS:
        region = (
            Region.objects.filter(country=country, name=region_name).first()
            if region_name
            else None
        )
        for rank, acronym in enumerate(partners, start=1):
            PathwayStep.objects.get_or_create(
                service_type=service,
                country=country,
                region=region,
                partner=orgs[acronym],
                defaults={"rank": rank},
            )
    override = Permission.objects.get(codename="override_referral_consent")
    for username in ("supervisor", "supervisor-gn", "supervisor-ml"):
        user = User.objects.filter(username=username).first()
        if user:
            user.user_permissions.add(override)

    if Referral.objects.filter(case__external_id__startswith="DEMO-").exists():
        return 0
    created = 0
    partner_user = User.objects.get(username="partner")
    for external_id, acronym, service, urgency, final in REFERRALS:
        case = Case.objects.select_related("organisation").get(external_id=external_id)
        worker = case.primary_caseworker
        partner = orgs.get(acronym) if acronym else None
        referral = services.referral_create(
            actor=worker,
            case=case,
            service_type=service,
            urgency=urgency,
            reason="Besoin identifié lors de l'évaluation.",
            packet_fields=[
                "case_number",
                "first_name",
                "sex",
                "age_group",
                "language",
                "needs",
                "contact",
            ],
            to_organisation=partner,
            external_organisation="" if partner else "NAPTIP – Lagos zonal command",
            destination_country="" if partner else "NG",
        )
        created += 1
        if final == "draft":
            continue
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
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=timezone.now() - timedelta(days=3),
                respond_by=timezone.now() - timedelta(days=2),
            )
            continue
        if final == "sent":
            continue
        if final == "cancelled":
            services.referral_cancel(
                actor=worker, referral=referral, reason="La personne a quitté la zone."
            )
            continue
        answerer = (
            worker
            if partner is None
            else (partner_user if partner.acronym == "MAE" else _partner_for(partner))
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
    return created


def _partner_for(org: Organisation) -> User:
    """A focal point user for a demo partner organisation (created on first use)."""
    from accounts import demo as account_demo
    from accounts import services as account_services

    username = f"partner-{org.acronym.lower().replace(' ', '-')}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            username=username,
            organisation=org,
            roles=["partner"],
            password=account_demo.DEMO_PASSWORD,
            first_name="Point focal",
            last_name=org.acronym,
        )
        User.objects.filter(pk=user.pk).update(is_demo=True)
    return user
