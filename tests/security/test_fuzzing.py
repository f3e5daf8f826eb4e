"""Property-based tests (hypothesis) of every form the users post: no input gives a server
error, a refused submission writes nothing, and what is stored is shown escaped.

Each example runs inside a savepoint that is rolled back, so the examples do not pile up
records (nor failed sign-ins) on each other."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEntry, User, UserRole, UserSession
from accounts.roles import Role
from cases.forms import CaseEditForm
from cases.models import (
    Assessment,
    Case,
    CaseNote,
    Consent,
    FollowUp,
    LegalProceeding,
    Person,
    ServiceDelivery,
    SupportPlan,
    TraffickingEvent,
)
from cases.services import transfer as case_transfer
from partners.models import Organisation, Region
from programmes.models import Donor, Project
from referrals.models import Referral, ReferralEvent
from tests import factories
from tests.access_table import ANON
from tests.security.crawling import record_figures
from trainings.models import Participant, TrainingSession
from trainings.services import transfer as training_transfer

PAYLOAD = "<script>alert(1)</script>"
RAW = b"<script>alert("
ESCAPED = b"&lt;script&gt;alert(1)&lt;/script&gt;"
EXAMPLES = 25
DAY = "2025-01-10"

# Text a person (or an attacker) might type: anything, markup, over-long, empty.
TEXT = st.one_of(
    st.text(max_size=200),
    st.just(PAYLOAD),
    st.text(alphabet=st.sampled_from("<>\"'&;%\\/\x00\r\n"), max_size=20),
    st.sampled_from(["", " ", "x" * 201, "x" * 10_001, "0", "-1", "1e309", "2025-02-30"]),
)


# What a form must leave untouched when it refuses a submission


def _counts(*kinds: type[models.Model]) -> Callable[[dict], tuple]:
    def count(ctx: dict) -> tuple:
        return tuple(kind.objects.count() for kind in (*kinds, AuditEntry))

    return count


def _row(kind: type[models.Model], key: str) -> Callable[[dict], tuple]:
    def snapshot(ctx: dict) -> tuple:
        return (
            kind.objects.filter(pk=ctx[key].pk).values().get(),
            AuditEntry.objects.count(),
        )

    return snapshot


def _case_snapshot(ctx: dict) -> tuple:
    case = ctx["case"]
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        Person.objects.filter(case=case).values().get(),
        AuditEntry.objects.count(),
    )


def _record_counts(kind: type[models.Model]) -> Callable[[dict], tuple]:
    def count(ctx: dict) -> tuple:
        return (
            kind.objects.count(),
            Case.objects.get(pk=ctx["case"].pk).version,
            AuditEntry.objects.count(),
        )

    return count


# Valid submissions, from which the fuzzer departs


def _post_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(x) for x in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def _form_data(initial: dict[str, Any]) -> dict[str, Any]:
    """A form's initial values as a browser posts them (an unticked box is left out)."""
    data = {}
    for name, value in initial.items():
        if value is not False:
            data[name] = "on" if value is True else _post_value(value)
    return data


def _case_fields(ctx: dict) -> dict[str, Any]:
    data = _form_data(CaseEditForm.initial_for(Case.objects.get(pk=ctx["case"].pk)))
    for name in ("version", "loaded"):
        data.pop(name)
    return data


def _case_register(ctx: dict) -> dict[str, Any]:
    return {
        **_case_fields(ctx),
        "first_name": "Awa",
        "aliases": "",
        "exploitation_types": ["ForcedLabour"],
        "consent_confirmed": "on",
        "consent_given_by": "person",
        "consent_method": "written",
        "consent_given_on": DAY,
    }


def _case_edit(ctx: dict) -> dict[str, Any]:
    case = Case.objects.get(pk=ctx["case"].pk)
    return {**_form_data(CaseEditForm.initial_for(case)), "aliases": "Awa"}


