"""The screening pages: who reaches them, the interview form, the page with its indicators,
suggestion and decision, and the list's filters."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts import submissions
from accounts.models import AuditEntry
from accounts.roles import Role
from screening import services
from screening.models import Screening
from tests import factories
from tests.access_table import TABLE
from traffick_cm.codebooks import TraffickingStatus as T

SCREENING_URLS = sorted(name for name in TABLE if name.startswith("screening:"))
NO_SCREENING_ROLES = [Role.PARTNER, Role.PROGRAMME, Role.MNE, Role.MINISTRY, Role.ADMIN]


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def screening(caseworker):
    return factories.screening(actor=caseworker)


def _url(name: str, screening: Screening) -> str:
    if name in {"screening:screening_list", "screening:screening_create"}:
        return reverse(name)
    return reverse(name, kwargs={"pk": screening.pk})


@pytest.mark.parametrize("role", NO_SCREENING_ROLES)
def test_partners_programme_mne_ministry_and_admins_reach_no_screening(
    client_for, users, screening, role
):
    client = client_for(users[role])
    for name in SCREENING_URLS:
        request = getattr(client, TABLE[name].method)
        assert request(_url(name, screening), {"status": T.ACTUAL}).status_code == 403, name
    assert not screening.decisions.exists()


def test_a_superuser_reaches_no_screening(client_for, screening):
    client = client_for(factories.superuser())
    for name in SCREENING_URLS:
        request = getattr(client, TABLE[name].method)
        assert request(_url(name, screening)).status_code == 403, name


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_another_organisations_screening_is_not_found(client_for, other_org, screening, role):
    client = client_for(factories.user(role, organisation=other_org))
    for name in SCREENING_URLS:
        if name in {"screening:screening_list", "screening:screening_create"}:
            continue
        request = getattr(client, TABLE[name].method)
        data = {"status": T.ACTUAL, "justification": "x"}
        assert request(_url(name, screening), data).status_code == 404, name
    assert not screening.decisions.exists()


def test_the_list_shows_the_organisations_screenings_only(client_for, users, other_org):
    own = factories.screening(actor=users[Role.CASEWORKER])
    colleague = factories.screening(actor=users[Role.SUPERVISOR])
    elsewhere = factories.screening(actor=factories.user(Role.CASEWORKER, organisation=other_org))

    page = client_for(users[Role.CASEWORKER]).get(reverse("screening:screening_list"))

    text = page.content.decode()
    assert own.code in text and colleague.code in text
    assert elsewhere.code not in text


def test_the_list_filters_by_month_and_by_decision(client_for, caseworker):
    last_month = timezone.now() - timedelta(days=40)
    old = factories.screening(actor=caseworker, screened_at=last_month)
    recent = factories.screening(actor=caseworker)
    services.status_decide(
        actor=caseworker, screening=recent, status=T.ACTUAL, justification="Clear."
    )
    client = client_for(caseworker)
    month = timezone.localtime(last_month).strftime("%Y-%m")

    by_month = client.get(reverse("screening:screening_list"), {"month": month}).content.decode()
    undecided = client.get(
        reverse("screening:screening_list"), {"decided": "undecided"}
    ).content.decode()

    assert old.code in by_month and recent.code not in by_month
    assert old.code in undecided and recent.code not in undecided


@pytest.mark.parametrize("month", ["2025-13", "9999-12", "x" * 50, "٢٠٢٥-٠١"])
def test_a_bad_month_in_the_address_lists_without_error(client_for, caseworker, month):
    response = client_for(caseworker).get(reverse("screening:screening_list"), {"month": month})

    assert response.status_code == 200


def _interview(**extra):
    return {
        "consented": "on",
        "screened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "identified_country": "CF",
        "identified_locality": "Beloko",
        "place_type": "flow_monitoring_point",
        "sex": "female",
        "age_group": "18-20",
        "recruiter": "Acquainted",
        "journey_arranged_by": "recruiter",
        "debt": "owes",
        "exploitation_types": ["SexualExploitation"],
        "methods_of_control": ["DebtBondage", "PhysicalThreats"],
        "account": "On m'a promis un travail de vendeuse à Douala.",
        "needs": ["medical", "shelter"],
        **extra,
    }


def test_a_caseworker_records_a_screening_and_sees_the_suggestion_with_its_reason(
    client_for, caseworker
):
    client = client_for(caseworker)

    response = client.post(reverse("screening:screening_create"), _interview())

    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "screening:screening_detail", kwargs={"pk": screening.pk}
    )
    assert screening.suggested_status == T.ACTUAL
    assert screening.answers["methods_of_control"] == ["PhysicalThreats", "DebtBondage"]
    assert screening.needs == ["shelter", "medical"]
    page = client.get(response["Location"]).content.decode()
    with translation.override("fr"):
        reason = services.indicators.from_codes(screening.indicators, child=False).reason
    assert reason in page.replace("&#x27;", "'")
    assert AuditEntry.objects.filter(
        action="screening.screening.viewed", target_id=str(screening.pk)
    ).exists()


def test_the_interview_form_shows_its_country_questions(client_for, caseworker):
    page = client_for(caseworker).get(reverse("screening:screening_create")).content.decode()

    assert 'name="armed_group"' in page  # the organisation is in the Central African Republic
    assert 'name="entrusted"' not in page


def test_a_screening_without_consent_or_age_is_refused_with_errors(client_for, caseworker):
    data = _interview(consented="", age_group="")

    response = client_for(caseworker).post(reverse("screening:screening_create"), data)

    assert response.status_code == 200
    assert not Screening.objects.exists()
    form = response.context["form"]
    assert {"consented", "age_group"} <= set(form.errors)


def test_deciding_against_the_suggestion_without_a_reason_shows_the_error(
    client_for, caseworker, screening
):
    response = client_for(caseworker).post(
        reverse("screening:screening_decide", kwargs={"pk": screening.pk}),
        {"status": T.NOT_A_VICTIM, "justification": "Works freely."},
    )

    assert response.status_code == 200
    assert "reason_against_suggestion" in response.context["decision_form"].errors
    assert not screening.decisions.exists()


def test_a_decision_and_its_revision_show_in_the_history(client_for, users, screening):
    supervisor = users[Role.SUPERVISOR]
    client = client_for(supervisor)
    url = reverse("screening:screening_decide", kwargs={"pk": screening.pk})
    client.post(url, {"status": T.ACTUAL, "justification": "Strong indicators."})
    response = client.post(
        url,
        {
            "status": T.POSSIBLE,
            "justification": "The person withdrew part of the account.",
            "reason_against_suggestion": "The account changed at the second interview.",
        },
    )

    assert response.status_code == 302
    page = client.get(reverse("screening:screening_detail", kwargs={"pk": screening.pk}))
    text = page.content.decode()
    assert "Strong indicators." in text
    assert "The account changed at the second interview." in text
    assert [d.status for d in page.context["reading"].decisions] == [T.POSSIBLE, T.ACTUAL]


def test_an_edit_on_a_stale_form_answers_409_and_keeps_the_colleagues_save(
    client_for, caseworker, screening
):
    url = reverse("screening:screening_edit", kwargs={"pk": screening.pk})
    services.screening_update(
        actor=caseworker,
        screening=screening,
        expected_version=1,
        data={"identified_locality": "Baboua"},
        answers=screening.answers,
    )
    data = _interview(identified_locality="Beloko", version="1")

    response = client_for(caseworker).post(url, data)

    assert response.status_code == 409
    assert Screening.objects.get(pk=screening.pk).identified_locality == "Baboua"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_and_the_page_run_as_many_queries_with_more_to_show(client_for, users, screening):
    supervisor = users[Role.SUPERVISOR]
    client = client_for(supervisor)
    services.status_decide(
        actor=supervisor, screening=screening, status=T.ACTUAL, justification="First."
    )
    listing = reverse("screening:screening_list")
    page = reverse("screening:screening_detail", kwargs={"pk": screening.pk})
    _queries(client, listing)
    before = (_queries(client, listing), _queries(client, page))

    for n in range(5):
        factories.screening(actor=users[Role.CASEWORKER])
        services.status_decide(
            actor=users[Role.CASEWORKER],
            screening=screening,
            status=T.ACTUAL,
            justification=f"Again {n}.",
        )

    assert (_queries(client, listing), _queries(client, page)) == before


def test_a_form_whose_token_another_user_used_is_refused_with_a_message(client_for, users):
    """A copied form (its one-time token already used by a colleague) records nothing and
    says so, instead of failing."""
    token = str(uuid.uuid4())
    client_for(users["supervisor"]).post(
        reverse("screening:screening_create"), _interview(submission_token=token)
    )
    assert Screening.objects.count() == 1

    response = client_for(users["caseworker"]).post(
        reverse("screening:screening_create"), _interview(submission_token=token)
    )

    assert response.status_code == 200
    page = response.content.decode()
    with translation.override(response["Content-Language"]):
        refused = submissions.TokenUsedElsewhere().messages[0]
    assert escape(refused) in page
    assert Screening.objects.count() == 1
