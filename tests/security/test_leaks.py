"""Leak test: every sensitive field of two case files holds a unique marker; each subject
(every role, a superuser, an anonymous visitor, a caseworker not assigned to the case and a
supervisor of another organisation) walks every URL of the role table and the exports, and
a marker may appear only where that subject may see it. Markers never reach logs, emails,
task arguments, reports, the CTDC dataset, training exports or the raw database columns.

Case A belongs to the test organisation and is referred out; case B belongs to another
organisation and is referred to the test organisation, whose partner focal point may see the
fields of the packet it received (first name, contact phone) and the reason for referral."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
import weasyprint
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, User
from accounts.roles import Role
from cases.models import Case, ServiceDelivery
from cases.services import case as case_services
from cases.services import records
from cases.services import workflow as case_workflow
from referrals import services as referral_services
from referrals import tasks as referral_tasks
from referrals.models import Referral
from reports import builders, ctdc
from reports import tasks as report_tasks
from reports.models import ReportFile
from reports.services import runs
from tests import factories
from tests.access_table import ANON, SUPER
from tests.security.crawling import Visit, crawl, record_figures, sign_in_as
from traffick_cm import periods
from trainings.models import TrainingSession
from trainings.services import transfer as training_transfer

PREFIX = "LEAKMARK"
PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "aliases",
    "phone",
    "address",
    "identity_documents",
    "disability_details",
    "sogiesc",
)
RECORD_FIELDS = (
    "note",
    "assessment_risks",
    "event_description",
    "plan_objectives",
    "service_notes",
    "legal_notes",
    "closure_details",
    "document_name",
    "referral_reason",
)
FIELDS = PERSON_FIELDS + RECORD_FIELDS
# What the referral packet shares: first name and the contact phone (PacketField.CONTACT).
PACKET = ("case_number", "first_name", "contact")
PACKET_MARKERS = {"first_name", "phone", "referral_reason"}

COLLEAGUE = "unassigned caseworker"
OUTSIDER = "supervisor of the other organisation"
SUBJECTS = [ANON, SUPER, *[str(r) for r in Role], COLLEAGUE, OUTSIDER]
CASE_TEAM = {str(Role.CASEWORKER), str(Role.SUPERVISOR)}


def marker(case: str, field: str) -> str:
    return f"{PREFIX}-{case}-{field}"


def markers_in(text: str) -> set[tuple[str, str]]:
    """(case, field) of every marker in the text."""
    found = set()
    for case in ("A", "B"):
        for field in FIELDS:
            if marker(case, field) in text:
                found.add((case, field))
    return found


# Marking the case files


def _mark_case(case: Case, *, actor: User, tag: str) -> None:
    case = Case.objects.get(pk=case.pk)
    changes = {field: marker(tag, field) for field in PERSON_FIELDS}
    case_services.case_update(
        actor=actor,
        case=case,
        expected_version=case.version,
        loaded={},
        changes={**changes, "has_disability": True, "sogiesc_consent": True},
    )
    today = timezone.localdate()
    records.note_add(actor=actor, case=case, body=marker(tag, "note"))
    records.assessment_add(
        actor=actor,
        case=case,
        assessed_on=today,
        needs=["shelter", "medical"],
        risk_level="high",
        risks=marker(tag, "assessment_risks"),
    )
    records.event_add(
        actor=actor,
        case=case,
        type="Recruitment",
        country="CF",
        description=marker(tag, "event_description"),
    )
    records.support_plan_add(
        actor=actor, case=case, type="Health", objectives=marker(tag, "plan_objectives")
    )
    records.service_record(
        actor=actor,
        case=case,
        service_type="medical",
        delivered_on=today,
        notes=marker(tag, "service_notes"),
    )
    records.legal_proceeding_save(
        actor=actor,
        case=case,
        stage="complaint",
        person_role="witness",
        notes=marker(tag, "legal_notes"),
    )
    if not case.closure_requests.filter(decision="pending").exists():
        case_workflow.closure_request(
            actor=actor, case=case, reason="Reintegrated", details=marker(tag, "closure_details")
        )
    records.document_upload(
        actor=actor,
        case=case,
        kind="identity",
        upload=SimpleUploadedFile(f"{marker(tag, 'document_name')}.pdf", factories.PDF_BYTES),
    )


def _refer(case: Case, *, actor: User, tag: str, to) -> Referral:
    referral = referral_services.referral_create(
        actor=actor,
        case=Case.objects.get(pk=case.pk),
        service_type="medical",
        urgency="high",
        reason=marker(tag, "referral_reason"),
        packet_fields=list(PACKET),
        to_organisation=to,
    )
    return referral_services.referral_send(actor=actor, referral=referral)


@dataclass
class Marked:
    ctx: dict
    case_a: Case
    case_b: Case
    outsider: User
    task_calls: list[tuple[str, tuple, dict]]


def _spy(monkeypatch, task, name: str, calls: list) -> None:
    real = task.delay

    def delay(*args, **kwargs):
        calls.append((name, args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(task, "delay", delay)


@pytest.fixture
def pdf_html(monkeypatch) -> list[str]:
    """The HTML of every PDF rendered (WeasyPrint's text is not searchable in the PDF)."""
    rendered: list[str] = []
    real = weasyprint.HTML

    def html(*args, string=None, **kwargs):
        rendered.append(string or "")
        return real(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", html)
    return rendered


@pytest.fixture
def logs(caplog):
    """Logs at DEBUG, as LOG_LEVEL=DEBUG gives them: the root logger at DEBUG, loggers the
    settings pin to a level (django.request, django.db.backends...) at that level."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def marked(ctx, other_org, monkeypatch, django_capture_on_commit_callbacks, logs, pdf_html):
    users = ctx["users"]
    task_calls: list[tuple[str, tuple, dict]] = []
    _spy(monkeypatch, referral_tasks.notify_referral, "notify_referral", task_calls)
    _spy(monkeypatch, report_tasks.produce_report, "produce_report", task_calls)
    _spy(monkeypatch, report_tasks.notify_subscribers, "notify_subscribers", task_calls)
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER):
        User.objects.filter(pk=users[role].pk).update(email=f"{role}@org.example")
        users[role].refresh_from_db()
    factories.user(Role.PARTNER, organisation=other_org, email="partner@other.example")
    outsider = factories.user(Role.SUPERVISOR, organisation=other_org)
    case_a = ctx["case"]
    case_b = ctx["incoming"].case
    other_worker = ctx["incoming"].created_by
    User.objects.filter(pk=other_worker.pk).update(email="worker@other.example")
    other_worker.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        _mark_case(case_a, actor=users[Role.CASEWORKER], tag="A")
        _mark_case(case_b, actor=other_worker, tag="B")
        outgoing = _refer(case_a, actor=users[Role.CASEWORKER], tag="A", to=other_org)
        incoming = _refer(case_b, actor=other_worker, tag="B", to=ctx["org"])
        # The overdue reminders, once the deadlines (72 hours, urgency high) have passed.
        referral_services.reminders_send(now=timezone.now() + timedelta(days=8))
    # The table's pages about a referral and a document now show the marked ones.
    ctx["outgoing"], ctx["incoming"] = outgoing, incoming
    ctx["document"] = next(d for d in case_a.documents.all() if d.original_name.startswith(PREFIX))
    return Marked(ctx, case_a, case_b, outsider, task_calls)


# Where each subject may see a marker


def may_see(subject: str, url_name: str, case: str, field: str) -> bool:
    case_pages = url_name.startswith(("cases:", "referrals:referral_"))
    if subject in CASE_TEAM and case == "A":
        return case_pages
    if subject == str(Role.PARTNER) and case == "B":
        return url_name.startswith("referrals:inbox") and field in PACKET_MARKERS
    if subject == OUTSIDER and case == "B":
        return case_pages
    return False


def _zip_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )


def visible_text(visit: Visit, pdf_html: list[str]) -> str:
    """What the response shows: body (unzipped for XLSX), headers, and the HTML of a PDF."""
    body = visit.body()
    text = _zip_text(body) if body.startswith(b"PK\x03\x04") else body.decode("utf-8", "replace")
    headers = "\n".join(f"{k}: {v}" for k, v in visit.response.items())
    return "\n".join([text, headers, *pdf_html])


def _extra_visits(client: Client, marked: Marked, subject: str) -> Iterator[Visit]:
    """Beyond the table: the XLSX export, case B's pages, and for a superuser the admin."""
    a, b = marked.case_a.pk, marked.case_b.pk
    urls = [
        ("cases:case_export", reverse("cases:case_export"), {"case": a, "format": "xlsx"}),
        ("cases:case_export", reverse("cases:case_export"), {"case": b, "format": "csv"}),
        ("cases:case_detail", reverse("cases:case_detail", kwargs={"pk": b}), {}),
        (
            "cases:case_section",
            reverse("cases:case_section", kwargs={"pk": b, "section": "documents"}),
            {},
        ),
        ("cases:case_pdf", reverse("cases:case_pdf", kwargs={"pk": b}), {}),
    ]
    if subject == SUPER:
        for model in admin.site._registry:
            opts = model._meta
            name = f"admin:{opts.app_label}_{opts.model_name}_changelist"
            urls.append((name, reverse(name), {}))
        for entry in AuditEntry.objects.filter(target_type="cases.case"):
            name = "admin:accounts_auditentry_change"
            urls.append((name, reverse(name, args=[entry.pk]), {}))
    for url_name, url, data in urls:
        yield Visit(url_name, url, "get", client.get(url, data))


def _client_for(marked: Marked, subject: str) -> Client:
    client = Client()
    if subject == COLLEAGUE:
        client.force_login(marked.ctx["colleague"])
    elif subject == OUTSIDER:
        client.force_login(marked.outsider)
    else:
        sign_in_as(client, marked.ctx, subject)
    return client


def _walk(client: Client, marked: Marked, subject: str) -> Iterator[Visit]:
    yield from _extra_visits(client, marked, subject)
    yield from crawl(client, marked.ctx)


def _markers_in_logs(logs) -> set[tuple[str, str, str]]:
    """Markers in any record logged while marking and crawling, exception texts included.
    Django's own loggers stay at INFO (its default config) whatever LOG_LEVEL says: at DEBUG,
    django.template would log each failed variable lookup with the object looked into, e.g.
    a referral packet with a name and a phone number."""
    formatter = logging.Formatter()
    return {
        (record.name, case, field)
        for record in logs.get_records("setup") + logs.get_records("call")
        for case, field in markers_in(formatter.format(record))
    }


_pairs: dict[str, int] = {}


@pytest.mark.parametrize("subject", SUBJECTS)
def test_markers_appear_only_where_the_subject_may_see_them(marked, subject, pdf_html, logs):
    client = _client_for(marked, subject)
    leaks, seen = [], set()
    visits = 0

    for visit in _walk(client, marked, subject):
        for case, field in markers_in(visible_text(visit, pdf_html)):
            if may_see(subject, visit.url_name, case, field):
                seen.add((case, field))
            else:
                leaks.append(f"{subject} {visit.method.upper()} {visit.url}: {case}/{field}")
        pdf_html.clear()
        visits += 1

    _pairs[subject] = visits
    print(f"\nleak crawl: {visits} responses as {subject}; saw {sorted(seen)}")
    record_figures(
        **{
            "leaks.subject_url_pairs_checked": sum(_pairs.values()),
            "leaks.subjects": len(_pairs),
            "leaks.markers": 2 * len(FIELDS),
        }
    )
    assert not leaks, "\n".join(leaks)
    assert not _markers_in_logs(logs), "markers in the logs"
    # The markers are there to be found: the case team sees its case file, the partner
    # exactly what the packet shares.
    if subject in CASE_TEAM:
        assert {field for case, field in seen if case == "A"} >= SHOWN_TO_CASE_TEAM
    elif subject == str(Role.PARTNER):
        assert seen == {("B", field) for field in PACKET_MARKERS}
    elif subject == OUTSIDER:
        # The reason for referral is on the referral's own page, not crawled for case B.
        assert {field for case, field in seen if case == "B"} >= SHOWN_TO_CASE_TEAM - {
            "referral_reason"
        }
    else:
        assert not seen


# What the case file page, the PDF and the export show to the case team.
SHOWN_TO_CASE_TEAM = set(PERSON_FIELDS) | {
    "note",
    "assessment_risks",
    "plan_objectives",
    "document_name",
    "referral_reason",
}


def test_emails_carry_no_marker(marked):
    assert mail.outbox, "the referrals and reminders sent e-mails"
    for message in mail.outbox:
        text = "\n".join([message.subject, message.body, *message.to, *message.cc])
        text += "".join(str(alternative) for alternative in message.alternatives)
        assert not markers_in(text), message.subject


def _last_year_holding_the_marked_cases() -> periods.Period:
    """Reports cover whole calendar periods that have ended: move the marked records into
    the last complete year, so that the reports below are made of them."""
    year = periods.last_complete(periods.Unit.YEAR, timezone.localdate())
    day = year.start + timedelta(days=100)
    Case.objects.update(identified_on=day)
    ServiceDelivery.objects.update(delivered_on=day)
    Referral.objects.exclude(sent_at=None).update(
        sent_at=datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    )
    assert Case.objects.filter(identified_on__range=(year.start, year.end)).count() >= 2
    return year


def test_task_arguments_are_ids_only(marked, django_capture_on_commit_callbacks):
    year = _last_year_holding_the_marked_cases()
    with django_capture_on_commit_callbacks(execute=True):
        runs.run_request(
            kind="operational",
            parameters={"country": "CF"},
            period_from=year.start,
            period_to=year.end,
            trigger="person",
        )

    names = {name for name, _args, _kwargs in marked.task_calls}
    assert {"notify_referral", "produce_report"} <= names
    words = {"sent", "cancelled", "accepted", "declined", "completed", "closed_no_service"}
    for name, args, kwargs in marked.task_calls:
        assert not kwargs, name
        assert isinstance(args[0], int), (name, args)
        assert all(isinstance(a, int) or a in words for a in args), (name, args)
        assert not markers_in(repr(args)), name


def test_reports_and_datasets_carry_no_marker(marked, django_capture_on_commit_callbacks, pdf_html):
    year = _last_year_holding_the_marked_cases()
    data = builders.build("operational", {"country": "CF"}, year.start, year.end)
    assert not markers_in(builders.render_json(data).decode())
    assert not markers_in(_zip_text(builders.render_xlsx(data)))

    with django_capture_on_commit_callbacks(execute=True):
        run, _created = runs.run_request(
            kind="operational",
            parameters={"country": "CF"},
            period_from=year.start,
            period_to=year.end,
            trigger="person",
        )
    files = ReportFile.objects.filter(run=run)
    assert {f.format for f in files} == set(builders.FORMATS)
    for report_file in files:
        content = report_file.file.read()
        if report_file.format == "xlsx":
            assert not markers_in(_zip_text(content))
        elif report_file.format == "json":
            assert json.loads(content)["country"] == "CF"
            assert not markers_in(content.decode())
    assert pdf_html, "the PDF report was rendered"
    assert not markers_in("".join(pdf_html))

    buffer = io.StringIO()
    ctdc.export(buffer, k=11)
    assert not markers_in(buffer.getvalue())

    sessions = TrainingSession.objects.all()
    for fmt in ("csv", "xlsx"):
        content, _content_type = training_transfer.export(sessions, fmt)
        assert not markers_in(_zip_text(content) if fmt == "xlsx" else content.decode())


def test_case_exports_carry_the_markers_for_the_case_team_only(marked):
    # The counterpart of the crawl: the exports work, so a missing marker means something.
    client = Client()
    client.force_login(marked.ctx["users"][Role.CASEWORKER])
    for fmt in ("csv", "xlsx"):
        response = client.get(
            reverse("cases:case_export"), {"case": marked.case_a.pk, "format": fmt}
        )
        content = _zip_text(response.content) if fmt == "xlsx" else response.content.decode()
        exported = {field for _case, field in markers_in(content)}
        assert exported >= {"first_name", "last_name", "phone", "address", "identity_documents"}
        assert not any(case == "B" for case, _field in markers_in(content))


def test_audit_entries_hold_no_marker(marked):
    for entry in AuditEntry.objects.all():
        assert not markers_in(json.dumps(entry.data, default=str)), entry.action


def test_raw_person_columns_hold_no_marker(marked):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_person")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()

    assert len(rows) >= 2
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            assert PREFIX not in str(value), f"cases_person.{column} holds a marker in the clear"


def test_no_table_holds_a_marker_in_the_clear(marked):
    tables = connection.introspection.table_names()
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                    if PREFIX in str(text):
                        found.append(f"{table}: {str(text)[:80]}")
    # Session data is encoded: decode it to look inside.
    for session in Session.objects.all():
        if PREFIX in json.dumps(session.get_decoded(), default=str):
            found.append(f"django_session {session.session_key}")

    assert tables
    assert not found, "\n".join(found)
