"""generate_report on known data: the JSON holds the exact figures of the period and scope,
with victim counts from 1 to 4 shown as "<5"; the same report comes out as a real workbook
and a real PDF; bad input stops with a CommandError; the output file is never half-written."""

from __future__ import annotations

import itertools
import json
import pathlib
from datetime import date, datetime, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import ServiceDelivery
from referrals.models import Referral, ReferralStatus
from reports.models import (
    ActionPlan,
    ActionPoint,
    Computation,
    Indicator,
    IndicatorTarget,
    Pillar,
    ProgressUpdate,
)
from tests import factories
from traffick_cm import codebooks as cv
from trainings.services import sessions as training_sessions

FROM, TO = date(2026, 1, 1), date(2026, 3, 31)
PERIOD = {"date_from": FROM.isoformat(), "date_to": TO.isoformat()}
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    # The messages checked below are the English ones, whatever the last request activated.
    with translation.override("en"):
        yield


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def project(org):
    return factories.project(
        code="CF-TIP-TEST",
        title="Protection of victims in Bangui",
        donor=factories.donor(name="U.S. TIP Office", acronym="TIP"),
        countries=["CF"],
        organisations=[org],
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
        sdg_targets=["8.7", "16.2"],
    )


def _session(org, **fields):
    data = {
        "title": f"Session {next(_seq)}",
        "session_type": "training",
        "topics": ["tip_basics"],
        "country": "CF",
    }
    data.update(fields)
    data.setdefault("end_date", data["start_date"])
    return training_sessions.session_record(actor=None, organiser=org, **data)


@pytest.fixture
def sessions(org, project):
    """Three sessions of the project start in Q1 2026 (15, 52 and 3 people); one before
    and one after; one in Q1 with no project (5 people)."""
    _session(
        org,
        session_type="training",
        audiences=["magistrates", "police"],
        participants_female=6,
        participants_male=9,
        start_date=date(2026, 1, 10),
        end_date=date(2026, 1, 11),
        project=project,
    )
    _session(
        org,
        session_type="awareness",
        audiences=["community_leaders"],
        participants_female=30,
        participants_male=20,
        participants_other=2,
        start_date=date(2026, 2, 1),
        project=project,
    )
    _session(
        org,
        session_type="workshop",
        audiences=["police"],
        participants_female=1,
        participants_male=2,
        # Starts on the last day of the period, ends after it: counted.
        start_date=TO,
        end_date=TO + timedelta(days=1),
        project=project,
    )
    _session(
        org,
        audiences=["magistrates"],
        participants_female=10,
        participants_male=10,
        start_date=FROM - timedelta(days=1),
        end_date=FROM + timedelta(days=1),
        project=project,
    )
    _session(
        org,
        audiences=["magistrates"],
        participants_male=40,
        start_date=TO + timedelta(days=1),
        project=project,
    )
    _session(
        org,
        session_type="webinar",
        audiences=["journalists"],
        participants_female=5,
        start_date=date(2026, 3, 1),
    )


def _victim(caseworker, *, sex, age, exploitation, citizenship, on=date(2026, 2, 1), **case):
    n = next(_seq)
    return factories.case(
        caseworker=caseworker,
        first_name=f"Aïcha{n}",
        last_name=f"Ngaba{n}",
        date_of_birth=None,
        person_data={"estimated_age": age},
        sex=sex,
        citizenships=[citizenship],
        exploitation_types=exploitation,
        identified_on=on,
        consent_given_by="guardian" if age is not None and age < 18 else "person",
        case_data=case,
    )


