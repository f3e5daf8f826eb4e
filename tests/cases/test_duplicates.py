"""A person registered before, in any organisation, is flagged as a possible duplicate
without revealing another organisation's case."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import DuplicateFlag
from tests import factories

from .steps import register_data


@pytest.fixture
def first_registration(caseworker):
    """Organisation A's case."""
    return factories.case(
        caseworker=caseworker,
        first_name="Aïssatou Fatoumata",
        last_name="Mohamed",
        date_of_birth=date(2000, 3, 1),
        citizenships=["ML"],
    )


def _register_in_b(outside_caseworker, **person):
    defaults = {
        "first_name": "Aissatou Fatoumata",
        "last_name": "Mohamed",
        "date_of_birth": date(2000, 3, 1),
        "citizenships": ["ML"],
    }
    return factories.case(caseworker=outside_caseworker, **{**defaults, **person})


@pytest.mark.parametrize(
    "person",
    [
        pytest.param({}, id="accents-removed"),
        pytest.param(
            {"first_name": "MOHAMED", "last_name": "Fatoumata Aïssatou"},
            id="names-in-another-order",
        ),
        pytest.param({"last_name": "Muhammad"}, id="mohamed-muhammad"),
        pytest.param({"first_name": "Aïssatou Fatimata"}, id="fatoumata-fatimata"),
        pytest.param({"first_name": "Aissata Fatoumata"}, id="aissatou-aissata"),
        pytest.param({"date_of_birth": date(2001, 8, 9)}, id="birth-year-one-later"),
        pytest.param({"date_of_birth": date(1999, 1, 1)}, id="birth-year-one-earlier"),
    ],
)
def test_a_person_registered_in_another_organisation_is_flagged(
    first_registration, outside_caseworker, person
):
    case_b = _register_in_b(outside_caseworker, **person)

    assert case_b.possible_duplicate
    flag = DuplicateFlag.objects.get(case=case_b)
    assert flag.other_case == first_registration
    assert flag.same_organisation is False


def test_an_estimated_age_counts_like_a_birth_year(first_registration, outside_caseworker):
    # The factory identifies the person today: the estimated age gives birth year 2000.
    age = timezone.localdate().year - 2000
    case_b = _register_in_b(
        outside_caseworker, date_of_birth=None, person_data={"estimated_age": age}
    )

    assert case_b.possible_duplicate


@pytest.mark.parametrize(
    "person",
    [
        pytest.param({"citizenships": ["NE"]}, id="other-citizenship"),
        pytest.param({"first_name": "Mariam Fatoumata"}, id="other-first-name"),
        pytest.param({"last_name": "Traoré"}, id="other-last-name"),
        pytest.param({"date_of_birth": date(2002, 3, 1)}, id="two-years-apart"),
    ],
)
def test_a_different_person_is_not_flagged(first_registration, outside_caseworker, person):
    case_b = _register_in_b(outside_caseworker, **person)

    assert not case_b.possible_duplicate
    assert not DuplicateFlag.objects.filter(case=case_b).exists()


def test_the_flag_on_another_organisations_case_reveals_nothing_about_the_first(
    client_for, first_registration, outside_caseworker, org
):
    case_b = _register_in_b(outside_caseworker)

    response = client_for(outside_caseworker).get(
        reverse("cases:case_detail", kwargs={"pk": case_b.pk})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be registered by another organisation." in html
    assert first_registration.case_number not in html
    assert org.name not in html
    assert org.acronym not in html


def test_the_first_organisation_cannot_open_the_flagged_case(
    client_for, caseworker, first_registration, outside_caseworker
):
    case_b = _register_in_b(outside_caseworker)

    response = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"pk": case_b.pk}))

    assert response.status_code == 404


def test_within_the_same_organisation_the_page_names_the_other_case(
    client_for, caseworker, first_registration
):
    second = factories.case(
        caseworker=caseworker,
        first_name="Fatimata Aissata",
        last_name="Muhammad",
        date_of_birth=date(2000, 12, 31),
        citizenships=["ML"],
    )

    response = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"pk": second.pk}))

    assert DuplicateFlag.objects.get(case=second).same_organisation is True
    assert (
        f"This person may already be registered in your organisation as case "
        f"{first_registration.case_number}." in response.content.decode()
    )


def test_registering_through_the_form_warns_about_a_possible_duplicate(
    client_for, first_registration, outside_caseworker
):
    response = client_for(outside_caseworker).post(
        reverse("cases:case_register"),
        register_data(
            first_name="Fatoumata",
            last_name="Aissatou Mohamed",
            date_of_birth="2000-03-01",
            citizenships=["ML"],
        ),
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any("may have been registered before" in m for m in messages)
    assert first_registration.case_number not in response.content.decode()


def test_the_duplicate_check_warns_without_details(
    client_for, first_registration, outside_caseworker, org
):
    response = client_for(outside_caseworker).post(
        reverse("cases:duplicate_check"),
        {
            "first_name": "aissatou",
            "last_name": "Fatimata MOHAMMED",
            "date_of_birth": "2000-06-15",
            "citizenships": ["ML"],
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "may already be registered" in html
    assert first_registration.case_number not in html
    assert org.name not in html


def test_the_duplicate_check_is_silent_for_an_unknown_person(
    client_for, first_registration, outside_caseworker
):
    response = client_for(outside_caseworker).post(
        reverse("cases:duplicate_check"),
        {
            "first_name": "Aissatou",
            "last_name": "Mohamed",
            "date_of_birth": "2000-06-15",
            "citizenships": ["NE"],
        },
    )

    assert response.status_code == 200
    assert "may already be registered" not in response.content.decode()


def test_the_duplicate_check_tolerates_a_malformed_date(client_for, outside_caseworker):
    response = client_for(outside_caseworker).post(
        reverse("cases:duplicate_check"),
        {"first_name": "Aissatou", "date_of_birth": "2000-13-45", "citizenships": ["ML"]},
    )

    assert response.status_code == 200
    assert "may already be registered" not in response.content.decode()


def test_deleting_a_case_deletes_the_flags_that_name_it(first_registration, outside_caseworker):
    # The flag's other case has no foreign key in the database; Django's cascade is what
    # keeps the flags right.
    case_b = _register_in_b(outside_caseworker)
    assert DuplicateFlag.objects.filter(case=case_b, other_case=first_registration).exists()

    first_registration.delete()

    assert not DuplicateFlag.objects.filter(case=case_b).exists()


def test_a_flag_whose_other_case_is_gone_says_nothing(
    client_for, caseworker, first_registration, outside_caseworker
):
    second = factories.case(
        caseworker=caseworker,
        first_name="Fatimata Aissata",
        last_name="Muhammad",
        date_of_birth=date(2000, 12, 31),
        citizenships=["ML"],
    )
    gone = first_registration.pk + second.pk + 1000
    DuplicateFlag.objects.filter(case=second).update(other_case_id=gone)

    response = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"pk": second.pk}))

    assert response.status_code == 200
    assert "may already be registered" not in response.content.decode()
    second.refresh_from_db()
    assert selectors.duplicate_notices(actor=caseworker, case=second) == []
