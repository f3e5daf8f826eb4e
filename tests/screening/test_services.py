"""Recording a screening, deciding its status and revising it (screening/services.py)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.services import ConflictError
from partners.models import OrganisationType
from screening import services, sop
from screening.models import Screening
from tests import factories
from traffick_cm.codebooks import TraffickingStatus as T

MEDIUM_MEANS = {
    "recruiter": "Acquainted",
    "deception": ["wages"],
    "exploitation_types": ["SexualExploitation"],
}


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def supervisor(users):
    return users[Role.SUPERVISOR]


def test_a_screening_is_known_by_a_code_that_says_nothing_about_the_person(caseworker):
    screening = factories.screening(actor=caseworker)
    year = timezone.localtime(screening.screened_at).year

    assert re.fullmatch(rf"SCR-CF-{year}-\d{{5}}", screening.code)
    assert screening.anonymous
    assert factories.screening(actor=caseworker).code != screening.code


def test_the_indicators_found_and_the_suggestion_are_stored(caseworker):
    screening = factories.screening(actor=caseworker)

    assert screening.suggested_status == T.ACTUAL
    assert {"act_recruited", "means_debt_bondage", "purpose_not_free_to_leave"} <= set(
        screening.indicators
    )
    assert screening.status == ""


def test_an_estimated_age_sets_the_age_group_and_a_child_is_recognised(caseworker):
    screening = factories.screening(actor=caseworker, age_group="", estimated_age=15)

    assert screening.age_group == "9-17"
    assert screening.is_child


def test_a_name_is_kept_encrypted_and_only_if_given(caseworker):
    named = factories.screening(actor=caseworker, first_name="Mariam", last_name="Touré")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, last_name FROM screening_screening WHERE id = %s", [named.pk]
        )
        stored = cursor.fetchone()

    assert not named.anonymous
    assert "Mariam" not in stored[0] and "Touré" not in stored[1]
    assert Screening.objects.get(pk=named.pk).first_name == "Mariam"


def test_an_answer_the_question_does_not_offer_is_refused(caseworker):
    with pytest.raises(ValidationError):
        factories.screening(actor=caseworker, answers={"recruiter": "the-neighbour"})
    assert not Screening.objects.exists()


def test_a_screening_in_the_future_is_refused(caseworker):
    with pytest.raises(ValidationError) as refused:
        factories.screening(actor=caseworker, screened_at=timezone.now() + timedelta(days=1))
    assert "screened_at" in refused.value.message_dict


def test_without_the_persons_agreement_nothing_is_recorded(caseworker):
    with pytest.raises(ValidationError):
        services.screening_create(
            actor=caseworker,
            data={"screened_at": timezone.now(), "identified_country": "CF"},
            answers={},
            consented=False,
        )
    assert not Screening.objects.exists()


def test_the_same_form_submitted_twice_records_one_screening(caseworker):
    token = uuid.uuid4()
    data = {
        "screened_at": timezone.now(),
        "identified_country": "CF",
        "place_type": "transit_centre",
        "sex": "male",
        "age_group": "18-20",
    }
    first = services.screening_create(
        actor=caseworker, data=data, answers={}, consented=True, submission_token=token
    )
    again = services.screening_create(
        actor=caseworker, data=data, answers={}, consented=True, submission_token=token
    )

    assert again.pk == first.pk
    assert Screening.objects.count() == 1


@pytest.mark.parametrize(
    "role", [Role.PARTNER, Role.PROGRAMME, Role.MNE, Role.MINISTRY, Role.ADMIN]
)
def test_only_the_case_team_records_screenings(users, role):
    with pytest.raises(PermissionDenied):
        factories.screening(actor=users[role])


def test_deciding_against_the_suggestion_without_a_reason_is_refused(caseworker, supervisor):
    screening = factories.screening(actor=caseworker)

    with pytest.raises(ValidationError) as refused:
        services.status_decide(
            actor=supervisor,
            screening=screening,
            status=T.POSSIBLE,
            justification="The person's account is not consistent yet.",
        )

    message = refused.value.message_dict["reason_against_suggestion"][0]
    assert str(T.ACTUAL.label) in message
    assert str(T.POSSIBLE.label) in message
    assert not screening.decisions.exists()
    assert Screening.objects.get(pk=screening.pk).status == ""


def test_deciding_against_the_suggestion_with_a_reason_is_recorded(caseworker, supervisor):
    screening = factories.screening(actor=caseworker)

    decision = services.status_decide(
        actor=supervisor,
        screening=screening,
        status=T.POSSIBLE,
        justification="Account given once only.",
        reason_against_suggestion="The debt could not be confirmed yet.",
    )

    assert decision.against_suggestion
    assert decision.suggested_status == T.ACTUAL
    assert decision.suggestion["indicators"] == screening.indicators
    assert decision.decided_by == supervisor
    assert decision.deciding_organisation == supervisor.organisation
    assert decision.decision_maker == "NGO"
    assert Screening.objects.get(pk=screening.pk).status == T.POSSIBLE


def test_a_decision_needs_a_justification(caseworker):
    screening = factories.screening(actor=caseworker)

    with pytest.raises(ValidationError) as refused:
        services.status_decide(
            actor=caseworker, screening=screening, status=T.ACTUAL, justification="  "
        )
    assert "justification" in refused.value.message_dict


def test_a_revision_keeps_the_history_and_the_newest_is_current(caseworker, supervisor):
    screening = factories.screening(actor=caseworker, answers=MEDIUM_MEANS)
    first = services.status_decide(
        actor=caseworker, screening=screening, status=T.POSSIBLE, justification="First look."
    )
    second = services.status_decide(
        actor=supervisor,
        screening=screening,
        status=T.ACTUAL,
        justification="Police report confirms confinement.",
        reason_against_suggestion="The police report confirms what the screening could not.",
    )

    assert list(screening.decisions.all()) == [second, first]
    assert services.current_decision(screening) == second
    assert Screening.objects.get(pk=screening.pk).status == T.ACTUAL
    actions = list(
        AuditEntry.objects.filter(target_type="screening.screening").values_list(
            "action", flat=True
        )
    )
    assert actions.count("screening.status.decided") == 1
    assert actions.count("screening.status.revised") == 1


def test_another_organisation_cannot_decide(caseworker, other_org):
    screening = factories.screening(actor=caseworker)
    outsider = factories.user(Role.SUPERVISOR, organisation=other_org)

    with pytest.raises(PermissionDenied):
        services.status_decide(
            actor=outsider, screening=screening, status=T.ACTUAL, justification="x"
        )


def test_a_country_sop_keeps_actual_for_its_designated_authorities(caseworker, org, monkeypatch):
    monkeypatch.setitem(sop.SOPS, "CF", sop.CountrySop(actual_by=frozenset({"LawEnforcement"})))
    screening = factories.screening(actor=caseworker)

    with pytest.raises(ValidationError) as refused:
        services.status_decide(
            actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear case."
        )
    assert str(OrganisationType.LAW_ENFORCEMENT.label) in refused.value.message_dict["status"][0]

    decision = services.status_decide(
        actor=caseworker,
        screening=screening,
        status=T.POSSIBLE,
        justification="Referred to the police for formal identification.",
        reason_against_suggestion="The SOP reserves the actual status to the police.",
    )
    assert decision.status == T.POSSIBLE


def test_an_edit_reads_the_indicators_again(caseworker):
    screening = factories.screening(actor=caseworker)

    edited = services.screening_update(
        actor=caseworker,
        screening=screening,
        expected_version=screening.version,
        data={},
        answers={"recruiter": "nobody"},
    )

    assert edited.suggested_status == T.NOT_A_VICTIM
    assert edited.indicators == []
    assert edited.version == screening.version + 1


def test_an_edit_on_a_stale_form_is_refused_not_overwritten(caseworker, supervisor):
    screening = factories.screening(actor=caseworker)
    services.screening_update(
        actor=supervisor,
        screening=screening,
        expected_version=1,
        data={"identified_locality": "Garoua-Boulaï"},
        answers=factories.SCREENING_ANSWERS,
    )

    with pytest.raises(ConflictError):
        services.screening_update(
            actor=caseworker,
            screening=screening,
            expected_version=1,
            data={"identified_locality": "Beloko"},
            answers={},
        )
    assert Screening.objects.get(pk=screening.pk).identified_locality == "Garoua-Boulaï"


def test_audit_entries_name_the_screening_and_hold_no_personal_data(caseworker, supervisor):
    screening = factories.screening(
        actor=caseworker,
        first_name="Zeinabou",
        last_name="Kaboré",
        account="Recrutée au marché de Bouar par un certain Issa",
        risks_note="Issa est à la gare routière",
    )
    services.screening_update(
        actor=caseworker,
        screening=screening,
        expected_version=1,
        data={"first_name": "Zeinab"},
        answers=factories.SCREENING_ANSWERS,
    )
    services.status_decide(
        actor=supervisor,
        screening=screening,
        status=T.ACTUAL,
        justification="Récit détaillé de Zeinab sur Issa",
    )
    entries = list(AuditEntry.objects.filter(target_type="screening.screening"))

    assert {e.action for e in entries} == {
        "screening.screening.created",
        "screening.screening.changed",
        "screening.status.decided",
    }
    for entry in entries:
        text = str(entry.data)
        assert entry.data["code"] == screening.code
        for personal in ("Zeinab", "Kaboré", "Issa", "Bouar", "gare"):
            assert personal not in text, (entry.action, text)
    changed = next(e for e in entries if e.action == "screening.screening.changed")
    assert changed.data["fields"] == ["first_name"]


def test_a_decision_moves_the_screenings_version(caseworker, supervisor):
    screening = factories.screening(actor=caseworker)
    before = screening.version
    services.status_decide(
        actor=supervisor,
        screening=screening,
        status=screening.suggested_status,
        justification="Answers consistent with the documents seen.",
    )
    screening.refresh_from_db()
    assert screening.version == before + 1


def test_a_date_before_2000_is_refused_with_a_message_not_an_error(caseworker):
    with pytest.raises(ValidationError) as refused:
        factories.screening(actor=caseworker, screened_at=datetime(1, 1, 1, tzinfo=UTC))
    assert "screened_at" in refused.value.message_dict
