"""The role x URL table: every URL pattern of the project, what each role gets.

The test walks the URL resolver and fails when a pattern has no row here, so each new
feature must state who may use its pages. Django's own admin is checked separately
(superusers only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import grants
from accounts.roles import Role
from cases.services import case as case_services
from cases.services import records
from partners.models import Contact, PathwayStep
from referrals import services as referral_services
from reports import plans
from reports.models import ActionPlan, ActionPoint, Indicator, Pillar, ReportFile, ReportRun
from tests import factories
from trainings import services as training_services

ANON = "anonymous"
SUPER = "superuser"
EVERYONE = [*Role, SUPER]

C, S, P, PR, M, MI, A = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.PARTNER,
    Role.PROGRAMME,
    Role.MNE,
    Role.MINISTRY,
    Role.ADMIN,
)


def only(
    *allowed, ok: int = 200, refused: int = 403, anon: int = 302, superuser: bool = True
) -> dict[str, int]:
    """Expected statuses: `ok` for the allowed roles (and superusers, unless the page is
    case-level), `refused` for the rest."""
    table = {str(role): (ok if role in allowed else refused) for role in Role}
    table[SUPER] = ok if superuser else refused
    table[ANON] = anon
    return table


def case_level(*allowed, ok: int = 200) -> dict[str, int]:
    """Case-level pages: only the named roles; a superuser's status gives no access."""
    return only(*allowed, ok=ok, superuser=False)


def every(status: int, anon: int | None = None) -> dict[str, int]:
    table = {str(role): status for role in Role}
    table[SUPER] = status
    table[ANON] = status if anon is None else anon
    return table


@dataclass
class Row:
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    method: str = "get"
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] = field(default_factory=dict)


STAFF = [C, S, PR, M, MI, A]


def _case(ctx):
    return {"pk": ctx["case"].pk}


