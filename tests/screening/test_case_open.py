"""From screening to case: a possible or actual victim's case opens in one step, carrying the
screening's answers, with the duplicate check; a negative screening stays a screening."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import Case
from screening import services
from screening.models import Screening
from tests import factories
from traffick_cm.codebooks import TraffickingStatus as T

NEGATIVE = {"recruiter": "nobody", "journey_arranged_by": "self", "pay": "as_agreed"}


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def decided(caseworker):
    screening = factories.screening(
        actor=caseworker,
        first_name="Awa",
        needs=["medical", "shelter"],
        risks=["urgent_medical", "exploiter_nearby"],
        risk_level="high",
        risks_note="Le recruteur attend à la barrière.",
    )
    services.status_decide(
        actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear."
    )
    return screening


def _open(actor, screening, **person):
    return services.screening_case_open(
        actor=actor,
        screening=screening,
        person_data={"first_name": "Awa", "last_name": "Yakoma", **person},
        consent_given_by="person",
        consent_method="verbal",
        consent_given_on=timezone.localdate(),
    )


def test_the_case_carries_the_screenings_answers_and_decision(caseworker, decided):
    case = _open(caseworker, decided, date_of_birth=date(2001, 3, 4))

    assert case.trafficking_status == T.ACTUAL
    assert case.status_decided_by == "NGO"
    assert case.exploitation_types == ["ForcedLabour"]
    assert case.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert case.recruitment_methods == ["ThroughFriendsOrSocialEvents"]
    assert case.relationship_to_trafficker == "Unaquainted"
    assert case.labour_industry == "B_MiningAndQuarrying"
    assert case.identification_method == "flow_monitoring_point"
    assert case.identified_locality == "Beloko"
    assert case.identified_on == timezone.localtime(decided.screened_at).date()
    assert case.sex == "female" and case.citizenships == ["CF"]
    assert case.urgent_medical_need and case.security_risk
    assert case.person.first_name == "Awa"
    events = sorted((e.type, str(e.country)) for e in case.events.all())
    assert events == [("Exploitation", "CM"), ("Recruitment", "CF"), ("Transit", "CF")]
    assessment = case.assessments.get()
    assert assessment.needs == ["shelter", "medical"]
    assert assessment.risks == "Le recruteur attend à la barrière."
    case.refresh_from_db()
    assert case.risk_level == "high"
    assert case.is_transnational


def test_the_name_moves_to_the_case_file_and_the_screening_keeps_its_code(caseworker, decided):
    case = _open(caseworker, decided)

    screening = Screening.objects.get(pk=decided.pk)
    assert screening.case == case
    assert screening.anonymous
    entry = AuditEntry.objects.get(action="screening.case.opened")
    assert entry.data["case_number"] == case.case_number
    assert "Awa" not in str(entry.data)


def test_the_duplicate_check_runs_when_the_case_opens(caseworker, decided):
    earlier = factories.case(
        caseworker=caseworker,
        first_name="Awa",
        last_name="Yakoma",
        date_of_birth=date(2001, 3, 4),
    )

    case = _open(caseworker, decided, date_of_birth=date(2001, 3, 4))

    assert case.possible_duplicate
    assert case.duplicate_flags.filter(other_case=earlier).exists()


def test_a_negative_screening_cannot_open_a_case(caseworker):
    screening = factories.screening(actor=caseworker, answers=NEGATIVE)
    services.status_decide(
        actor=caseworker, screening=screening, status=T.NOT_A_VICTIM, justification="Free work."
    )

    with pytest.raises(ValidationError):
        _open(caseworker, screening)
    assert not Case.objects.exists()
    assert Screening.objects.get(pk=screening.pk).case is None


def test_an_undecided_screening_cannot_open_a_case(caseworker):
    screening = factories.screening(actor=caseworker)

    with pytest.raises(ValidationError):
        _open(caseworker, screening)
    assert not Case.objects.exists()


def test_a_second_opening_finds_the_first_case(caseworker, decided):
    case = _open(caseworker, decided)

    with pytest.raises(services.CaseAlreadyOpened) as again:
        _open(caseworker, decided)
    assert again.value.case == case
    assert Case.objects.count() == 1


def test_a_child_needs_an_age_for_the_case_file(caseworker):
    screening = factories.screening(actor=caseworker, age_group="9-17")
    services.status_decide(
        actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear."
    )

    with pytest.raises(ValidationError) as refused:
        services.screening_case_open(
            actor=caseworker,
            screening=screening,
            person_data={"first_name": "Issa"},
            consent_given_by="guardian",
            consent_method="verbal",
            consent_given_on=timezone.localdate(),
        )
    assert "estimated_age" in refused.value.message_dict

    case = services.screening_case_open(
        actor=caseworker,
        screening=screening,
        person_data={"first_name": "Issa", "estimated_age": 14},
        consent_given_by="guardian",
        consent_method="verbal",
        consent_given_on=timezone.localdate(),
    )
    assert case.is_child


def test_the_open_case_form_opens_the_case_and_a_repeat_lands_on_the_screening(
    client_for, caseworker, decided
):
    client = client_for(caseworker)
    url = reverse("screening:case_open", kwargs={"pk": decided.pk})
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["first_name"].value() == "Awa"
    data = {
        "consent_confirmed": "on",
        "consent_given_by": "person",
        "consent_method": "verbal",
        "consent_given_on": timezone.localdate().isoformat(),
        "first_name": "Awa",
        "last_name": "Yakoma",
        "submission_token": form.context["form"]["submission_token"].value(),
    }

    response = client.post(url, data)
    again = client.post(url, data)

    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", kwargs={"pk": case.pk})
    assert again.status_code == 302
    assert again["Location"] == reverse("screening:screening_detail", kwargs={"pk": decided.pk})
    assert Case.objects.count() == 1


def test_the_open_case_page_sends_a_negative_screening_back(client_for, caseworker):
    screening = factories.screening(actor=caseworker, answers=NEGATIVE)
    services.status_decide(
        actor=caseworker, screening=screening, status=T.NOT_A_VICTIM, justification="Free work."
    )

    response = client_for(caseworker).get(
        reverse("screening:case_open", kwargs={"pk": screening.pk})
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "screening:screening_detail", kwargs={"pk": screening.pk}
    )
