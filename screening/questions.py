"""The screening interview's questions: what a caseworker asks, section by section, and the
answers the form offers. The indicators (screening/indicators.py) are read from these
answers, so a question's code and its answer codes are stable: they are stored in
`Screening.answers` (JSON keyed by question code) and carried by the field app.

Where HTCDS v2.0 has a picklist (methods of recruitment, types of exploitation, forced
labour industry, methods of control) the question offers it as it is, so that the answers
go into a case file unchanged. The other questions follow the IOM screening form for
migrants vulnerable to violence, exploitation and abuse and the ILO/EC (Delphi) operational
indicators, asked in words a person can answer.

Per country: `EXTRA_QUESTIONS` adds questions a country's SOP asks on top of these (with
the indicators they feed in `indicators.EXTRA_INDICATORS`); `questions(country)` is the
interview asked in that country."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from traffick_cm import codebooks as v


class Section(StrEnum):
    RECRUITMENT = "recruitment"
    TRAVEL = "travel"
    WORK = "work"
    CONTROL = "control"


SECTION_LABELS: dict[Section, Promise] = {
    Section.RECRUITMENT: _("Recruitment"),
    Section.TRAVEL: _("Travel and transit"),
    Section.WORK: _("Work and exploitation"),
    Section.CONTROL: _("Coercion and control"),
}


class Kind(StrEnum):
    ONE = "one"  # one answer from the choices
    MANY = "many"  # any number of the choices
    COUNTRY = "country"  # an ISO 3166-1 alpha-2 code


Choices = tuple[tuple[str, Any], ...]

YES_NO: Choices = (("yes", _("Yes")), ("no", _("No")))


def _htcds(vocabulary: type[models.TextChoices]) -> Choices:
    return tuple(vocabulary.choices)


@dataclass(frozen=True)
class Question:
    code: str
    section: Section
    label: Promise
    kind: Kind = Kind.ONE
    choices: Choices = ()
    help_text: Promise | str = ""
    # For a child only (a question an adult is not asked).
    child_only: bool = False
    # Long lists are a drop-down, short ones radio buttons or checkboxes.
    long_list: bool = False

    def values(self) -> frozenset[str]:
        if self.kind == Kind.COUNTRY:
            return frozenset(code for code, _name in countries)
        return frozenset(code for code, _label in self.choices)

    def label_of(self, value: str) -> str:
        if self.kind == Kind.COUNTRY:
            return str(countries.name(value)) or value
        return str(dict(self.choices).get(value, value))


QUESTIONS: tuple[Question, ...] = (
    # Recruitment: how, by whom, what was promised, deception, fees and debts.
    Question(
        "recruiter",
        Section.RECRUITMENT,
        _("Who recruited the person, or offered the job or the journey?"),
        choices=(
            ("nobody", _("Nobody: the person left on their own initiative")),
            (v.RelationshipToTrafficker.FAMILIAL, _("A family member")),
            (
                v.RelationshipToTrafficker.ACQUAINTED,
                _("An acquaintance (friend, neighbour, community member)"),
            ),
            (
                v.RelationshipToTrafficker.UNACQUAINTED,
                _("Someone they did not know before (agent, intermediary, employer)"),
            ),
        ),
    ),
    Question(
        "recruitment_methods",
        Section.RECRUITMENT,
        _("How was the person approached?"),
        Kind.MANY,
        _htcds(v.RecruitmentMethod),
    ),
    Question(
        "expected_work",
        Section.RECRUITMENT,
        _("What work awaits (or awaited) the person at destination?"),
        choices=(
            ("own_choice", _("Work they chose and know about")),
            ("unknown", _("They do not know")),
            ("arranged", _("Work arranged by the recruiter, to repay the journey or a debt")),
        ),
    ),
    Question(
        "deception",
        Section.RECRUITMENT,
        _("Did anything turn out different from what was promised?"),
        Kind.MANY,
        (
            ("job_nature", _("The kind of work")),
            ("place_employer", _("The place or the employer")),
            ("conditions", _("Working hours or conditions")),
            ("wages", _("The pay")),
            ("documents", _("Papers or a legal status")),
            ("journey", _("The journey or its cost")),
            ("marriage_education", _("A promise of marriage, adoption or schooling")),
        ),
    ),
    Question(
        "debt",
        Section.RECRUITMENT,
        _("Did the person or their family pay or owe money for the job or the journey?"),
        choices=(
            ("none", _("No")),
            ("paid", _("A fee was paid in advance")),
            ("owes", _("They owe a debt to the recruiter or the employer, repaid by work")),
        ),
    ),
    Question(
        "forced_recruitment",
        Section.RECRUITMENT,
        _("Was the person forced to leave or to accept?"),
        Kind.MANY,
        (
            ("abducted", _("Abducted or taken by force")),
            ("sold", _("Sold, exchanged or given away by someone")),
            ("forced_marriage", _("Married against their will")),
            ("threatened", _("Threatened, or their family threatened")),
            ("violence", _("Subjected to violence")),
        ),
    ),
    Question(
        "vulnerability_used",
        Section.RECRUITMENT,
        _("Did the recruiter take advantage of a difficult situation?"),
        Kind.MANY,
        (
            ("family", _("A difficult family situation (orphan, conflict, family debt)")),
            ("economic", _("Extreme poverty or no income")),
            ("displacement", _("Displacement by conflict or disaster")),
            ("status", _("No papers or an irregular status")),
            ("information", _("Lack of information, schooling or language")),
            ("dependency", _("Emotional dependency on the recruiter")),
        ),
    ),
    # Travel and transit.
    Question(
        "journey_arranged_by",
        Section.TRAVEL,
        _("Who organised and paid for the journey?"),
        choices=(
            ("self", _("The person or their family")),
            ("recruiter", _("The recruiter, the employer or their contacts")),
            ("smuggler", _("A smuggler paid for the passage only")),
        ),
    ),
    Question(
        "travelling_with",
        Section.TRAVEL,
        _("Who is (or was) the person travelling with?"),
        choices=(
            ("alone", _("Alone")),
            ("family", _("Their own family")),
            ("unrelated_adult", _("An adult who is not family")),
            ("group", _("A group organised by someone else")),
        ),
    ),
    Question(
        "documents_held_by",
        Section.TRAVEL,
        _("Who holds the person's identity documents?"),
        choices=(
            ("self", _("The person")),
            ("other", _("The recruiter, an escort or the employer")),
            ("none", _("They have no documents")),
        ),
    ),
    Question(
        "kept_in_transit",
        Section.TRAVEL,
        _("On the way, was the person kept in a house or a place they could not leave?"),
        choices=YES_NO,
    ),
    Question(
        "handed_over",
        Section.TRAVEL,
        _("Was the person handed over or sold to someone else, on the way or at arrival?"),
        choices=YES_NO,
    ),
    Question(
        "received_by",
        Section.TRAVEL,
        _("At arrival, who received the person?"),
        choices=(
            ("nobody", _("Nobody in particular")),
            ("recruiter_contact", _("A contact of the recruiter, who took them to the work")),
            ("employer", _("The employer, who housed them")),
        ),
    ),
    Question(
        "recruitment_country",
        Section.TRAVEL,
        _("Country where the person was recruited"),
        Kind.COUNTRY,
    ),
    Question(
        "exploitation_country",
        Section.TRAVEL,
        _("Country where the person worked or was exploited"),
        Kind.COUNTRY,
    ),
    # Work and exploitation: sector, conditions, hours, pay, freedom to leave.
    Question(
        "exploitation_types",
        Section.WORK,
        _("What was the person made to do?"),
        Kind.MANY,
        _htcds(v.ExploitationType),
    ),
    Question(
        "labour_industry",
        Section.WORK,
        _("Sector of work"),
        choices=_htcds(v.LabourIndustry),
        long_list=True,
    ),
    Question(
        "could_leave",
        Section.WORK,
        _("Could the person stop the work or leave the place if they wanted to?"),
        choices=(
            ("yes", _("Yes")),
            ("no", _("No")),
            ("not_yet", _("Not yet at work")),
        ),
    ),
    Question(
        "excessive_hours",
        Section.WORK,
        _("More than 12 hours a day, or no day of rest?"),
        choices=YES_NO,
    ),
    Question(
        "pay",
        Section.WORK,
        _("Was the person paid?"),
        choices=(
            ("as_agreed", _("As agreed")),
            ("less", _("Much less than agreed")),
            ("nothing", _("Not at all")),
            ("kept", _("The earnings were kept by the employer or the recruiter")),
        ),
    ),
    Question(
        "conditions",
        Section.WORK,
        _("Conditions of work and living"),
        Kind.MANY,
        (
            ("hazardous", _("Dangerous work without protection")),
            ("living", _("Very bad living conditions (food, sleep, hygiene)")),
            ("no_care", _("No medical care when sick or injured")),
            ("no_school", _("A child kept out of school")),
        ),
    ),
    # Coercion and control.
    Question(
        "methods_of_control",
        Section.CONTROL,
        _("How was the person controlled?"),
        Kind.MANY,
        _htcds(v.MethodOfControl),
    ),
    Question(
        "movement",
        Section.CONTROL,
        _("Could the person move freely?"),
        choices=(
            ("free", _("Freely")),
            ("watched", _("Watched or always accompanied")),
            ("confined", _("Locked in or not allowed out")),
        ),
    ),
    Question(
        "isolated",
        Section.CONTROL,
        _("Was the person prevented from contacting their family or others?"),
        choices=YES_NO,
    ),
    Question(
        "forced_acts",
        Section.CONTROL,
        _("Was the person forced to do any of these?"),
        Kind.MANY,
        (
            ("crimes", _("Commit offences (theft, selling drugs)")),
            ("lie", _("Lie to the authorities or to their family")),
            ("clients", _("Take clients or tasks they refused")),
        ),
    ),
)


# Questions a country's SOP adds. Central African Republic: association with armed groups,
# asked of everyone (adults too are recruited and used). Guinea, Mali, Senegal: children
# entrusted by their family to a third party ("confiage"), among them talibé children
# entrusted to a Koranic teacher and made to beg.
ARMED_GROUP = Question(
    "armed_group",
    Section.WORK,
    _("Association with an armed group"),
    Kind.MANY,
    (
        ("recruited", _("Recruited or taken by an armed group")),
        ("used", _("Used as a fighter, porter, cook, messenger or spy")),
        ("sexual", _("Used for sexual purposes by members of an armed group")),
    ),
)
ENTRUSTED = Question(
    "entrusted",
    Section.RECRUITMENT,
    _("Was the child entrusted by the family to someone else?"),
    choices=(
        ("no", _("No")),
        ("relative", _("To a relative in town")),
        ("teacher", _("To a Koranic teacher (marabout)")),
        ("other", _("To someone else")),
    ),
    child_only=True,
)
EXTRA_QUESTIONS: dict[str, tuple[Question, ...]] = {
    "CF": (ARMED_GROUP,),
    "GN": (ENTRUSTED,),
    "ML": (ENTRUSTED,),
    "SN": (ENTRUSTED,),
}


def questions(country: str = "") -> tuple[Question, ...]:
    """The interview asked in `country`: the common questions, then the country's own."""
    return QUESTIONS + EXTRA_QUESTIONS.get(str(country or "").upper(), ())