@pytest.fixture
def victims(caseworker, project):
    """18 victims of the project identified in Q1 2026:
    9 women of 30, forced labour, CF; 4 men of 19, sexual exploitation, CF;
    3 girls of 12, child labour, CM; 2 people of another sex and unknown age, other, TD.
    Not counted in the donor report: not a victim, identified before Q1, another project.
    (The small cells of each breakdown add up to 5 or more, so no other cell is hidden.)"""
    cases = []
    for _ in range(9):
        cases.append(
            _victim(
                caseworker,
                sex="female",
                age=30,
                exploitation=["ForcedLabour"],
                citizenship="CF",
                project=project,
            )
        )
    for _ in range(4):
        cases.append(
            _victim(
                caseworker,
                sex="male",
                age=19,
                exploitation=["SexualExploitation"],
                citizenship="CF",
                project=project,
            )
        )
    for _ in range(3):
        cases.append(
            _victim(
                caseworker,
                sex="female",
                age=12,
                exploitation=["ChildLabour"],
                citizenship="CM",
                project=project,
            )
        )
    for _ in range(2):
        cases.append(
            _victim(
                caseworker,
                sex="other",
                age=None,
                exploitation=["Other"],
                citizenship="TD",
                project=project,
            )
        )
    _victim(
        caseworker,
        sex="female",
        age=30,
        exploitation=["ForcedLabour"],
        citizenship="CF",
        project=project,
        trafficking_status=cv.TraffickingStatus.NOT_A_VICTIM,
    )
    _victim(
        caseworker,
        sex="female",
        age=30,
        exploitation=["ForcedLabour"],
        citizenship="CF",
        on=FROM - timedelta(days=1),
        project=project,
    )
    # Identified in CF in Q1, no project: in the operational and NAP figures only.
    _victim(
        caseworker,
        sex="female",
        age=25,
        exploitation=["ForcedLabour"],
        citizenship="CF",
        trafficking_status=cv.TraffickingStatus.ACTUAL,
    )
    return cases


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def referrals(caseworker, victims):
    """Seven referrals sent in Q1 (answered after 2, 10, 4, 30, 6 and 8 hours, one not yet):
    5 accepted, of which 2 completed; one cross-border. Not counted: a draft, one sent after
    the period."""
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    S = ReferralStatus
    sent = [
        (S.ACCEPTED, date(2026, 1, 5), 2, "CF"),
        (S.COMPLETED, date(2026, 1, 10), 10, "CF"),
        (S.COMPLETED, date(2026, 2, 1), 4, "CF"),
        (S.DECLINED, date(2026, 2, 15), 30, "CF"),
        (S.IN_PROGRESS, date(2026, 3, 1), 6, "CF"),
        (S.CLOSED_NO_SERVICE, date(2026, 3, 10), 8, "CM"),
        (S.SENT, date(2026, 3, 20), None, "CF"),
        (S.COMPLETED, date(2026, 4, 2), 1, "CF"),
    ]
    made = []
    for case, (status, day, hours, country) in zip(victims, sent, strict=False):
        made.append(
            Referral.objects.create(
                case=case,
                from_organisation=case.organisation,
                to_organisation=partner,
                service_type="shelter",
                reason="Needs a safe place",
                destination_country=country,
                status=status,
                packet_fields=["case_number"],
                created_by=caseworker,
                sent_at=_at(day),
                responded_at=None if hours is None else _at(day) + timedelta(hours=hours),
            )
        )
    Referral.objects.create(
        case=victims[0],
        from_organisation=victims[0].organisation,
        to_organisation=partner,
        service_type="medical",
        reason="Draft",
        destination_country="CF",
        packet_fields=["case_number"],
        created_by=caseworker,
    )
    return made


@pytest.fixture
def services_delivered(org, victims, project):
    """In Q1 for the project: shelter 6, medical 3, legal 2. Not counted: one delivered
    after the period, one not funded by the project."""
    rows = [("shelter", 6), ("medical", 3), ("legal", 2)]
    for (service_type, n), case in zip(rows, victims, strict=False):
        for i in range(n):
            ServiceDelivery.objects.create(
                case=case,
                service_type=service_type,
                delivered_on=date(2026, 1, 20) + timedelta(days=i),
                provider=org,
                project=project,
            )
    ServiceDelivery.objects.create(
        case=victims[0],
        service_type="shelter",
        delivered_on=TO + timedelta(days=1),
        provider=org,
        project=project,
    )
    ServiceDelivery.objects.create(
        case=victims[0], service_type="mhpss", delivered_on=date(2026, 2, 2), provider=org
    )


