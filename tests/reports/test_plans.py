"""National action plans: the plan page shows its action points by pillar and status;
recording progress updates the action point and keeps the evidence, which is served only
through its own view, as an attachment; a ministry user of another country finds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from reports import indicators
from reports.models import ActionPlan, ActionPoint, Pillar, ProgressUpdate
from reports.services import plans
from tests import factories

PILLARS = [
    ("prevention", "Prevention"),
    ("protection", "Protection"),
    ("prosecution", "Prosecution"),
    ("partnership", "Partnership"),
]
POINTS = [
    ("1.1", "prevention", "Sensitise community leaders in Bangui", "completed"),
    ("1.2", "prevention", "Train peer educators on SGBV", "in_progress"),
    ("2.1", "protection", "Open a shelter in Ouaka", "not_started"),
    ("3.1", "prosecution", "Appoint a prosecutor and an investigating judge", "completed"),
    ("3.2", "prosecution", "Create a case-law database", "delayed"),
    ("3.3", "prosecution", "Hold special hearings", "cancelled"),
]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def plan(org):
    plan = ActionPlan.objects.create(
        code="CF-NAP-TEST",
        country="CF",
        title="National action plan against trafficking in persons",
        period_start=date(2020, 3, 13),
        period_end=date(2030, 12, 31),
        adopted_on=date(2020, 3, 13),
    )
    pillars = {
        code: Pillar.objects.create(plan=plan, code=code, name=name, order=order)
        for order, (code, name) in enumerate(PILLARS, start=1)
    }
    for number, pillar, text, status in POINTS:
        ActionPoint.objects.create(
            plan=plan, pillar=pillars[pillar], number=number, text=text, status=status
        )
    return plan


@pytest.fixture
def guinea_ministry(other_org):
    return factories.user(Role.MINISTRY, organisation=other_org)


def _point(plan, number: str) -> ActionPoint:
    return plan.action_points.get(number=number)


def _pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, factories.PDF_BYTES, content_type="application/pdf")


# The plan page


def test_action_points_are_counted_by_pillar_and_status(plan):
    assert indicators.action_points_by_pillar(plan) == [
        {
            "pillar": "Prevention",
            "total": 2,
            "by_status": {"completed": 1, "in_progress": 1},
        },
        {"pillar": "Protection", "total": 1, "by_status": {"not_started": 1}},
        {
            "pillar": "Prosecution",
            "total": 3,
            "by_status": {"completed": 1, "delayed": 1, "cancelled": 1},
        },
    ]


def test_the_plan_page_shows_action_points_by_pillar_and_status(client, users, plan):
    client.force_login(users[Role.MINISTRY])

    response = client.get(reverse("reports:plan_detail", kwargs={"pk": plan.pk}))

    assert response.status_code == 200
    assert response.context["by_pillar"] == indicators.action_points_by_pillar(plan)
    shown = [(p.number, p.pillar.name, p.get_status_display()) for p in response.context["points"]]
    assert shown == [
        ("1.1", "Prevention", "Completed"),
        ("1.2", "Prevention", "In progress"),
        ("2.1", "Protection", "Not started"),
        ("3.1", "Prosecution", "Completed"),
        ("3.2", "Prosecution", "Delayed"),
        ("3.3", "Prosecution", "Cancelled"),
    ]
    page = response.content.decode()
    for _number, _pillar, text, _status in POINTS:
        assert text in page
    assert "Action points by pillar and status" in page


def test_a_ministry_user_of_another_country_gets_404_on_the_plan(client, guinea_ministry, plan):
    client.force_login(guinea_ministry)

    assert client.get(reverse("reports:plan_detail", kwargs={"pk": plan.pk})).status_code == 404
    assert client.get(reverse("reports:plan_list")).context["plans"].count() == 0
    progress = reverse("reports:progress_add", kwargs={"pk": _point(plan, "1.1").pk})
    assert client.get(progress).status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER])
def test_roles_without_plans_are_refused(client, users, plan, role):
    client.force_login(users[role])

    assert client.get(reverse("reports:plan_detail", kwargs={"pk": plan.pk})).status_code == 403


# Recording progress


def test_recording_progress_updates_the_action_point_and_keeps_the_evidence(users, plan):
    point = _point(plan, "3.2")
    mne = users[Role.MNE]

    update = plans.progress_record(
        actor=mne,
        action_point=point,
        status="in_progress",
        narrative="Database specification agreed with the ministry of justice",
        on=timezone.localdate(),
        evidence=_pdf("spec-v2.pdf"),
    )

    point.refresh_from_db()
    assert point.status == "in_progress"
    assert update.status == "in_progress"
    assert update.author == mne
    assert update.evidence_type == "application/pdf"
    assert update.evidence_name == "spec-v2.pdf"
    # Stored under a random name, not the one uploaded.
    assert update.evidence.name.startswith("nap-evidence/")
    assert "spec" not in update.evidence.name
    with update.evidence.open("rb") as stream:
        assert stream.read() == factories.PDF_BYTES
    entry = AuditEntry.objects.get(action="reports.action_point.progress")
    assert entry.actor == mne
    assert entry.target_id == str(point.pk)
    assert entry.data == {"status": "in_progress", "update": update.pk}


def test_progress_is_recorded_through_the_page(client, users, plan):
    point = _point(plan, "2.1")
    client.force_login(users[Role.MINISTRY])

    response = client.post(
        reverse("reports:progress_add", kwargs={"pk": point.pk}),
        {
            "date": timezone.localdate().isoformat(),
            "status": "in_progress",
            "narrative": "Site identified in Bambari",
            "evidence": _pdf(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:plan_detail", kwargs={"pk": plan.pk})
    point.refresh_from_db()
    assert point.status == "in_progress"
    assert point.updates.get().evidence_type == "application/pdf"


def _refused_fields(case: str) -> dict:
    if case == "no narrative":
        return {"narrative": "  "}
    if case == "in the future":
        return {"on": timezone.localdate() + timedelta(days=2)}
    # An executable named .pdf: the type is read from the content.
    return {
        "evidence": SimpleUploadedFile(
            "evidence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        )
    }


@pytest.mark.parametrize(
    ("case", "error_key"),
    [("no narrative", "narrative"), ("in the future", "date"), ("disguised file", "upload")],
)
def test_progress_without_narrative_in_the_future_or_with_a_disguised_file_is_refused(
    users, plan, case, error_key
):
    point = _point(plan, "1.2")
    data = {
        "actor": users[Role.MNE],
        "action_point": point,
        "status": "completed",
        "narrative": "Done",
        "on": timezone.localdate(),
        **_refused_fields(case),
    }

    with pytest.raises(ValidationError) as error:
        plans.progress_record(**data)

    assert error_key in error.value.message_dict
    point.refresh_from_db()
    assert point.status == "in_progress"
    assert not ProgressUpdate.objects.exists()


# Evidence


@pytest.fixture
def evidence(users, plan):
    return plans.progress_record(
        actor=users[Role.MNE],
        action_point=_point(plan, "3.1"),
        status="completed",
        narrative="Decree of appointment signed",
        on=timezone.localdate(),
        evidence=_pdf("decree.pdf"),
    )


def test_evidence_is_served_through_its_view_as_an_attachment(client, users, evidence):
    ministry = users[Role.MINISTRY]
    client.force_login(ministry)

    response = client.get(reverse("reports:evidence_download", kwargs={"pk": evidence.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{evidence.pk}.pdf"'
    assert b"".join(response.streaming_content) == factories.PDF_BYTES
    entry = AuditEntry.objects.get(action="reports.evidence.downloaded")
    assert entry.actor == ministry
    assert entry.data == {"update": evidence.pk}


def test_the_plan_page_links_the_evidence_to_its_view(client, users, plan, evidence):
    client.force_login(users[Role.MINISTRY])

    page = client.get(reverse("reports:plan_detail", kwargs={"pk": plan.pk})).content.decode()

    assert reverse("reports:evidence_download", kwargs={"pk": evidence.pk}) in page
    assert evidence.evidence.name not in page


def test_evidence_has_no_public_address(client, evidence):
    # Private files live outside any URL: only the view above reaches them.
    assert client.get("/media/" + evidence.evidence.name).status_code == 404
    assert client.get("/" + evidence.evidence.name).status_code == 404


def test_evidence_of_another_countrys_plan_is_404(client, guinea_ministry, evidence):
    client.force_login(guinea_ministry)

    response = client.get(reverse("reports:evidence_download", kwargs={"pk": evidence.pk}))

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="reports.evidence.downloaded").exists()


def test_evidence_is_refused_to_roles_without_plans(client, users, evidence):
    client.force_login(users[Role.PARTNER])

    response = client.get(reverse("reports:evidence_download", kwargs={"pk": evidence.pk}))

    assert response.status_code == 403