def by_section(items: Iterable[Question]) -> dict[Section, list[Question]]:
    grouped: dict[Section, list[Question]] = {section: [] for section in Section}
    for question in items:
        grouped[question.section].append(question)
    return grouped


@dataclass
class Answers:
    """The answers as stored: a code per question answered (a list for MANY); questions
    left unanswered are absent."""

    values: dict[str, Any] = field(default_factory=dict)

    def chosen(self, question: str) -> frozenset[str]:
        value = self.values.get(question)
        if value in (None, "", []):
            return frozenset()
        return frozenset(value) if isinstance(value, list) else frozenset({str(value)})

    def listed(self, question: str) -> list[str]:
        return sorted(self.chosen(question))

    def one(self, question: str) -> str:
        value = self.values.get(question)
        return value if isinstance(value, str) else ""


def _not_offered(question: Question) -> ValidationError:
    return ValidationError(
        _("“%(question)s”: this answer is not one of its choices."),
        params={"question": question.label},
        code="invalid_answer",
    )


def clean_answers(raw: dict[str, Any], *, country: str, child: bool) -> dict[str, Any]:
    """The answers to store: only questions of the country's interview, only their own
    answer codes, nothing empty; a question for children is dropped for an adult.
    ValidationError names the first question with an answer it does not offer."""
    cleaned: dict[str, Any] = {}
    for question in questions(country):
        value = raw.get(question.code)
        if value in (None, "", [], ()):
            continue
        if question.child_only and not child:
            continue
        allowed = question.values()
        if question.kind == Kind.MANY:
            items = [value] if isinstance(value, str) else list(value)
            if any(not isinstance(item, str) or item not in allowed for item in items):
                raise _not_offered(question)
            cleaned[question.code] = [code for code, _label in question.choices if code in items]
        else:
            if not isinstance(value, str) or value not in allowed:
                raise _not_offered(question)
            cleaned[question.code] = value
    return cleaned
