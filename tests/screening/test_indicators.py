"""The indicator catalogue and the rule that suggests a status (screening/indicators.py), on
a table of interviews: adult with and without means, child without means, no act, only weak
indicators, and the reason given in words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from screening import indicators, questions
from screening.indicators import Element, Strength
from traffick_cm.codebooks import TraffickingStatus as T

# Answers, as the form posts them (question code -> answer codes).
RECRUITED_BY_AGENT = {"recruiter": "Unaquainted", "journey_arranged_by": "recruiter"}
DEBT_AND_PAPERS = {"debt": "owes", "documents_held_by": "other"}
FORCED_LABOUR = {"exploitation_types": ["ForcedLabour"], "could_leave": "no"}
ONLY_WEAK = {
    "journey_arranged_by": "smuggler",
    "debt": "paid",
    "vulnerability_used": ["economic"],
    "expected_work": "unknown",
}

CASES = [
    # (id, answers, child, expected status)
    (
        "adult_act_means_purpose_strong",
        {**RECRUITED_BY_AGENT, **DEBT_AND_PAPERS, **FORCED_LABOUR},
        False,
        T.ACTUAL,
    ),
    ("adult_without_means", {**RECRUITED_BY_AGENT, **FORCED_LABOUR}, False, T.NOT_A_VICTIM),
    (
        "adult_means_only_medium",
        {**RECRUITED_BY_AGENT, "deception": ["wages"], **FORCED_LABOUR},
        False,
        T.POSSIBLE,
    ),
    (
        "adult_means_only_weak",
        {**RECRUITED_BY_AGENT, "debt": "paid", **FORCED_LABOUR},
        False,
        T.POSSIBLE,
    ),
    (
        "adult_purpose_intended_only",
        {**RECRUITED_BY_AGENT, **DEBT_AND_PAPERS, "expected_work": "arranged"},
        False,
        T.POSSIBLE,
    ),
    (
        "child_without_means",
        {**RECRUITED_BY_AGENT, "exploitation_types": ["ForcedBegging"]},
        True,
        T.ACTUAL,
    ),
    (
        "child_purpose_medium",
        {"travelling_with": "unrelated_adult", "pay": "nothing"},
        True,
        T.POSSIBLE,
    ),
    ("no_act", {**DEBT_AND_PAPERS, **FORCED_LABOUR}, False, T.NOT_A_VICTIM),
    ("child_no_act", {"exploitation_types": ["ForcedBegging"]}, True, T.NOT_A_VICTIM),
    ("only_weak_indicators", ONLY_WEAK, False, T.NOT_A_VICTIM),
    ("nothing_answered", {}, False, T.NOT_A_VICTIM),
]


@pytest.mark.parametrize(
    ("answers", "child", "expected"),
    [pytest.param(a, c, e, id=i) for i, a, c, e in CASES],
)
def test_the_rule_suggests_the_expected_status(answers, child, expected):
    suggestion = indicators.assess(answers, child=child, country="CF")

    assert suggestion.status == expected, suggestion.codes


def test_an_unrelated_adult_escort_is_an_act_for_a_child_only():
    answers = {"travelling_with": "unrelated_adult"}

    assert (
        "act_child_with_unrelated_adult" in indicators.assess(answers, child=True, country="").codes
    )
    assert indicators.assess(answers, child=False, country="").codes == []


def test_the_reason_names_the_rule_the_elements_and_their_indicators():
    answers = {**RECRUITED_BY_AGENT, **DEBT_AND_PAPERS, **FORCED_LABOUR}
    with translation.override("en"):
        reason = indicators.assess(answers, child=False, country="CF").reason

    assert reason.startswith("Adult: act (recruited by a third party")
    assert "means (debt bondage; identity documents confiscated)" in reason
    assert "purpose (forced labour or servitude" in reason
    assert reason.endswith("each with a strong indicator: actual victim of trafficking.")


def test_the_reason_for_an_adult_without_means_says_the_means_is_required():
    with translation.override("en"):
        reason = indicators.assess(
            {**RECRUITED_BY_AGENT, **FORCED_LABOUR}, child=False, country="CF"
        ).reason

    assert "but no indicator of means" in reason
    assert "For an adult, act, means and purpose are all required" in reason


def test_the_reason_for_a_child_says_no_means_is_needed():
    with translation.override("en"):
        reason = indicators.assess(
            {**RECRUITED_BY_AGENT, "exploitation_types": ["ForcedBegging"]},
            child=True,
            country="GN",
        ).reason

    assert reason.startswith("Child: act (")
    assert "For a child, no means is required (Palermo Protocol, art. 3(c))." in reason


def test_the_reason_for_a_possible_victim_names_the_weaker_element():
    with translation.override("en"):
        reason = indicators.assess(
            {**RECRUITED_BY_AGENT, "debt": "paid", **FORCED_LABOUR}, child=False, country=""
        ).reason

    assert "but means only through medium or weak indicators: possible victim" in reason


def test_the_reason_for_only_weak_indicators_says_they_point_to_vulnerability():
    with translation.override("en"):
        reason = indicators.assess(ONLY_WEAK, child=False, country="").reason

    assert "only weak indicators found" in reason


def test_a_stored_suggestion_reads_the_same_from_its_codes():
    answers = {**RECRUITED_BY_AGENT, "deception": ["wages"], **FORCED_LABOUR}
    made = indicators.assess(answers, child=False, country="CF")

    again = indicators.from_codes(made.as_json()["indicators"], child=False)

    assert again.status == made.status == T.POSSIBLE
    assert again.reason == made.reason


def test_a_country_extension_adds_its_questions_and_indicators_only_there():
    answers = {"armed_group": ["recruited", "used"]}

    in_car = indicators.assess(answers, child=True, country="CF")
    in_guinea = indicators.assess(answers, child=True, country="GN")

    assert {"act_recruited_by_armed_group", "purpose_used_by_armed_group"} <= set(in_car.codes)
    assert in_car.status == T.ACTUAL
    assert in_guinea.codes == []
    assert "armed_group" in {q.code for q in questions.questions("CF")}
    assert "armed_group" not in {q.code for q in questions.questions("GN")}


def test_every_indicator_reads_a_question_and_answers_it_offers():
    offered = {q.code: q.values() for extra in questions.EXTRA_QUESTIONS.values() for q in extra}
    offered.update({q.code: q.values() for q in questions.QUESTIONS})
    for indicator in indicators.every_indicator().values():
        assert indicator.sources, indicator.code
        for trigger in indicator.when:
            assert trigger.question in offered, (indicator.code, trigger.question)
            assert trigger.values <= offered[trigger.question], (indicator.code, trigger.values)


def test_codes_are_unique_and_name_their_element():
    common = {i.code for i in indicators.INDICATORS}
    extra = {i.code for more in indicators.EXTRA_INDICATORS.values() for i in more}

    assert len(common) == len(indicators.INDICATORS)
    assert not common & extra, "a country may add indicators, never redefine a common one"
    for code, indicator in indicators.every_indicator().items():
        assert code.startswith(indicator.element.value), code


def test_each_element_has_strong_indicators():
    for element in Element:
        assert any(
            i.element == element and i.strength == Strength.STRONG for i in indicators.INDICATORS
        )


def test_answers_are_cleaned_to_the_questions_and_their_codes():
    cleaned = questions.clean_answers(
        {"recruiter": "Familial", "deception": ["wages", "job_nature"], "pay": "", "zzz": "1"},
        country="CF",
        child=False,
    )

    assert cleaned == {"recruiter": "Familial", "deception": ["job_nature", "wages"]}


def test_a_child_only_question_is_dropped_for_an_adult():
    cleaned = questions.clean_answers({"entrusted": "teacher"}, country="GN", child=False)

    assert cleaned == {}


@pytest.mark.parametrize(
    "raw",
    [{"recruiter": "cousin"}, {"deception": ["wages", "lies"]}, {"pay": ["nothing"]}],
)
def test_an_answer_a_question_does_not_offer_is_refused(raw):
    with pytest.raises(ValidationError):
        questions.clean_answers(raw, country="CF", child=False)
