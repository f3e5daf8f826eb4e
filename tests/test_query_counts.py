"""Query-count guards: no list or detail page runs more SQL queries when it has more to show.

Each entry opens a page as a role the access table (tests/access_table.py) lets in, with one
of everything the page lists or shows, counts the queries, adds five more of each (cases
with their records, referrals, sessions, organisations, projects, users, action points,
indicators, report runs...), and counts again. The counts must be equal: a page that runs
a query per row it shows (N+1) fails, and the failure lists the queries that repeat.

A page known to have such a query is marked xfail(strict=True) with the place of the loop
in its reason: fixing it turns the test into an unexpected pass, which fails until the mark
is removed."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User, UserSession
from accounts.roles import Role
from cases.models import Case, DuplicateFlag
from cases.services import records
from cases.services import workflow as case_workflow
from partners.models import Contact, Organisation, PathwayStep
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent
from reports.models import (
    ActionPlan,
    ActionPoint,
    Computation,
    Indicator,
    IndicatorTarget,
    Pillar,
    ReportFile,
    ReportRun,
)
from reports.services import plans as plan_services
from tests import factories
from tests.access_table import TABLE
from traffick_cm import codebooks as cv
from traffick_cm import periods
from trainings.services import register as training_register
from trainings.services import sessions as training_sessions

C, S, P, PR, M, MI, A = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.PARTNER,
    Role.PROGRAMME,
    Role.MNE,
    Role.MINISTRY,
    Role.ADMIN,
)

MORE = 5
_seq = itertools.count(1)

Ctx = dict[str, Any]
Adder = Callable[[Ctx, int], None]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # The documents, attachments and report files written here go to a throwaway folder.
    settings.MEDIA_ROOT = tmp_path / "media"


# Building blocks: each makes one new, distinct record with its own related rows.


def _today() -> date:
    return timezone.localdate()


def _region():
    return factories.region("CF", f"Préfecture {next(_seq)}")


def _organisation(country: str = "CF") -> Organisation:
    """A partner with a region, a contact and a focal point of its own."""
    org = factories.organisation(country=country, services=["shelter", "medical", "legal"])
    org.regions.add(factories.region(country, f"Region {next(_seq)}"))
    Contact.objects.create(organisation=org, name=f"Focal point {next(_seq)}")
    factories.user(P, organisation=org)
    return org


def _focal_point(org: Organisation) -> User:
    return org.users.filter(role_assignments__role=P).first()


def _caseworker(ctx: Ctx) -> User:
    return factories.user(C, organisation=ctx["org"])


def _consent(case: Case, actor: User) -> None:
    records.consent_record(
        actor=actor,
        case=case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )


def _refer(case: Case, actor: User, *, to: Organisation | None = None) -> Referral:
    """A referral sent to `to` and accepted by its focal point, or sent to an organisation
    outside the system and overdue."""
    referral = referral_services.referral_create(
        actor=actor,
        case=case,
        service_type="shelter" if to else "legal",
        urgency="normal",
        reason="Needs a safe place",
        packet_fields=["case_number", "first_name", "sex"],
        to_organisation=to,
        external_organisation="" if to else f"Barreau {next(_seq)}",
    )
    referral = referral_services.referral_send(actor=actor, referral=referral)
    if to is not None:
        referral_services.referral_respond(actor=_focal_point(to), referral=referral, accept=True)
    else:
        Referral.objects.filter(pk=referral.pk).update(
            respond_by=timezone.now() - timedelta(hours=2)
        )
    return referral


def _case_records(ctx: Ctx, case: Case, actor: User) -> None:
    """One more of every record a case file shows, by `actor`, with new related rows."""
    today = _today()
    partner = _organisation()
    _consent(case, actor)
    records.note_add(actor=actor, case=case, body="Visited the family.")
    records.service_record(
        actor=actor,
        case=case,
        service_type="medical",
        delivered_on=today,
        provider=partner,
        project=ctx["project"],
        cost=Decimal("1500"),
    )
    records.event_add(actor=actor, case=case, type="Transit", country="CM")
    records.assessment_add(
        actor=actor, case=case, assessed_on=today, needs=["medical", "shelter"], risk_level="high"
    )
    records.support_plan_add(actor=actor, case=case, type="Health", objectives="Recover")
    records.follow_up_add(
        actor=actor, case=case, due_on=today, purpose="Home visit", assigned_to=actor
    )
    records.document_upload(
        actor=actor,
        case=case,
        kind="other",
        upload=SimpleUploadedFile("report.pdf", factories.PDF_BYTES),
    )
    records.legal_proceeding_save(actor=actor, case=case, stage="complaint", person_role="witness")
    _refer(case, actor, to=partner)
    _refer(case, actor)


def _new_case(ctx: Ctx) -> Case:
    """A case of the caseworker's organisation, in a new region, assigned to the caseworker
    and a new colleague in charge, with every kind of record and a pending closure."""
    users = ctx["users"]
    colleague = _caseworker(ctx)
    case = factories.case(
        caseworker=users[C],
        last_name=f"Kone{next(_seq)}",
        case_data={"identified_region": _region()},
    )
    case_workflow.case_assign(
        actor=users[S], case=case, caseworkers=[users[C], colleague], primary=colleague
    )
    _case_records(ctx, case, colleague)
    case_workflow.closure_request(actor=colleague, case=case, reason="Reintegrated")
    return case


def _advance(case: Case, actor: User) -> None:
    status = Case.objects.values_list("status", flat=True).get(pk=case.pk)
    to_status = sorted(case_workflow.TRANSITIONS[status])[0]
    case_workflow.case_transition(actor=actor, case=case, to_status=to_status)


# Adders: add(ctx, n) adds n more of what a page lists or shows.


def more_cases(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        _new_case(ctx)


def more_case_records(ctx: Ctx, n: int) -> None:
    """On the case file: more caseworkers, records, referrals, status changes, returned
    closure requests and possible duplicates."""
    users, case = ctx["users"], ctx["case"]
    for _ in range(n):
        colleague = _caseworker(ctx)
        team = [*case.caseworkers.all(), colleague]
        case_workflow.case_assign(actor=users[S], case=case, caseworkers=team, primary=users[C])
        _case_records(ctx, case, colleague)
        _advance(case, colleague)
        closure = case_workflow.closure_request(actor=colleague, case=case, reason="LostContact")
        case_workflow.closure_decide(actor=users[S], closure=closure, approve=False, note="No")
        other = factories.case(caseworker=colleague, last_name=f"Sow{next(_seq)}")
        DuplicateFlag.objects.create(case=case, other_case=other, same_organisation=True)


def more_history(ctx: Ctx, n: int) -> None:
    """Audit entries on the case, by new people."""
    for _ in range(n):
        records.note_add(actor=_caseworker(ctx), case=ctx["case"], body="Called the person.")


def more_closures(ctx: Ctx, n: int) -> None:
    users = ctx["users"]
    for _ in range(n):
        colleague = _caseworker(ctx)
        case = factories.case(caseworker=users[C], last_name=f"Traore{next(_seq)}")
        case_workflow.closure_request(actor=colleague, case=case, reason="Reintegrated")


def more_referrals(ctx: Ctx, n: int) -> None:
    """Referrals of the caseworker's case: to new partners (answered), and outside."""
    for _ in range(n):
        _refer(ctx["case"], ctx["users"][C], to=_organisation())
        _refer(ctx["case"], ctx["users"][C])