@pytest.fixture
def logframe(project):
    def indicator(code, computation, target, parameter=""):
        return Indicator.objects.create(
            project=project,
            code=code,
            name=f"Indicator {code}",
            computation=computation,
            parameter=parameter,
            target=target,
            sdg_targets=["8.7"],
        )

    indicator("1.1", Computation.PEOPLE_TRAINED, 100)
    indicator("1.2", Computation.VICTIMS_IDENTIFIED, 40)
    indicator("1.3", Computation.REFERRALS_COMPLETED, 10)
    magistrates = indicator("1.4", Computation.PEOPLE_TRAINED_AUDIENCE, 30, "magistrates")
    IndicatorTarget.objects.create(
        indicator=magistrates, period_start=FROM, period_end=TO, target=20
    )


@pytest.fixture
def known_data(sessions, victims, referrals, services_delivered, logframe):
    return None


def _generate(tmp_path, kind: str, fmt: str = "json", **options) -> pathlib.Path:
    output = tmp_path / f"report.{fmt}"
    call_command(
        "generate_report",
        kind,
        **options,
        **PERIOD,
        format=fmt,
        output=str(output),
        stdout=StringIO(),
    )
    return output


def _json(tmp_path, kind: str, **options) -> dict:
    return json.loads(_generate(tmp_path, kind, **options).read_text(encoding="utf-8"))


# The donor report's figures


def test_donor_report_names_its_kind_period_and_project(tmp_path, known_data, project):
    data = _json(tmp_path, "donor", project=project.code)

    assert data["kind"] == "donor"
    assert data["parameters"] == {"project": "CF-TIP-TEST"}
    assert data["period"] == {"from": "2026-01-01", "to": "2026-03-31", "key": "2026-Q1"}
    assert data["project"] == {
        "code": "CF-TIP-TEST",
        "title": "Protection of victims in Bangui",
        "donor": "U.S. TIP Office",
        "countries": ["CF"],
        "sdg_targets": ["8.7", "16.2"],
    }
    assert data["suppressed_below"] == 5


def test_donor_report_counts_the_trainings_starting_in_the_period(tmp_path, known_data, project):
    data = _json(tmp_path, "donor", project=project.code)

    # Participants are not victims: the 3 of the workshop are shown as they are.
    assert data["trainings"] == {
        "sessions": 3,
        "participants": {"female": 37, "male": 31, "other": 2, "total": 70},
        "by_audience": {"police": 18, "magistrates": 15, "community_leaders": 52},
        "by_session_type": {"training": 15, "awareness": 52, "workshop": 3},
    }


def test_donor_report_counts_victims_with_small_cells_suppressed(tmp_path, known_data, project):
    data = _json(tmp_path, "donor", project=project.code)

    cases = data["cases"]
    assert cases["identified"] == 18
    # 9, 4, 3 and 2: every count from 1 to 4 is hidden, and so is every zero beside them
    # ("<5" reads "fewer than 5, perhaps none").
    assert cases["by_exploitation_type"] == {
        code: 9 if code == "ForcedLabour" else "<5" for code in cv.ExploitationType.values
    }
    assert cases["by_sex"] == {"female": 12, "male": "<5", "other": "<5"}
    assert cases["by_age_group"] == {
        **{code: "<5" for code, *_ in cv.AGE_GROUPS},
        "30-38": 9,
        "unknown": "<5",
    }
    # Rare nationalities are not named (CM 3 and TD 2 are "other"); the project's country is.
    assert cases["by_citizenship"] == {"CF": 13, "other": 5, "unknown": 0}


def test_donor_report_counts_referrals_and_their_median_response_time(
    tmp_path, known_data, project
):
    data = _json(tmp_path, "donor", project=project.code)

    assert data["referrals"] == {
        "made": 7,
        # 5 accepted of 7 would say that 2 were not: hidden.
        "accepted": "*",
        "completed": "<5",
        "cross_border": "<5",
        # The answers took 2, 4, 6, 8, 10 and 30 hours.
        "median_response_hours": 7.0,
    }


def test_donor_report_counts_services_by_type(tmp_path, known_data, project):
    data = _json(tmp_path, "donor", project=project.code)

    assert data["services"] == {
        "by_type": {code: 6 if code == "shelter" else "<5" for code in cv.ServiceType.values}
    }