RECORDS: dict[str, tuple[type[models.Model], Callable[[dict], dict], tuple[str, ...]]] = {
    "note": (CaseNote, lambda ctx: {"body": "Called the family."}, ("body",)),
    "consent": (
        Consent,
        lambda ctx: {
            "scope": "contact",
            "granted": "on",
            "given_by": "person",
            "method": "written",
            "given_on": DAY,
        },
        (),
    ),
    "assessment": (
        Assessment,
        lambda ctx: {
            "assessed_on": DAY,
            "needs": ["shelter", "medical"],
            "risk_level": "high",
            "risks": "Trafficker nearby.",
        },
        ("risks",),
    ),
    "service": (
        ServiceDelivery,
        lambda ctx: {
            "service_type": "medical",
            "delivered_on": DAY,
            "provider": str(ctx["org"].pk),
            "cost": "1500.50",
            "currency": "XAF",
            "project": "",
            "notes": "Seen by a nurse.",
        },
        ("notes",),
    ),
    "follow_up": (
        FollowUp,
        lambda ctx: {
            "due_on": "2030-02-01",
            "purpose": "Home visit",
            "assigned_to": str(ctx["users"][Role.CASEWORKER].pk),
        },
        ("purpose",),
    ),
    "legal": (
        LegalProceeding,
        lambda ctx: {
            "stage": "complaint",
            "complaint_on": DAY,
            "outcome": "pending",
            "person_role": "witness",
            "compensation_amount": "",
            "notes": "Hearing set.",
        },
        ("notes",),
    ),
    "event": (
        TraffickingEvent,
        lambda ctx: {
            "type": "Transit",
            "country": "ML",
            "place": "Bamako",
            "date": "2024-06-01",
            "description": "Moved by bus.",
        },
        ("place", "description"),
    ),
    "plan": (
        SupportPlan,
        lambda ctx: {
            "type": "Health",
            "objectives": "Recover.",
            "action_plan": "Weekly visits.",
            "planned_services": ["medical"],
            "planned_end_on": "2030-01-01",
        },
        ("objectives", "action_plan"),
    ),
}

# Where the stored text is shown: the record kinds whose free text appears on the case page.
RECORDS_SHOWN = {"note", "assessment", "follow_up", "event", "plan"}

CASE_COLUMNS = ["external_id", "prs_FirstName", "prs_SecondName", "prs_MailingStreet"]
CASE_COLUMNS += ["prs_MobilePhone", "prs_Birthdate", "sex", "prs_Citizenship", "con_Consent"]
CASE_ROW = {
    "external_id": "EXT-1",
    "prs_FirstName": "Awa",
    "prs_SecondName": "Kone",
    "prs_MailingStreet": "Bangui",
    "prs_MobilePhone": "+23670000001",
    "prs_Birthdate": "1990-01-01",
    "sex": "female",
    "prs_Citizenship": "CF",
    "con_Consent": "yes",
}
SESSION_ROW = {
    "title": "Awareness day",
    "session_type": "awareness",
    "start_date": "2025-02-01",
    "end_date": "2025-02-01",
    "country": "CF",
    "region": "",
    "locality": "Bimbo",
    "organiser": "IOM CAR",
    "partners": "",
    "project_code": "",
    "audiences": "police",
    "topics": "tip_basics",
    "participants_female": "3",
    "participants_male": "2",
    "participants_other": "0",
    "notes": "Went well.",
}


@dataclass(frozen=True)
class FormSpec:
    name: str
    subject: str
    url: Callable[[dict], str]
    valid: Callable[[dict], dict[str, Any]]
    # Free-text fields, where the script payload goes in the escaping test.
    text_fields: tuple[str, ...]
    unchanged: Callable[[dict], Any]
    # Where the stored values are shown after a successful submission (None: nowhere).
    shown_on: Callable[[dict, HttpResponse], str] | None = lambda ctx, r: r["Location"]
    shows_text: bool = True
    # CSV importers: the columns of the file, and other form fields.
    columns: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def succeeded(self, response: HttpResponse, url: str) -> bool:
        if self.columns:
            # An import answers with its report: 200 when the whole file went in.
            report = response.context and response.context.get("report")
            return response.status_code == 200 and bool(report) and report.ok
        # A form redirects once it has saved; a refused one is shown again (200).
        return response.status_code == 302


def _case_url(kind: str) -> Callable[[dict], str]:
    return lambda ctx: reverse("cases:record_add", kwargs={"pk": ctx["case"].pk, "kind": kind})


