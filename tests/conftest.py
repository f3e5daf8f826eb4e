"""Fixtures shared by every test module: test modules never import from one another
(tests/test_architecture.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import grants
from accounts.roles import Role
from api import webhooks
from cases.models import ImportJob
from cases.services import records
from cases.services import workflow as case_workflow
from partners.models import Contact, PathwayStep
from referrals import services as referral_services
from reports.models import ActionPlan, ActionPoint, Indicator, Pillar, ReportFile, ReportRun
from reports.services import plans
from screening import services as screening_services
from tests import factories
from trainings.services import sessions as training_sessions


@pytest.fixture(autouse=True)
def language_of_the_test():
    # Every test starts in the same language, whatever the one before it left active (a
    # request leaves its language active in the thread): English, in which tests write
    # what they expect unless they choose a language.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache():
    # Budgets and throttles (name look-ups, password resets, re-entered passwords) are
    # counted in the cache, by user id: ids come back between tests, budgets must not.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    return factories.organisation(name="IOM Central African Republic", acronym="IOM CAR")


@pytest.fixture
def other_org(db):
    return factories.organisation(name="Other NGO", acronym="ONGO", country="GN")


@pytest.fixture
def users(db, org):
    """One user per role in `org`, keyed by role code."""
    return {role: factories.user(role, organisation=org, username=str(role)) for role in Role}


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def ctx(db, org, other_org, users):
    """One record of every kind a page of the role x URL table (tests/access_table.py)
    shows, for the table's test, the query-count guard and the security crawls."""
    colleague = factories.user(Role.CASEWORKER, organisation=org, username="colleague")
    # A supervisor role for the colleague, asked by a second administrator of the
    # organisation: the table's administrator may decide it.
    second_admin = factories.user(Role.ADMIN, organisation=org, username="second-admin")
    grant = grants.grant_request(actor=second_admin, user=colleague, role=Role.SUPERVISOR)
    colleague_device = TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    case = factories.case(caseworker=users[Role.CASEWORKER])
    other_case = factories.case(caseworker=users[Role.CASEWORKER], first_name="Other")
    closure = case_workflow.closure_request(
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
    screening = factories.screening(actor=users[Role.CASEWORKER])
    screening_services.status_decide(
        actor=users[Role.SUPERVISOR],
        screening=screening,
        status="ActualVictimOfTrafficking",
        justification="Debt bondage and confiscated papers, confirmed by the person.",
    )
    session = training_sessions.session_record(
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
    attachment = training_sessions.attachment_upload(
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
        "screening": screening,
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
        "webhook": webhooks.subscription_create(
            actor=users[Role.ADMIN],
            url="https://receiver.example.org/hook",
            events=["case.closed"],
        )[0],
        "import_job": ImportJob.objects.create(
            organisation=org, created_by=users[Role.SUPERVISOR], original_name="cases.csv"
        ),
        "users": users,
    }


def pytest_collection_modifyitems(config, items):
    """CI runs the suite twice, on PostgreSQL and on the embedded SQLite: the slowest tests
    that exercise no database behaviour (the phone walk of every page, the schema's
    generated requests) run in the PostgreSQL pass only, to keep CI within its budget."""
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="database-independent: runs on PostgreSQL only")
    for item in items:
        if item.get_closest_marker("database_independent"):
            item.add_marker(skip)