def test_donor_report_lists_the_logframe_indicators(tmp_path, known_data, project):
    data = _json(tmp_path, "donor", project=project.code)

    rows = {row["code"]: row for row in data["indicators"]}
    assert [row["code"] for row in data["indicators"]] == ["1.1", "1.2", "1.3", "1.4"]
    assert rows["1.1"]["value"] == 70.0
    assert rows["1.1"]["target"] == 100.0
    assert rows["1.1"]["achieved_percent"] == 70
    assert rows["1.2"]["value"] == 18
    assert rows["1.3"]["value"] == "<5"
    assert rows["1.3"]["achieved_percent"] is None
    assert rows["1.4"]["value"] == 15.0
    assert rows["1.4"]["target"] == 20.0
    assert rows["1.4"]["achieved_percent"] == 75
    assert rows["1.4"]["computation"] == "people_trained_audience"
    assert rows["1.4"]["parameter"] == "magistrates"
    assert rows["1.4"]["sdg_targets"] == ["8.7"]


def test_generating_a_report_is_audited(tmp_path, known_data, project):
    _generate(tmp_path, "donor", project=project.code)

    entry = AuditEntry.objects.get(action="reports.report.generated")
    assert entry.data == {
        "kind": "donor",
        "parameters": "project=CF-TIP-TEST",
        "period": ["2026-01-01", "2026-03-31"],
        "via": "command line",
        "format": "json",
    }


# The other kinds


def test_operational_report_counts_the_whole_country(tmp_path, known_data):
    data = _json(tmp_path, "operational", country="cf")

    assert data["kind"] == "operational"
    assert data["country"] == "CF"
    # The project's 18 victims and the one without a project.
    assert data["cases"]["identified"] == 19
    assert data["trainings"]["sessions"] == 4
    assert data["trainings"]["participants"]["total"] == 75
    assert data["trainings"]["by_session_type"]["webinar"] == 5
    assert data["referrals"]["made"] == 7
    assert data["indicators"] == []
    assert data["suppressed_below"] == 5


@pytest.fixture
def plan(org, users):
    plan = ActionPlan.objects.create(
        code="CF-NAP-TEST",
        country="CF",
        title="Plan d'action national (test)",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )
    prevention = Pillar.objects.create(plan=plan, code="prevention", name="Prévention", order=1)
    prosecution = Pillar.objects.create(plan=plan, code="prosecution", name="Poursuites", order=3)
    points = {}
    for number, pillar, status in [
        ("1.1", prevention, "completed"),
        ("1.2", prevention, "not_started"),
        ("3.1", prosecution, "completed"),
        ("3.2", prosecution, "delayed"),
    ]:
        points[number] = ActionPoint.objects.create(
            plan=plan, pillar=pillar, number=number, text=f"Action {number}", status=status
        )
    Indicator.objects.create(
        plan=plan,
        code="NAP-1",
        name="Actions clés réalisées",
        computation=Computation.ACTION_POINTS_COMPLETED,
        target=4,
    )
    for day, narrative in [
        (date(2026, 2, 15), "Prosecutor appointed"),
        (date(2026, 5, 1), "Later"),
    ]:
        ProgressUpdate.objects.create(
            action_point=points["3.1"],
            date=day,
            status="completed",
            narrative=narrative,
            author=users[Role.MNE],
        )
    return plan


def test_nap_report_counts_action_points_by_pillar_and_lists_progress(tmp_path, known_data, plan):
    data = _json(tmp_path, "nap", plan=plan.code)

    assert data["kind"] == "nap"
    assert data["parameters"] == {"plan": "CF-NAP-TEST"}
    assert data["plan"]["code"] == "CF-NAP-TEST"
    assert data["plan"]["country"] == "CF"
    assert data["plan"]["action_points_by_pillar"] == [
        {"pillar": "Prévention", "total": 2, "by_status": {"completed": 1, "not_started": 1}},
        {"pillar": "Poursuites", "total": 2, "by_status": {"completed": 1, "delayed": 1}},
    ]
    (indicator,) = data["indicators"]
    assert indicator["value"] == 2.0
    assert indicator["achieved_percent"] == 50
    assert data["progress_updates"] == [
        {
            "action_point": "3.1",
            "date": "2026-02-15",
            "status": "completed",
            "narrative": "Prosecutor appointed",
        }
    ]
    # The plan's country: every CF victim identified in the period.
    assert data["cases"]["identified"] == 19