# Statistics cover calendar periods that have ended: the last complete month.
LAST_MONTH = periods.last_complete(periods.Unit.MONTH, timezone.localdate())


def more_referrals_last_month(ctx: Ctx, n: int) -> None:
    """more_referrals, sent in the middle of the last complete month."""
    more_referrals(ctx, n)
    middle = timezone.make_aware(
        datetime.combine(LAST_MONTH.start + timedelta(days=14), datetime.min.time())
    )
    Referral.objects.filter(sent_at__gt=middle + timedelta(days=3)).update(sent_at=middle)


def more_incoming(ctx: Ctx, n: int) -> None:
    """Referrals sent to the partner's organisation by new organisations."""
    for _ in range(n):
        sender = _organisation(country="GN")
        worker = factories.user(C, organisation=sender)
        case = factories.case(caseworker=worker, last_name=f"Camara{next(_seq)}")
        _consent(case, worker)
        referral = referral_services.referral_create(
            actor=worker,
            case=case,
            service_type="shelter",
            urgency="high" if n > 1 else "normal",
            reason="Needs a safe place",
            packet_fields=["case_number", "first_name", "sex"],
            to_organisation=ctx["org"],
        )
        referral_services.referral_send(actor=worker, referral=referral)
        Referral.objects.filter(pk=referral.pk).update(
            respond_by=timezone.now() - timedelta(hours=1)
        )