SPECS = [
    FormSpec(
        "login",
        ANON,
        lambda ctx: reverse("accounts:login"),
        lambda ctx: {"username": "caseworker", "password": factories.PASSWORD},
        (),
        _counts(Session, UserSession),
        shown_on=None,
    ),
    FormSpec(
        "user_create",
        Role.ADMIN,
        lambda ctx: reverse("accounts:user_create"),
        lambda ctx: {
            "username": "fatou",
            "first_name": "Fatou",
            "last_name": "Camara",
            "email": "fatou@example.org",
            "job_title": "Caseworker",
            "roles": [Role.CASEWORKER],
            "password1": "blue-river-lantern-42",
            "password2": "blue-river-lantern-42",
        },
        ("first_name", "last_name", "job_title"),
        _counts(User, UserRole),
    ),
    FormSpec(
        "organisation_edit",
        Role.ADMIN,
        lambda ctx: reverse("partners:organisation_edit", kwargs={"pk": ctx["org"].pk}),
        lambda ctx: {
            "name": "IOM Central African Republic",
            "acronym": "IOM CAR",
            "type": "NGO",
            "country": "CF",
            "phone": "+23670000000",
            "email": "iom@example.org",
            "address": "Bangui",
            "is_active": "on",
        },
        ("name", "address"),
        _row(Organisation, "org"),
    ),
    FormSpec(
        "project_create",
        Role.MNE,
        lambda ctx: reverse("programmes:project_create"),
        lambda ctx: {
            "code": "PRJ-FUZZ",
            "title": "Protection project",
            "donor": str(ctx["donor"].pk),
            "countries": ["CF"],
            "organisations": [str(ctx["org"].pk)],
            "start_date": "2025-01-01",
            "end_date": "2026-12-31",
        },
        ("title",),
        _counts(Project, Donor),
    ),
    FormSpec(
        "case_register",
        Role.CASEWORKER,
        lambda ctx: reverse("cases:case_register"),
        _case_register,
        ("first_name", "last_name", "aliases", "address", "phone", "identified_locality"),
        _counts(Case, Person, Consent),
    ),
    FormSpec(
        "case_edit",
        Role.CASEWORKER,
        lambda ctx: reverse("cases:case_edit", kwargs={"pk": ctx["case"].pk}),
        _case_edit,
        ("first_name", "aliases", "address", "identity_documents", "identified_locality"),
        _case_snapshot,
    ),
    *[
        FormSpec(
            f"record_add:{kind}",
            Role.CASEWORKER,
            _case_url(kind),
            valid,
            text_fields,
            _record_counts(model),
            shows_text=kind in RECORDS_SHOWN,
        )
        for kind, (model, valid, text_fields) in RECORDS.items()
    ],
    FormSpec(
        "referral_create",
        Role.CASEWORKER,
        lambda ctx: reverse("referrals:referral_create", kwargs={"case_pk": ctx["case"].pk}),
        lambda ctx: {
            "service_type": "medical",
            "to_organisation": str(ctx["pathway"].partner_id),
            "external_organisation": "",
            "destination_country": "",
            "urgency": "normal",
            "reason": "Needs a check-up.",
            "packet_fields": ["case_number", "first_name"],
        },
        ("reason",),
        _counts(Referral, ReferralEvent),
    ),
    FormSpec(
        "session_create",
        Role.PROGRAMME,
        lambda ctx: reverse("trainings:session_create"),
        lambda ctx: {
            "title": "Police training",
            "session_type": "training",
            "topics": ["tip_basics"],
            "audiences": ["police"],
            "facilitators": "Two trainers",
            "country": "CF",
            "locality": "Bangui",
            "venue": "Town hall",
            "start_date": "2025-02-01",
            "end_date": "2025-02-02",
            "participants_female": "3",
            "participants_male": "4",
            "participants_other": "0",
            "notes": "Good questions.",
        },
        ("title", "facilitators", "venue", "notes"),
        _counts(TrainingSession),
    ),
    FormSpec(
        "participant_add",
        Role.PROGRAMME,
        lambda ctx: reverse("trainings:register", kwargs={"pk": ctx["session"].pk}),
        lambda ctx: {
            "name": "Jean Mbaye",
            "organisation": "Police",
            "function": "Officer",
            "sex": "male",
            "phone": "+23670000002",
            "email": "jean@example.org",
            "pre_score": "40",
            "post_score": "75.5",
        },
        ("name", "organisation", "function", "phone"),
        _counts(Participant),
    ),
    FormSpec(
        "case_import",
        Role.SUPERVISOR,
        lambda ctx: reverse("cases:case_import"),
        lambda ctx: CASE_ROW,
        ("prs_FirstName", "prs_SecondName"),
        _counts(Case, Person, Consent),
        shown_on=lambda ctx, r: reverse("cases:case_list"),
        columns=tuple(CASE_COLUMNS),
    ),
    FormSpec(
        "session_import",
        Role.PROGRAMME,
        lambda ctx: reverse("trainings:session_import"),
        lambda ctx: SESSION_ROW,
        ("title", "notes"),
        _counts(TrainingSession, Organisation, Project, Donor, Region),
        shown_on=lambda ctx, r: reverse("trainings:session_list"),
        columns=tuple(training_transfer.COLUMNS),
        extra={"create_missing": "on"},
    ),
]
assert set(case_transfer.REQUIRED_COLUMNS) <= set(CASE_COLUMNS)