# Formats


def test_xlsx_output_is_a_workbook_with_the_same_figures(tmp_path, known_data, project):
    with translation.override("en"):
        output = _generate(tmp_path, "donor", "xlsx", project=project.code)

    workbook = load_workbook(BytesIO(output.read_bytes()), read_only=True)
    assert workbook.sheetnames[:5] == [
        "Summary",
        "Trainings",
        "Victims identified",
        "Referrals and services",
        "Indicators",
    ]
    victims = list(workbook["Victims identified"].iter_rows(values_only=True))
    assert victims[0] == ("Identified", 18)
    assert ("male", "<5") in victims
    assert ("ForcedLabour", 9) in victims
    trainings = list(workbook["Trainings"].iter_rows(values_only=True))
    assert trainings[0] == ("Sessions", 3)
    assert ("total", 70) in trainings


def test_pdf_output_is_a_pdf(tmp_path, known_data, project):
    output = _generate(tmp_path, "donor", "pdf", project=project.code)

    content = output.read_bytes()
    assert content.startswith(b"%PDF")
    assert content.rstrip().endswith(b"%%EOF")


# Refusals and safety of the output file


def test_an_unknown_project_code_stops_with_a_command_error(tmp_path, db):
    output = tmp_path / "report.json"

    with pytest.raises(CommandError, match="Unknown project code: NOPE"):
        call_command("generate_report", "donor", project="NOPE", **PERIOD, output=str(output))

    assert not output.exists()


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("donor", {}, "needs --project"),
        ("nap", {"plan": "NO-PLAN"}, "Unknown action plan"),
        ("operational", {"country": "CAF"}, "two-letter country code"),
        ("operational", {"country": "CF", "date_from": "01/01/2026"}, "Not a date"),
        ("operational", {"country": "CF", "date_from": "2026-04-01"}, "ends before it starts"),
    ],
)
def test_bad_options_stop_with_a_command_error(tmp_path, db, kind, options, message):
    output = tmp_path / "report.json"

    with pytest.raises(CommandError, match=message):
        call_command("generate_report", kind, **{**PERIOD, **options}, output=str(output))

    assert not output.exists()


def test_the_output_file_is_written_aside_then_moved_into_place(tmp_path, known_data, project):
    output = _generate(tmp_path, "donor", project=project.code)

    assert json.loads(output.read_text(encoding="utf-8"))["kind"] == "donor"
    assert list(tmp_path.iterdir()) == [output]


def test_a_write_that_fails_halfway_never_leaves_a_half_written_report(
    tmp_path, known_data, project, monkeypatch
):
    output = tmp_path / "report.json"
    output.write_bytes(b"the previous report")

    def write_half_then_fail(self, data):
        with open(self, "wb") as stream:
            stream.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_half_then_fail)

    with pytest.raises(OSError, match="disk full"):
        call_command("generate_report", "donor", project=project.code, **PERIOD, output=str(output))

    # The half-written bytes went to the side file; the report under its name is intact.
    assert output.read_bytes() == b"the previous report"
    assert not AuditEntry.objects.filter(action="reports.report.generated").exists()


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("2026-01-01", "2026-03-30"), ("2026-01-02", "2026-03-31"), ("2026-01-01", "2026-04-30")],
)
def test_a_report_over_a_window_that_is_not_a_calendar_period_is_refused(
    tmp_path, db, date_from, date_to
):
    # Two windows a day apart would give that day's count by subtraction.
    output = tmp_path / "report.json"

    with pytest.raises(CommandError, match="calendar month, quarter or year"):
        call_command(
            "generate_report",
            "operational",
            country="CF",
            date_from=date_from,
            date_to=date_to,
            output=str(output),
        )

    assert not output.exists()