def more_events(key: str) -> Adder:
    """History on one referral, by new people, without changing its status; and more
    consent records on its case."""

    def add(ctx: Ctx, n: int) -> None:
        referral = ctx[key]
        for _ in range(n):
            ReferralEvent.objects.create(
                referral=referral,
                from_status=referral.status,
                to_status=referral.status,
                by=factories.user(C, organisation=referral.from_organisation),
                note="Called the partner",
            )
            _consent(referral.case, ctx["users"][C])

    return add


def more_organisations(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        _organisation()


def more_on_organisation(ctx: Ctx, n: int) -> None:
    org = ctx["org"]
    for _ in range(n):
        org.regions.add(_region())
        Contact.objects.create(organisation=org, name=f"Contact {next(_seq)}", phone="+236")
        factories.user(P, organisation=org)
        factories.project(organisations=[org])


def more_pathways(ctx: Ctx, n: int) -> None:
    services = cv.ServiceType.values
    for _ in range(n):
        k = next(_seq)
        PathwayStep.objects.create(
            service_type=services[k % len(services)],
            country="CF",
            region=_region(),
            partner=_organisation(),
            rank=k % 3 + 1,
        )


def more_projects(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        factories.project(organisations=[_organisation(), ctx["org"]], sdg_targets=["8.7"])


def more_on_project(ctx: Ctx, n: int) -> None:
    """Implementing organisations, sessions and services attributed to the project."""
    for _ in range(n):
        ctx["project"].organisations.add(_organisation())
        _session(ctx, project=ctx["project"])


def more_donors(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        donor = factories.donor(country="CF")
        factories.project(donor=donor, organisations=[_organisation()])
        factories.project(donor=donor)


def more_users(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        factories.user(C, PR, organisation=ctx["org"], job_title="Officer")


def more_on_user(ctx: Ctx, n: int) -> None:
    """More roles and sessions of one user."""
    subject = ctx["colleague"]
    roles = [S, P, PR, M, MI, A]
    for _ in range(n):
        held = set(subject.role_assignments.values_list("role", flat=True))
        missing = [role for role in roles if role not in held]
        account_services.user_roles_set(subject, [*held, missing[0]])
        UserSession.objects.create(user=subject, session_key=f"qc{next(_seq):0>30}")


def _session(ctx: Ctx, **fields: Any):
    k = next(_seq)
    start = _today() - timedelta(days=10 + k % 20)
    return training_sessions.session_record(
        actor=ctx["users"][PR],
        partners=[_organisation(), _organisation()],
        **{
            "organiser": ctx["org"],
            "title": f"Session {k}",
            "session_type": "awareness" if k % 2 else "workshop",
            "start_date": start,
            "end_date": start,
            "country": "CF",
            "region": _region(),
            "project": ctx["project"],
            "audiences": ["police", "magistrates"] if k % 2 else ["teachers"],
            "topics": ["tip_basics"],
            "participants_female": 5,
            "participants_male": 6,
            **fields,
        },
    )


def more_sessions(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        _session(ctx)


def more_screenings(ctx: Ctx, n: int) -> None:
    """Screenings in the dashboard's country, in new regions, over the last weeks."""
    for _ in range(n):
        k = next(_seq)
        factories.screening(
            actor=ctx["users"][C],
            screened_at=timezone.now() - timedelta(days=10 + k % 20),
            identified_region=_region(),
        )


def more_on_session(ctx: Ctx, n: int) -> None:
    """Partners, attachments and participants of one session."""
    session = ctx["session"]
    for _ in range(n):
        session.partners.add(_organisation())
        training_sessions.attachment_upload(
            actor=ctx["users"][PR],
            session=session,
            kind="report",
            upload=SimpleUploadedFile("report.pdf", factories.PDF_BYTES),
        )
        _participant(ctx, session)


def _letters(k: int) -> str:
    """A word for a number, made of consonant-vowel syllables so that the register's name
    normalisation (accents, doubled letters, transliteration variants) keeps words apart."""
    consonants, vowels = "bdfgkmnprstvz", "aeiou"
    syllables = [c + v for c in consonants for v in vowels]
    word = ""
    while True:
        k, rest = divmod(k, len(syllables))
        word = syllables[rest] + word
        if not k:
            return f"Ta{word}"


def _participant(ctx: Ctx, session) -> None:
    training_register.participant_add(
        actor=ctx["users"][PR],
        session=session,
        name=f"Awa {_letters(next(_seq))}",
        sex="female",
        organisation="Police",
        pre_score=Decimal(40),
        post_score=Decimal(80),
    )


def more_participants(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        _participant(ctx, ctx["session"])


def _plan(country: str = "CF") -> ActionPlan:
    k = next(_seq)
    return ActionPlan.objects.create(
        code=f"{country}-NAP-{k}",
        country=country,
        title=f"Plan {k}",
        period_start=date(2020, 1, 1),
        period_end=date(2030, 12, 31),
        coordinating_body=_organisation(),
    )


def _action_point(ctx: Ctx, plan: ActionPlan) -> ActionPoint:
    k = next(_seq)
    pillar = Pillar.objects.create(plan=plan, code=f"p{k}", name=f"Pillar {k}", order=k)
    point = ActionPoint.objects.create(
        plan=plan,
        pillar=pillar,
        number=f"{k}",
        text="Train labour inspectors",
        lead=_organisation(),
        due_date=date(2027, 6, 30),
        status="in_progress",
    )
    point.supporting.add(_organisation())
    plan_services.progress_record(
        actor=ctx["users"][M],
        action_point=point,
        status="in_progress",
        narrative="Two sessions held",
        on=_today(),
        evidence=SimpleUploadedFile("evidence.pdf", factories.PDF_BYTES),
    )
    return point


COMPUTATIONS = [
    (Computation.MANUAL, ""),
    (Computation.PEOPLE_TRAINED, ""),
    (Computation.PEOPLE_TRAINED_AUDIENCE, "police"),
    (Computation.SESSIONS_ON_TOPIC, "tip_basics"),
    (Computation.VICTIMS_IDENTIFIED, ""),
    (Computation.REFERRALS_COMPLETED, ""),
    (Computation.SERVICES_DELIVERED, "medical"),
    (Computation.ACTION_POINTS_COMPLETED, ""),
]


def _indicator(ctx: Ctx, **owner: Any) -> Indicator:
    k = next(_seq)
    computation, parameter = COMPUTATIONS[k % len(COMPUTATIONS)]
    if owner.get("project") is not None and computation == Computation.ACTION_POINTS_COMPLETED:
        computation = Computation.MANUAL
    indicator = Indicator.objects.create(
        code=f"I{k}",
        name=f"Indicator {k}",
        target=100,
        computation=computation,
        parameter=parameter,
        **owner,
    )
    IndicatorTarget.objects.create(
        indicator=indicator,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        target=50,
    )
    if computation == Computation.MANUAL:
        plan_services.indicator_value_enter(
            actor=ctx["users"][M],
            indicator=indicator,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
            value=Decimal(7),
        )
    return indicator


def more_plans(ctx: Ctx, n: int) -> None:
    """Plans of the country, each with a pillar, an action point and an indicator."""
    for _ in range(n):
        plan = _plan()
        _action_point(ctx, plan)
        for _kind in COMPUTATIONS:
            _indicator(ctx, plan=plan)


def more_action_points(ctx: Ctx, n: int) -> None:
    for _ in range(n):
        _action_point(ctx, ctx["action_plan"])


# Indicators are computed with one aggregate per source (sessions, cases, referrals, ...),
# whatever their number: each call adds one indicator of every kind, so that the first
# measurement already has every source and more rows must not add queries.
def more_plan_indicators(ctx: Ctx, n: int) -> None:
    for _ in range(n * len(COMPUTATIONS)):
        _indicator(ctx, plan=ctx["action_plan"])


def more_project_indicators(ctx: Ctx, n: int) -> None:
    for _ in range(n * len(COMPUTATIONS)):
        _indicator(ctx, project=ctx["project"])


def more_runs(ctx: Ctx, n: int) -> None:
    """Operational runs of the country, requested by new people, with files."""
    for _ in range(n):
        k = next(_seq)
        run = ReportRun.objects.create(
            kind="operational",
            parameters={"country": "CF"},
            parameters_key="country=CF",
            period_from=date(2024, 1, 1) + timedelta(days=k),
            period_to=date(2024, 12, 31),
            trigger="person",
            requested_by=factories.user(M, organisation=ctx["org"]),
            status="done",
        )
        for fmt in ("json", "csv"):
            report_file = ReportFile(run=run, format=fmt, checksum="0" * 64, size=2)
            report_file.file.save(f"r.{fmt}", ContentFile(b"{}"))


def more_run_files(ctx: Ctx, n: int) -> None:
    run = ctx["run"]
    formats = ["csv", "xlsx", "pdf", "html", "txt", "xml", "docx", "ods"]
    taken = set(run.files.values_list("format", flat=True))
    for fmt in [f for f in formats if f not in taken][:n]:
        report_file = ReportFile(run=run, format=fmt, checksum="0" * 64, size=2)
        report_file.file.save(f"r.{fmt}", ContentFile(b"{}"))


# The pages


@dataclass(frozen=True)
class Page:
    id: str
    url_name: str  # its row in tests/access_table.py
    role: Role
    url: Callable[[Ctx], str]
    more: tuple[Adder, ...]
    headers: dict[str, str] = field(default_factory=dict)
    n_plus_1: str = ""  # where the page runs a query per row: an expected failure
    # A search posted first (names never go in an address): the page measured is the one
    # the post redirects to.
    posted: dict[str, str] = field(default_factory=dict)


def _to(url_name: str, key: str | None = None, **query: str) -> Callable[[Ctx], str]:
    def url(ctx: Ctx) -> str:
        path = reverse(url_name, kwargs={"pk": ctx[key].pk} if key else None)
        return f"{path}?{urlencode(query)}" if query else path

    return url


def _filtered_cases(ctx: Ctx) -> str:
    """The case list filtered on every field the ctx case (and the added cases) match."""
    case = Case.objects.get(pk=ctx["case"].pk)
    age = case.age_at_identification
    query = {
        "status": case.status,
        "trafficking_status": case.trafficking_status,
        "sex": case.sex,
        "exploitation_type": "ForcedLabour",
        "citizenship": "CF",
        "age_group": next(code for code, _l, low, high in cv.AGE_GROUPS if low <= age <= high),
        "caseworker": ctx["users"][C].pk,
        "identified_from": case.identified_on.isoformat(),
        "identified_to": case.identified_on.isoformat(),
        "sort": "number",
    }
    return f"{reverse('cases:case_list')}?{urlencode(query)}"


PAGES = [
    # Cases
    Page("case_list", "cases:case_list", C, _to("cases:case_list"), (more_cases,)),
    Page("case_list_supervisor", "cases:case_list", S, _to("cases:case_list"), (more_cases,)),
    Page("case_list_filtered", "cases:case_list", S, _filtered_cases, (more_cases,)),
    Page(
        "case_list_search",
        "cases:case_list",
        C,
        _to("cases:case_list"),
        (more_cases,),
        posted={"q": "Amina"},
    ),
    Page(
        "case_list_mine", "cases:case_list", C, _to("cases:case_list", view="mine"), (more_cases,)
    ),
    Page(
        "case_list_follow_ups",
        "cases:case_list",
        C,
        _to("cases:case_list", view="follow_ups"),
        (more_cases,),
    ),
    Page(
        "case_list_htmx_rows",
        "cases:case_list",
        S,
        _to("cases:case_list"),
        (more_cases,),
        headers={"HX-Request": "true"},
    ),
    Page(
        "case_detail",
        "cases:case_detail",
        C,
        _to("cases:case_detail", "case"),
        (more_case_records,),
    ),
    Page(
        "case_detail_supervisor",
        "cases:case_detail",
        S,
        _to("cases:case_detail", "case"),
        (more_case_records,),
    ),
    Page(
        "case_history", "cases:case_history", S, _to("cases:case_history", "case"), (more_history,)
    ),
    Page(
        "case_history_admin",
        "cases:case_history",
        A,
        _to("cases:case_history", "case"),
        (more_history,),
    ),
    Page("approvals", "cases:approvals", S, _to("cases:approvals"), (more_closures,)),
    # Referrals
    Page(
        "referral_list",
        "referrals:referral_list",
        C,
        _to("referrals:referral_list"),
        (more_referrals,),
    ),
    Page(
        "referral_list_supervisor",
        "referrals:referral_list",
        S,
        _to("referrals:referral_list"),
        (more_referrals,),
    ),
    Page(
        "referral_detail_draft",
        "referrals:referral_detail",
        C,
        _to("referrals:referral_detail", "outgoing"),
        (more_events("outgoing"),),
    ),
    Page(
        "referral_detail_sent",
        "referrals:referral_detail",
        S,
        _to("referrals:referral_detail", "external"),
        (more_events("external"),),
    ),
    Page("inbox", "referrals:inbox", P, _to("referrals:inbox"), (more_incoming,)),
    Page(
        "inbox_detail",
        "referrals:inbox_detail",
        P,
        _to("referrals:inbox_detail", "incoming"),
        (more_events("incoming"),),
    ),
    Page(
        "referral_statistics",
        "referrals:statistics",
        S,
        _to("referrals:statistics", period=LAST_MONTH.key),
        (more_referrals_last_month, more_cases),
    ),
    Page(
        "referral_statistics_suppressed",
        "referrals:statistics",
        MI,
        _to("referrals:statistics", period=LAST_MONTH.key),
        (more_referrals_last_month, more_cases),
    ),
    # Partners
    Page(
        "organisation_list",
        "partners:organisation_list",
        P,
        _to("partners:organisation_list"),
        (more_organisations,),
    ),
    Page(
        "organisation_detail",
        "partners:organisation_detail",
        A,
        _to("partners:organisation_detail", "org"),
        (more_on_organisation,),
    ),
    Page(
        "pathway_list", "partners:pathway_list", S, _to("partners:pathway_list"), (more_pathways,)
    ),
    # Projects and donors
    Page(
        "project_list",
        "programmes:project_list",
        M,
        _to("programmes:project_list"),
        (more_projects,),
    ),
    Page(
        "project_detail",
        "programmes:project_detail",
        M,
        _to("programmes:project_detail", "project"),
        (more_on_project,),
    ),
    Page(
        "project_detail_indicators",
        "programmes:project_detail",
        PR,
        _to("programmes:project_detail", "project"),
        (more_project_indicators,),
    ),
    Page("donor_list", "programmes:donor_list", M, _to("programmes:donor_list"), (more_donors,)),
    # Users
    Page(
        "user_list",
        "accounts:user_list",
        A,
        _to("accounts:user_list"),
        (more_users,),
    ),
    Page(
        "user_detail",
        "accounts:user_detail",
        A,
        _to("accounts:user_detail", "colleague"),
        (more_on_user,),
    ),
    # Trainings
    Page(
        "session_list",
        "trainings:session_list",
        PR,
        _to("trainings:session_list"),
        (more_sessions,),
    ),
    Page(
        "session_list_mne",
        "trainings:session_list",
        M,
        _to("trainings:session_list"),
        (more_sessions,),
    ),
    Page(
        "session_detail",
        "trainings:session_detail",
        PR,
        _to("trainings:session_detail", "session"),
        (more_on_session,),
    ),
    Page(
        "session_detail_mne",
        "trainings:session_detail",
        M,
        _to("trainings:session_detail", "session"),
        (more_on_session,),
    ),
    Page(
        "session_totals",
        "trainings:session_totals",
        MI,
        _to("trainings:session_totals"),
        (more_sessions,),
    ),
    Page(
        "register",
        "trainings:register",
        PR,
        _to("trainings:register", "session"),
        (more_participants,),
    ),
    # Action plans, report runs, dashboard
    Page("plan_list", "reports:plan_list", MI, _to("reports:plan_list"), (more_plans,)),
    Page(
        "plan_detail",
        "reports:plan_detail",
        M,
        _to("reports:plan_detail", "action_plan"),
        (more_action_points,),
    ),
    Page(
        "plan_detail_indicators",
        "reports:plan_detail",
        M,
        _to("reports:plan_detail", "action_plan"),
        (more_plan_indicators,),
    ),
    Page("run_list", "reports:run_list", MI, _to("reports:run_list"), (more_runs,)),
    Page("run_list_mne", "reports:run_list", M, _to("reports:run_list"), (more_runs,)),
    Page(
        "run_detail", "reports:run_detail", MI, _to("reports:run_detail", "run"), (more_run_files,)
    ),
    Page(
        "dashboard",
        "reports:dashboard",
        MI,
        _to("reports:dashboard"),
        (more_cases, more_referrals, more_sessions, more_screenings),
    ),
    Page(
        "dashboard_plans",
        "reports:dashboard",
        MI,
        _to("reports:dashboard"),
        (more_plans,),
    ),
    # Home page, one per role
    Page("home_caseworker", "home", C, _to("home"), (more_cases, more_referrals, more_projects)),
    Page("home_supervisor", "home", S, _to("home"), (more_cases, more_referrals, more_projects)),
    Page("home_partner", "home", P, _to("home"), (more_incoming,)),
    Page("home_programme", "home", PR, _to("home"), (more_sessions, more_projects)),
    Page("home_mne", "home", M, _to("home"), (more_sessions, more_projects)),
    Page("home_ministry", "home", MI, _to("home"), (more_sessions, more_projects)),
    Page("home_admin", "home", A, _to("home"), (more_users, more_projects)),
]


def _param(page: Page):
    marks = (
        [pytest.mark.xfail(strict=True, reason=f"N+1 in {page.n_plus_1}")] if page.n_plus_1 else []
    )
    return pytest.param(page, id=page.id, marks=marks)


# Measuring

_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_LIST = re.compile(r"\((?:\s*\?\s*,)*\s*\?\s*\)")
# Names Django makes up per statement: savepoints, PostgreSQL server-side cursors.
_GENERATED = re.compile(r'"(?:s\d+_x\d+|_django_curs_\d+_\w+?_\d+)"')


def _shape(sql: str) -> str:
    """The query without its values: the same statement for another row has the same shape."""
    return _LIST.sub("(?…)", _LITERAL.sub("?", _GENERATED.sub('"?"', sql)))


def _queries(client, url: str, page: Page) -> tuple[list[str], bytes]:
    """The SQL a GET of the page runs, and the page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=page.headers)
    assert response.status_code == 200, f"{page.role} GET {url}: {response.status_code}"
    return [query["sql"] for query in captured.captured_queries], response.content


def _explain(page: Page, before: list[str], after: list[str]) -> str:
    counted_before, counted_after = Counter(map(_shape, before)), Counter(map(_shape, after))
    lines = [
        f"{page.id} ({page.role}): {len(before)} queries, then {len(after)} with "
        f"{MORE} more rows. Queries run more often:"
    ]
    for shape, times in counted_after.items():
        if times > counted_before[shape]:
            example = next(sql for sql in after if _shape(sql) == shape)
            lines.append(f"  {counted_before[shape]} -> {times} times: {example}")
    for shape, times in counted_before.items():
        if times > counted_after[shape]:
            lines.append(f"  (fewer: {times} -> {counted_after[shape]} times: {shape})")
    return "\n".join(lines)


@pytest.mark.parametrize("page", [_param(page) for page in PAGES])
def test_the_number_of_queries_does_not_grow_with_the_data(client, ctx, page):
    assert TABLE[page.url_name].expect[str(page.role)] == 200, (
        f"the access table does not let {page.role} open {page.url_name}"
    )
    # One of each kind first: a prefetch of an empty relation runs no query, so the first
    # measurement must already show every kind of row.
    for add in page.more:
        add(ctx, 1)
    client.force_login(ctx["users"][page.role])
    url = page.url(ctx)
    if page.posted:
        redirect = client.post(url, page.posted)
        assert redirect.status_code == 302, page.id
        url = redirect["Location"]
    _queries(client, url, page)  # warm: session, caches, content types
    before, shown_before = _queries(client, url, page)

    for add in page.more:
        add(ctx, MORE)
    after, shown_after = _queries(client, url, page)

    assert len(shown_after) > len(shown_before), f"{page.id} does not show what was added"

    print(f"{page.id}: {len(before)} queries, then {len(after)}")
    if len(after) != len(before):
        print("SQL of the second measurement:")
        print("\n".join(f"  {sql}" for sql in after))
    assert len(after) == len(before), _explain(page, before, after)
