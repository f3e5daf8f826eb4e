"""get_<field>_display() from a map made once per field (traffick_cm/choice_labels.py):
the label of the value in the active language, the value itself when it is not a choice,
as Django's own."""

from __future__ import annotations

from django.utils import translation

from cases.models import Case, Person
from traffick_cm import codebooks as v


def test_the_label_is_in_the_active_language():
    case = Case(status=v.CaseStatus.REINTEGRATION)
    with translation.override("en"):
        assert case.get_status_display() == "Reintegration and follow-up"
    with translation.override("fr"):
        assert case.get_status_display() == "Réintégration et suivi"


def test_a_value_that_is_not_a_choice_shows_as_it_is():
    assert Case(status="retired").get_status_display() == "retired"
    assert Case(status="").get_status_display() == ""


def test_each_field_has_its_own_labels():
    person = Person(gender=v.Gender.choices[0][0], marital_status=v.MaritalStatus.choices[0][0])
    with translation.override("en"):
        assert person.get_gender_display() == str(v.Gender.choices[0][1])
        assert person.get_marital_status_display() == str(v.MaritalStatus.choices[0][1])