def _client(ctx: dict, subject: str) -> Client:
    client = Client(headers={"accept-language": "en"})
    if subject != ANON:
        client.force_login(ctx["users"][Role(subject)])
    return client


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return SimpleUploadedFile("upload.csv", buffer.getvalue().encode(), "text/csv")


def _payload(spec: FormSpec, ctx: dict) -> dict[str, Any]:
    valid = spec.valid(ctx)
    return {**valid, **dict.fromkeys(spec.text_fields, PAYLOAD)}


def _post(client: Client, spec: FormSpec, ctx: dict, data: Any) -> tuple[str, HttpResponse]:
    url = spec.url(ctx)
    if spec.columns:
        data = {"upload": _csv(spec.columns, data), **spec.extra}
    return url, client.post(url, data)


def _check(client: Client, spec: FormSpec, ctx: dict, data: Any) -> bool:
    """Post in a savepoint that is rolled back; True when the form accepted the input."""
    with transaction.atomic():
        before = spec.unchanged(ctx)
        url, response = _post(client, spec, ctx, data)
        assert response.status_code < 500
        assert RAW not in response.content, "the form echoes a script unescaped"
        accepted = spec.succeeded(response, url)
        if accepted and spec.shown_on is not None:
            page = client.get(spec.shown_on(ctx, response))
            assert page.status_code == 200
            assert RAW not in page.content, "a stored script is rendered unescaped"
        if not accepted:
            assert spec.unchanged(ctx) == before, "a refused submission wrote something"
        transaction.set_rollback(True)
    return accepted


# Fuzzing


def _value(draw: Callable, valid: Any) -> Any:
    if isinstance(valid, list):
        return draw(st.one_of(st.just(valid), st.lists(TEXT, max_size=3), st.just([PAYLOAD]), TEXT))
    return draw(st.one_of(st.just(valid), TEXT))


def _fuzzed_form(draw: Callable, valid: dict[str, Any]) -> dict[str, Any]:
    """The valid submission with up to three fields changed or missing, and sometimes a
    field the form does not expect: some examples pass, most are refused."""
    data = dict(valid)
    for name in draw(st.lists(st.sampled_from(sorted(valid)), max_size=3, unique=True)):
        if draw(st.integers(0, 4)) == 0:
            del data[name]
        else:
            data[name] = _value(draw, valid[name])
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.text(min_size=1, max_size=20))] = draw(TEXT)
    return data


# Known bugs, each pinned by an xfail test below, are left out of the random cells so that
# the fuzzer keeps looking for others: a doubled quote with a line break (CSV reader), a NUL
# character (PostgreSQL refuses it), an over-long name the session import creates.
CELL = TEXT.filter(
    lambda text: "\x00" not in text and not ('"' in text and ("\r" in text or "\n" in text))
)
CREATED_BY_IMPORT = {"organiser", "partners", "region", "project_code"}