TABLE: dict[str, Row] = {
    "home": Row(every(200, anon=302)),
    "healthz": Row(every(200)),
    "set_language": Row(every(302), method="post", data={"language": "fr", "next": "/"}),
    "accounts:login": Row(every(302, anon=200)),
    "accounts:logout": Row(every(302), method="post"),
    "accounts:password_change": Row(every(200, anon=302)),
    "accounts:password_change_done": Row(every(200, anon=302)),
    "accounts:password_reset": Row(every(200)),
    "accounts:password_reset_done": Row(every(200)),
    "accounts:password_reset_confirm": Row(
        every(200), kwargs=lambda ctx: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "accounts:password_reset_complete": Row(every(200)),
    # Two-factor pages: any signed-in user (setting up or verifying their own factor).
    "accounts:two_factor_setup": Row(every(200, anon=302)),
    "accounts:two_factor_verify": Row(every(200, anon=302)),
    # A new set of backup codes needs a verified second factor first (and the password).
    "accounts:two_factor_backup_codes": Row(every(302), method="post"),
    # One's own account security: any signed-in user.
    "accounts:security": Row(every(200, anon=302)),
    # Adding an authenticator needs one already (else: the first set-up) and a verified session.
    "accounts:authenticator_add": Row(every(302)),
    # Without the password nothing is removed: back to the security page.
    "accounts:authenticator_remove": Row(
        every(302), kwargs=lambda ctx: {"pk": ctx["colleague_device"].pk}, method="post"
    ),
    "accounts:email_change": Row(every(200, anon=302)),
    # The emailed link works without signing in; a bad one says so.
    "accounts:email_confirm": Row(every(200), kwargs=lambda ctx: {"token": "bad-token"}),
    "accounts:user_list": Row(only(A)),
    "accounts:user_create": Row(only(A)),
    "accounts:user_detail": Row(only(A), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}),
    "accounts:user_edit": Row(only(A), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}),
    "accounts:user_deactivate": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}, method="post"
    ),
    "accounts:user_reactivate": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}, method="post"
    ),
    "accounts:user_two_factor_reset": Row(
        only(A, ok=302),
        kwargs=lambda ctx: {"pk": ctx["colleague"].pk},
        method="post",
        data={"password": factories.PASSWORD},
    ),
    "accounts:grant_list": Row(only(A)),
    "accounts:grant_decide": Row(
        only(A, ok=302),
        kwargs=lambda ctx: {"pk": ctx["grant"].pk},
        method="post",
        data={"approve": "1"},
    ),
    "accounts:grant_cancel": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["grant"].pk}, method="post"
    ),
    "partners:organisation_list": Row(only(*Role)),
    "partners:organisation_detail": Row(only(*Role), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    "partners:organisation_create": Row(only(A)),
    "partners:organisation_edit": Row(only(A, P), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    "partners:contact_add": Row(only(A, P), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    "partners:contact_remove": Row(
        only(A, P, ok=302), kwargs=lambda ctx: {"contact_pk": ctx["contact"].pk}, method="post"
    ),
    "partners:directory_pdf": Row(only(*Role), data=lambda ctx: {"region": ctx["region"].pk}),
    "partners:pathway_list": Row(only(C, S, A)),
    "partners:pathway_remove": Row(
        only(S, A, ok=302), kwargs=lambda ctx: {"pk": ctx["pathway"].pk}, method="post"
    ),
    "referrals:referral_list": Row(case_level(C, S)),
    "referrals:referral_create": Row(
        case_level(C, S), kwargs=lambda ctx: {"case_pk": ctx["case"].pk}
    ),
    "referrals:statistics": Row(only(S, M, MI, A)),
    "referrals:inbox": Row(case_level(P)),
    "referrals:inbox_detail": Row(case_level(P), kwargs=lambda ctx: {"pk": ctx["incoming"].pk}),
    "referrals:inbox_answer": Row(
        case_level(P, ok=302),
        kwargs=lambda ctx: {"pk": ctx["incoming"].pk},
        method="post",
        data={"step": "respond", "accept": "1"},
    ),
    "referrals:referral_detail": Row(
        case_level(C, S), kwargs=lambda ctx: {"pk": ctx["outgoing"].pk}
    ),
    "referrals:referral_send": Row(
        case_level(C, S, ok=302), kwargs=lambda ctx: {"pk": ctx["outgoing"].pk}, method="post"
    ),
    "referrals:referral_cancel": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"pk": ctx["outgoing"].pk},
        method="post",
        data={"reason": "Duplicate"},
    ),
    "referrals:referral_record_answer": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"pk": ctx["external"].pk},
        method="post",
        data={"step": "respond", "accept": "1"},
    ),
    "programmes:project_list": Row(only(*STAFF)),
    "programmes:project_detail": Row(only(*STAFF), kwargs=lambda ctx: {"pk": ctx["project"].pk}),
    "programmes:project_create": Row(only(M, A)),
    "programmes:project_edit": Row(only(M, A), kwargs=lambda ctx: {"pk": ctx["project"].pk}),
    "programmes:donor_list": Row(only(*STAFF)),
    "programmes:donor_create": Row(only(M, A)),
    "programmes:donor_edit": Row(only(M, A), kwargs=lambda ctx: {"pk": ctx["donor"].pk}),
    "trainings:session_list": Row(only(PR, M)),
    "trainings:session_totals": Row(only(PR, M, MI, A)),
    "trainings:session_export": Row(only(PR, M), data={"format": "csv"}),
    "trainings:session_create": Row(only(PR)),
    "trainings:session_import": Row(only(PR)),
    "trainings:session_detail": Row(only(PR, M), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    "trainings:session_edit": Row(only(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    # The register lists people: programme staff of the organiser only, not superusers.
    "trainings:register": Row(case_level(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    "trainings:register_import": Row(case_level(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    "trainings:attachment_upload": Row(only(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    # M&E officers read sessions but not what lists people (attendance sheets): 404.
    "trainings:attachment_download": Row(
        {**only(PR), str(M): 404, SUPER: 404},
        kwargs=lambda ctx: {"attachment_pk": ctx["attachment"].pk},
    ),
    "reports:plan_list": Row(only(M, MI, PR, A)),
    "reports:plan_detail": Row(
        only(M, MI, PR, A), kwargs=lambda ctx: {"pk": ctx["action_plan"].pk}
    ),
    "reports:progress_add": Row(only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["point"].pk}),
    "reports:evidence_download": Row(
        only(M, MI, PR, A), kwargs=lambda ctx: {"pk": ctx["progress"].pk}
    ),
    "reports:indicator_value": Row(only(M, A), kwargs=lambda ctx: {"pk": ctx["indicator"].pk}),
    "reports:run_list": Row(only(M, MI, A)),
    "reports:run_detail": Row(only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["run"].pk}),
    "reports:run_download": Row(
        only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["run"].pk, "fmt": "json"}
    ),
    "reports:ctdc_export": Row(only(M)),
    "reports:dashboard": Row(only(MI, M, A)),
    "cases:case_list": Row(case_level(C, S)),
    "cases:case_register": Row(case_level(C, S)),
    "cases:duplicate_check": Row(case_level(C, S), method="post", data={"first_name": "Amina"}),
    "cases:case_import": Row(case_level(S)),
    "cases:case_export": Row(
        case_level(C, S), data=lambda ctx: {"case": ctx["case"].pk, "format": "csv"}
    ),
    "cases:approvals": Row(case_level(S)),
    "cases:case_detail": Row(case_level(C, S), kwargs=_case),
    "cases:case_edit": Row(case_level(C, S), kwargs=_case),
    "cases:exploitation_edit": Row(case_level(C, S), kwargs=_case),
    "cases:record_add": Row(case_level(C, S), kwargs=lambda ctx: {**_case(ctx), "kind": "note"}),
    "cases:case_transition": Row(
        case_level(C, S, ok=302), kwargs=_case, method="post", data={"to_status": "open"}
    ),
    "cases:closure_request": Row(case_level(C, S), kwargs=_case),
    "cases:case_reopen": Row(case_level(S), kwargs=_case),
    "cases:case_assign": Row(case_level(S), kwargs=_case),
    "cases:case_history": Row(case_level(S, A), kwargs=_case),
    "cases:case_pdf": Row(case_level(C, S), kwargs=_case),
    "cases:closure_decide": Row(
        case_level(S, ok=302),
        kwargs=lambda ctx: {"closure_pk": ctx["closure"].pk},
        method="post",
        data={"approve": "1"},
    ),
    "cases:consent_withdraw": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"consent_pk": ctx["case"].consents.get(scope="data_collection").pk},
        method="post",
    ),
    "cases:event_delete": Row(
        case_level(C, S, ok=302), kwargs=lambda ctx: {"event_pk": ctx["event"].pk}, method="post"
    ),
    "cases:follow_up_done": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"follow_up_pk": ctx["follow_up"].pk},
        method="post",
    ),
    "cases:plan_end": Row(
        case_level(C, S, ok=302), kwargs=lambda ctx: {"plan_pk": ctx["plan"].pk}, method="post"
    ),
    "cases:document_download": Row(
        case_level(C, S), kwargs=lambda ctx: {"document_pk": ctx["document"].pk}
    ),
}

# Django's admin site has its own gatekeeping (staff superusers here); see test below.
EXCLUDED_NAMESPACES = {"admin"}


def _all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= _all_url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_row_in_the_role_table():
    missing = _all_url_names() - set(TABLE)
    stale = set(TABLE) - _all_url_names()
    assert not missing, f"URLs without access expectations: {sorted(missing)}"
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def ctx(db, org, other_org, users):
    colleague = factories.user(Role.CASEWORKER, organisation=org, username="colleague")
    # A supervisor role for the colleague, asked by a second administrator of the
    # organisation: the table's administrator may decide it.
    second_admin = factories.user(Role.ADMIN, organisation=org, username="second-admin")
    grant = grants.grant_request(actor=second_admin, user=colleague, role=Role.SUPERVISOR)
    colleague_device = TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    case = factories.case(caseworker=users[Role.CASEWORKER])
    other_case = factories.case(caseworker=users[Role.CASEWORKER], first_name="Other")
    closure = case_services.closure_request(
        actor=users[Role.CASEWORKER], case=other_case, reason="Reintegrated"
    )
    event = records.event_add(
        actor=users[Role.CASEWORKER], case=case, type="Exploitation", country="ML"
    )
    follow_up = records.follow_up_add(
        actor=users[Role.CASEWORKER], case=case, due_on=date(2030, 1, 1), purpose="Home visit"
    )
    plan = records.support_plan_add(
        actor=users[Role.CASEWORKER], case=case, type="Health", objectives="Recover"
    )
    document = records.document_upload(
        actor=users[Role.CASEWORKER],
        case=case,
        kind="consent_form",
        upload=SimpleUploadedFile("consent.pdf", factories.PDF_BYTES),
    )
    other_worker = factories.user(Role.CASEWORKER, organisation=other_org)
    other_case = factories.case(caseworker=other_worker, first_name="Elsewhere")
    records.consent_record(
        actor=other_worker,
        case=other_case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=other_case.identified_on,
    )
    incoming = referral_services.referral_create(
        actor=other_worker,
        case=other_case,
        service_type="shelter",
        urgency="normal",
        reason="Needs a safe place",
        packet_fields=["case_number"],
        to_organisation=org,
    )
    referral_services.referral_send(actor=other_worker, referral=incoming)
    outgoing = referral_services.referral_create(
        actor=users[Role.CASEWORKER],
        case=case,
        service_type="medical",
        urgency="normal",
        reason="Check-up",
        packet_fields=["case_number"],
        to_organisation=other_org,
    )
    external = referral_services.referral_create(
        actor=users[Role.CASEWORKER],
        case=case,
        service_type="legal",
        urgency="normal",
        reason="Legal aid",
        packet_fields=["case_number"],
        external_organisation="Barreau de Bangui",
    )
    records.consent_record(
        actor=users[Role.CASEWORKER],
        case=case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )
    referral_services.referral_send(actor=users[Role.CASEWORKER], referral=external)
    region = factories.region()
    session = training_services.session_record(
        actor=users[Role.PROGRAMME],
        organiser=org,
        title="Training",
        session_type="training",
        start_date=date(2025, 3, 1),
        end_date=date(2025, 3, 2),
        country="CF",
        audiences=["police"],
        topics=["tip_basics"],
        participants_female=3,
        participants_male=4,
    )
    attachment = training_services.attachment_upload(
        actor=users[Role.PROGRAMME],
        session=session,
        kind="agenda",
        upload=SimpleUploadedFile("agenda.pdf", factories.PDF_BYTES),
    )
    nap = ActionPlan.objects.create(
        code="CF-NAP",
        country="CF",
        title="Plan",
        period_start=date(2020, 1, 1),
        period_end=date(2030, 12, 31),
    )
    pillar = Pillar.objects.create(plan=nap, code="protection", name="Protection")
    point = ActionPoint.objects.create(plan=nap, pillar=pillar, number="1", text="Act")
    progress = plans.progress_record(
        actor=users[Role.MNE],
        action_point=point,
        status="in_progress",
        narrative="Done",
        on=date(2025, 1, 1),
        evidence=SimpleUploadedFile("evidence.pdf", factories.PDF_BYTES),
    )
    indicator = Indicator.objects.create(plan=nap, code="I1", name="Indicator", target=10)
    run = ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 1, 31),
        trigger="person",
        status="done",
    )
    report_file = ReportFile(run=run, format="json", checksum="0", size=2)
    report_file.file.save("r.json", ContentFile(b"{}"))
    return {
        "action_plan": nap,
        "point": point,
        "progress": progress,
        "indicator": indicator,
        "run": run,
        "session": session,
        "attachment": attachment,
        "incoming": incoming,
        "outgoing": outgoing,
        "external": external,
        "region": region,
        "contact": Contact.objects.create(organisation=org, name="Focal point"),
        "pathway": PathwayStep.objects.create(
            service_type="shelter", country="CF", partner=other_org, rank=1
        ),
        "case": case,
        "closure": closure,
        "event": event,
        "follow_up": follow_up,
        "plan": plan,
        "document": document,
        "org": org,
        "colleague": colleague,
        "colleague_device": colleague_device,
        "grant": grant,
        "project": factories.project(organisations=[org]),
        "donor": factories.donor(),
        "users": users,
    }


def _subjects():
    return [ANON, SUPER, *[str(r) for r in Role]]


@pytest.mark.parametrize("url_name", sorted(TABLE))
@pytest.mark.parametrize("subject", _subjects())
def test_role_gets_the_expected_status(client, ctx, url_name, subject):
    row = TABLE[url_name]
    if subject == SUPER:
        client.force_login(factories.superuser())
    elif subject != ANON:
        client.force_login(ctx["users"][Role(subject)])
    url = reverse(url_name, kwargs=row.kwargs(ctx))
    data = row.data(ctx) if callable(row.data) else row.data
    response = getattr(client, row.method)(url, data)
    assert response.status_code == row.expect[subject], (
        f"{subject} {row.method.upper()} {url}: got {response.status_code}, "
        f"expected {row.expect[subject]}"
    )
    login_redirect = subject == ANON and row.expect[ANON] == 302
    if login_redirect and url_name not in {"set_language", "accounts:logout"}:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("subject", [str(r) for r in Role])
def test_admin_site_is_for_superusers_only(client, users, subject):
    client.force_login(users[Role(subject)])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superuser_reaches_admin_site(client, db):
    client.force_login(factories.superuser())
    assert client.get("/admin/").status_code == 200
