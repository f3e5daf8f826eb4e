"""Report runs read in words (issue 14, item 5): each run's title and period in words, its
status, its files by a human name; checksums and parameters behind a disclosure."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.roles import Role
from reports import titles
from reports.models import ReportFile, ReportRun
from tests import factories

Q1 = {"period_from": date(2026, 1, 1), "period_to": date(2026, 3, 31)}
PDF_CHECKSUM = "ab" * 32
JSON_CHECKSUM = "cd" * 32


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(org):
    return factories.project(code="GN-HS-2023", title="Guinea joint programme", organisations=[org])


@pytest.fixture
def donor_run(project):
    run = ReportRun.objects.create(
        kind="donor",
        parameters={"project": project.code},
        parameters_key=f"project={project.code}",
        trigger=ReportRun.Trigger.SCHEDULE,
        status=ReportRun.Status.DONE,
        finished_at=timezone.now(),
        **Q1,
    )
    for fmt, checksum in (("json", JSON_CHECKSUM), ("pdf", PDF_CHECKSUM)):
        report_file = ReportFile(run=run, format=fmt, checksum=checksum, size=2)
        report_file.file.save(f"r.{fmt}", ContentFile(b"{}"))
    return run


def _client(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _outside_details(page: str) -> str:
    return re.sub(r"<details.*?</details>", "", page, flags=re.S)


def _inside_details(page: str) -> str:
    return "".join(re.findall(r"<details.*?</details>", page, flags=re.S))


def test_the_run_list_shows_title_period_status_and_named_files(users, donor_run):
    page = _page(_client(users[Role.MNE]), reverse("reports:run_list"))

    assert "Donor report: Guinea joint programme" in page
    assert "January – March 2026" in page
    assert "Donor report, Q1 2026 (PDF)" in page
    download = reverse("reports:run_download", kwargs={"pk": donor_run.pk, "fmt": "pdf"})
    assert f'href="{download}"' in _outside_details(page)
    assert "Ready since" in page


def test_checksums_and_parameters_are_behind_a_disclosure(users, donor_run):
    page = _page(_client(users[Role.MNE]), reverse("reports:run_list"))

    outside, inside = _outside_details(page), _inside_details(page)
    for technical in (PDF_CHECKSUM, JSON_CHECKSUM, '"project"', "GN-HS-2023", "project="):
        assert technical not in outside
    assert PDF_CHECKSUM in inside and JSON_CHECKSUM in inside
    assert '{"project": "GN-HS-2023"}' in inside
    # The JSON data is for other systems: its link is with the technical details.
    download = reverse("reports:run_download", kwargs={"pk": donor_run.pk, "fmt": "json"})
    assert f'href="{download}"' in inside


def test_the_run_list_is_cards_on_a_phone(users, donor_run):
    page = _page(_client(users[Role.MNE]), reverse("reports:run_list"))

    assert "table-cards" in page
    assert "table-responsive" not in page
    assert 'class="card-title"' in page
    for label in ("Period", "Status", "Requested", "Files"):
        assert f'data-label="{label}"' in page


def test_the_run_detail_shows_the_same_words(users, donor_run):
    page = _page(
        _client(users[Role.MNE]), reverse("reports:run_detail", kwargs={"pk": donor_run.pk})
    )

    assert "<h1>Donor report: Guinea joint programme</h1>" in page
    assert "January – March 2026" in page
    assert "Donor report, Q1 2026 (PDF)" in page
    assert PDF_CHECKSUM not in _outside_details(page)
    assert PDF_CHECKSUM in _inside_details(page)


def test_an_operational_run_is_titled_by_its_country(users):
    ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        trigger=ReportRun.Trigger.PERSON,
        requested_by=users[Role.MNE],
        status=ReportRun.Status.PENDING,
        period_from=date(2026, 3, 1),
        period_to=date(2026, 3, 31),
    )

    page = _page(_client(users[Role.MNE]), reverse("reports:run_list"))

    assert "Operational statistics: Central African Republic" in page
    assert "March 2026" in page
    assert "Waiting to be produced" in page
    assert f"Requested by {users[Role.MNE].get_full_name()}" in page
    assert "country=CF" not in _outside_details(page)


def test_the_run_list_in_french_says_the_period_in_french(users, donor_run):
    page = _page(_client(users[Role.MNE], "fr"), reverse("reports:run_list"))

    assert "Rapport au bailleur" in page
    assert "janvier – mars 2026" in page
    assert "2\xa0026" not in page and "2\u202f026" not in page and "2 026" not in page


def test_periods_in_words():
    with translation.override("en"):
        assert titles.period_in_words(date(2026, 1, 1), date(2026, 3, 31)) == (
            "January – March 2026"
        )
        assert titles.period_in_words(date(2026, 3, 1), date(2026, 3, 31)) == "March 2026"
        assert titles.period_in_words(date(2025, 1, 1), date(2025, 12, 31)) == "2025"
        window = titles.period_in_words(date(2024, 1, 2), date(2024, 12, 31))
        assert window == (
            f"{formats.date_format(date(2024, 1, 2), 'DATE_FORMAT')} – "
            f"{formats.date_format(date(2024, 12, 31), 'DATE_FORMAT')}"
        )
    with translation.override("fr"):
        assert titles.period_in_words(date(2026, 1, 1), date(2026, 3, 31)) == (
            "janvier – mars 2026"
        )


def test_roles_without_reports_are_refused_the_run_list(users):
    response = _client(users[Role.CASEWORKER]).get(reverse("reports:run_list"))

    assert response.status_code == 403