def _fuzzed_rows(draw: Callable, valid: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for n in range(draw(st.integers(0, 3))):
        row = dict(valid, external_id=f"EXT-{n}") if "external_id" in valid else dict(valid)
        for name in draw(st.lists(st.sampled_from(sorted(valid)), max_size=3, unique=True)):
            cell = CELL.map(lambda text: text[:40]) if name in CREATED_BY_IMPORT else CELL
            row[name] = draw(cell)
        rows.append(row)
    return rows


_examples: Counter[str] = Counter()
_accepted: Counter[str] = Counter()


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_form_survives_random_input_and_writes_nothing_when_it_refuses(ctx, spec, data):
    client = _client(ctx, spec.subject)
    valid = spec.valid(ctx)
    fuzz = _fuzzed_rows if spec.columns else _fuzzed_form
    submission = fuzz(data.draw, valid)

    accepted = _check(client, spec, ctx, submission)

    _examples[spec.name] += 1
    _accepted[spec.name] += accepted
    record_figures(
        **{
            "fuzzing.forms": len(SPECS),
            "fuzzing.max_examples_per_form": EXAMPLES,
            f"fuzzing.examples.{spec.name}": (
                f"{_examples[spec.name]} run, {_accepted[spec.name]} accepted"
            ),
        }
    )


# The valid submission the fuzzer departs from is accepted, and its stored script is escaped


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_valid_submission_is_accepted(ctx, spec):
    client = _client(ctx, spec.subject)
    valid = spec.valid(ctx)

    assert _check(client, spec, ctx, [valid] if spec.columns else valid)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.text_fields], ids=lambda s: s.name)
def test_script_typed_into_a_form_is_shown_escaped(ctx, spec):
    client = _client(ctx, spec.subject)
    data = _payload(spec, ctx)

    url, response = _post(client, spec, ctx, [data] if spec.columns else data)

    assert spec.succeeded(response, url), getattr(response, "context", None) and [
        response.context.get("form") and response.context["form"].errors,
        response.context.get("report") and response.context["report"].errors,
    ]
    page = client.get(spec.shown_on(ctx, response))
    assert RAW not in page.content
    if spec.shows_text:
        assert ESCAPED in page.content


@pytest.mark.parametrize("spec", [s for s in SPECS if s.columns], ids=lambda s: s.name)
def test_quoted_cell_with_a_line_break_is_not_a_server_error(ctx, spec):
    client = _client(ctx, spec.subject)
    client.raise_request_exception = False
    row = {**spec.valid(ctx), spec.text_fields[0]: 'Awa "Mama"\rKone'}

    _url, response = _post(client, spec, ctx, [row])

    assert response.status_code in (200, 400)


ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.parametrize(
    ("spec", "column"),
    [(s, c) for s in SPECS if s.columns for c in (s.columns[0], "notes") if c in s.columns],
    ids=lambda value: getattr(value, "name", value),
)
def test_import_cell_with_a_nul_character_is_not_a_server_error(ctx, spec, column):
    client = _client(ctx, spec.subject)
    client.raise_request_exception = False
    row = {**spec.valid(ctx), column: "EXT\x00-1"}

    _url, response = _post(client, spec, ctx, [row])

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("organiser", "O" * 201),
        ("partners", "P" * 201),
        ("region", "R" * 121),
        ("project_code", "P" * 41),
    ],
)
def test_session_import_refuses_an_over_long_name_to_create(ctx, column, value):
    spec = next(s for s in SPECS if s.name == "session_import")
    client = _client(ctx, spec.subject)
    client.raise_request_exception = False

    _url, response = _post(client, spec, ctx, [{**SESSION_ROW, column: value}])

    assert response.status_code == 400
    assert not Organisation.objects.filter(name=value).exists()
    assert not Region.objects.filter(name=value).exists()
    assert not Project.objects.filter(code=value).exists()


def test_every_form_users_post_is_fuzzed():
    names = {spec.name for spec in SPECS}

    assert {f"record_add:{k}" for k in RECORDS} <= names
    assert len(RECORDS) == 8
    print(f"\nforms fuzzed: {len(SPECS)}, up to {EXAMPLES} examples each")
    record_figures(
        **{"fuzzing.forms": len(SPECS), "fuzzing.max_examples_per_form": EXAMPLES},
    )
