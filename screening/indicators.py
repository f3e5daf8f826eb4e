"""The trafficking indicators a screening looks for, and the rule that turns those found into
a suggested status. Data, not code: each indicator names the answers that show it
(screening/questions.py); the rule reads only elements and strengths.

The definition (Palermo Protocol, art. 3): trafficking in persons is an *act* (recruitment,
transportation, transfer, harbouring or receipt of persons) by *means* of threat, force or
other coercion, abduction, fraud, deception, abuse of power or of a position of
vulnerability, or payments to a person having control over another, for the *purpose* of
exploitation (sexual exploitation, forced labour or services, slavery or practices similar
to it, servitude, removal of organs). For a child (under 18, art. 3(d)), the act for the
purpose of exploitation is trafficking whatever the means (art. 3(c)).

Each indicator belongs to one element (act, means, purpose) and has a strength, from the
ILO/European Commission operational indicators of trafficking in human beings (the "Delphi"
indicators, 2009): strong, medium or weak, in six groups. Deceptive recruitment, coercive
recruitment, recruitment by abuse of vulnerability, coercion at destination and abuse of
vulnerability at destination are read as *means*; exploitative conditions of work as
*purpose*. The Delphi list has no act; the act comes from the Protocol's verbs as the IOM
screening form for migrants vulnerable to violence, exploitation and abuse asks about them
(who recruited, who organised the journey, who received the person). One answer may show
two elements: a person sold on the way was transferred (act) by coercion (means).

Two choices made here, on purpose:
- Extreme poverty used by a recruiter is a *weak* means (the Delphi list has economic
  reasons as medium): nearly every person met at a transit point is poor, and a medium
  indicator from poverty alone would make every journey a "possible" case.
- Intended exploitation counts as purpose: the Protocol's "for the purpose of" needs no
  exploitation yet, so a person in transit to work arranged by the recruiter, to repay
  the journey, shows purpose (medium).

The rule (`assess`):
- required elements: act, means and purpose for an adult; act and purpose for a child;
- ActualVictimOfTrafficking: every required element has at least one strong indicator;
- NotAVictimOfTrafficking: a required element has no indicator at all, or every indicator
  found in the required elements is weak (weak indicators point to vulnerability, not to
  trafficking);
- PossibleVictimOfTrafficking: otherwise: every required element is found, at least one
  of them through a medium or strong indicator, and at least one only through medium or
  weak ones. An adult with strong act and purpose but only a weak means is therefore a
  possible victim, to be looked at closer.
The suggestion is only that: a person allowed to decide decides, and a decision against it
needs a reason (screening/services.py).

Per country: `EXTRA_INDICATORS` adds the indicators of a country's own questions
(questions.EXTRA_QUESTIONS); `catalogue(country)` is what a screening in that country is
read against. A country's list may add indicators, never change the common ones: a status
suggested in Bangui and one suggested in Conakry mean the same. `RULE_VERSION` is stored
with each screening and decision: change it whenever an indicator or the rule changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from screening.questions import Answers
from traffick_cm.codebooks import ExploitationType as E
from traffick_cm.codebooks import MethodOfControl as M
from traffick_cm.codebooks import TraffickingStatus

RULE_VERSION = "2026.1"


class Element(StrEnum):
    ACT = "act"
    MEANS = "means"
    PURPOSE = "purpose"


# In context: "purpose" alone is already a follow-up's purpose in the catalogue.
ELEMENT_LABELS: dict[Element, Promise] = {
    Element.ACT: pgettext_lazy("element of trafficking", "act"),
    Element.MEANS: pgettext_lazy("element of trafficking", "means"),
    Element.PURPOSE: pgettext_lazy("element of trafficking", "purpose"),
}


class Strength(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"

    @property
    def rank(self) -> int:
        return {"strong": 3, "medium": 2, "weak": 1}[self.value]


STRENGTH_LABELS: dict[Strength, Promise] = {
    Strength.STRONG: gettext_lazy("strong"),
    Strength.MEDIUM: gettext_lazy("medium"),
    Strength.WEAK: gettext_lazy("weak"),
}


class Source(StrEnum):
    PALERMO = "palermo_art3"
    DECEPTIVE_RECRUITMENT = "delphi_deceptive_recruitment"
    COERCIVE_RECRUITMENT = "delphi_coercive_recruitment"
    VULNERABILITY_RECRUITMENT = "delphi_vulnerability_recruitment"
    EXPLOITATIVE_CONDITIONS = "delphi_exploitative_conditions"
    COERCION_DESTINATION = "delphi_coercion_destination"
    VULNERABILITY_DESTINATION = "delphi_vulnerability_destination"
    IOM_SCREENING = "iom_screening_form"
    ILO_CHILD_LABOUR = "ilo_c182"
    PARIS_PRINCIPLES = "paris_principles"


SOURCE_LABELS: dict[Source, Promise] = {
    Source.PALERMO: gettext_lazy("Palermo Protocol, art. 3"),
    Source.DECEPTIVE_RECRUITMENT: gettext_lazy("ILO/EC indicators: deceptive recruitment"),
    Source.COERCIVE_RECRUITMENT: gettext_lazy("ILO/EC indicators: coercive recruitment"),
    Source.VULNERABILITY_RECRUITMENT: gettext_lazy(
        "ILO/EC indicators: recruitment by abuse of vulnerability"
    ),
    Source.EXPLOITATIVE_CONDITIONS: gettext_lazy(
        "ILO/EC indicators: exploitative conditions of work"
    ),
    Source.COERCION_DESTINATION: gettext_lazy("ILO/EC indicators: coercion at destination"),
    Source.VULNERABILITY_DESTINATION: gettext_lazy(
        "ILO/EC indicators: abuse of vulnerability at destination"
    ),
    Source.IOM_SCREENING: gettext_lazy(
        "IOM screening form for migrants vulnerable to violence, exploitation and abuse"
    ),
    Source.ILO_CHILD_LABOUR: gettext_lazy("ILO Convention 182, worst forms of child labour"),
    Source.PARIS_PRINCIPLES: gettext_lazy(
        "Paris Principles on children associated with armed forces or armed groups"
    ),
}


class Applies(StrEnum):
    ALL = "all"
    CHILD = "child"
    ADULT = "adult"


@dataclass(frozen=True)
class Trigger:
    """An answer that shows the indicator: any of `values` chosen for `question`."""

    question: str
    values: frozenset[str]


def answer(question: str, *values: str) -> Trigger:
    return Trigger(question, frozenset(values))


@dataclass(frozen=True)
class Indicator:
    code: str
    element: Element
    strength: Strength
    label: Promise
    sources: tuple[Source, ...]
    when: tuple[Trigger, ...]
    applies: Applies = Applies.ALL

    @property
    def strength_label(self) -> Promise:
        return STRENGTH_LABELS[self.strength]

    @property
    def source_labels(self) -> list[Promise]:
        return [SOURCE_LABELS[source] for source in self.sources]

    def shown_by(self, answers: Answers, *, child: bool) -> bool:
        if self.applies == Applies.CHILD and not child:
            return False
        if self.applies == Applies.ADULT and child:
            return False
        return any(answers.chosen(t.question) & t.values for t in self.when)


A, MN, P = Element.ACT, Element.MEANS, Element.PURPOSE
STRONG, MEDIUM, WEAK = Strength.STRONG, Strength.MEDIUM, Strength.WEAK
S = Source
RECRUITED = ("Familial", "Acquainted", "Unaquainted")

INDICATORS: tuple[Indicator, ...] = (
    # Act: recruitment, transportation, transfer, harbouring, receipt.
    Indicator(
        "act_recruited",
        A,
        STRONG,
        gettext_lazy("recruited by a third party"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("recruiter", *RECRUITED),),
    ),
    Indicator(
        "act_transported_by_recruiter",
        A,
        STRONG,
        gettext_lazy("journey organised by the recruiter or their contacts"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("journey_arranged_by", "recruiter"),),
    ),
    Indicator(
        "act_transported_by_smuggler",
        A,
        WEAK,
        gettext_lazy("transported by a smuggler"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("journey_arranged_by", "smuggler"),),
    ),
    Indicator(
        "act_transferred",
        A,
        STRONG,
        gettext_lazy("handed over or sold to another person"),
        (S.PALERMO, S.COERCIVE_RECRUITMENT),
        (answer("handed_over", "yes"), answer("forced_recruitment", "sold")),
    ),
    Indicator(
        "act_taken_by_force",
        A,
        STRONG,
        gettext_lazy("taken away by force"),
        (S.PALERMO, S.COERCIVE_RECRUITMENT),
        (answer("forced_recruitment", "abducted"),),
    ),
    Indicator(
        "act_harboured_in_transit",
        A,
        STRONG,
        gettext_lazy("kept in a house or place on the way"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("kept_in_transit", "yes"),),
    ),
    Indicator(
        "act_received",
        A,
        STRONG,
        gettext_lazy("received at arrival by the recruiter's contact"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("received_by", "recruiter_contact"),),
    ),
    Indicator(
        "act_harboured_by_employer",
        A,
        MEDIUM,
        gettext_lazy("housed by the employer"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("received_by", "employer"),),
    ),
    Indicator(
        "act_child_with_unrelated_adult",
        A,
        MEDIUM,
        gettext_lazy("child travelling with adults who are not family"),
        (S.IOM_SCREENING,),
        (answer("travelling_with", "unrelated_adult", "group"),),
        Applies.CHILD,
    ),
    # Means: deception, coercion, abuse of vulnerability (ILO/EC Delphi).
    Indicator(
        "means_deceived_about_work",
        MN,
        STRONG,
        gettext_lazy("deceived about the nature of the work, the place or the employer"),
        (S.DECEPTIVE_RECRUITMENT,),
        (answer("deception", "job_nature", "place_employer"),),
    ),
    Indicator(
        "means_deceived_about_conditions",
        MN,
        MEDIUM,
        gettext_lazy("deceived about conditions, pay, papers or the journey"),
        (S.DECEPTIVE_RECRUITMENT,),
        (answer("deception", "conditions", "wages", "documents", "journey"),),
    ),
    Indicator(
        "means_false_promises",
        MN,
        MEDIUM,
        gettext_lazy("false promises (marriage, adoption, schooling)"),
        (S.DECEPTIVE_RECRUITMENT,),
        (
            answer("deception", "marriage_education"),
            answer("methods_of_control", M.FALSE_PROMISES),
        ),
    ),
    Indicator(
        "means_debt_bondage",
        MN,
        STRONG,
        gettext_lazy("debt bondage"),
        (S.COERCIVE_RECRUITMENT, S.COERCION_DESTINATION),
        (answer("debt", "owes"), answer("methods_of_control", M.DEBT_BONDAGE)),
    ),
    Indicator(
        "means_recruitment_fee",
        MN,
        WEAK,
        gettext_lazy("fee paid to the recruiter"),
        (S.VULNERABILITY_RECRUITMENT,),
        (answer("debt", "paid"),),
    ),
    Indicator(
        "means_abduction_or_sale",
        MN,
        STRONG,
        gettext_lazy("abduction, sale or forced marriage"),
        (S.PALERMO, S.COERCIVE_RECRUITMENT),
        (answer("forced_recruitment", "abducted", "sold", "forced_marriage"),),
    ),
    Indicator(
        "means_violence",
        MN,
        STRONG,
        gettext_lazy("violence against the person"),
        (S.COERCIVE_RECRUITMENT, S.COERCION_DESTINATION),
        (
            answer("forced_recruitment", "violence"),
            answer("methods_of_control", M.PHYSICAL_ABUSE, M.SEXUAL_ABUSE),
        ),
    ),
    Indicator(
        "means_threats",
        MN,
        STRONG,
        gettext_lazy("threats of violence against the person"),
        (S.COERCIVE_RECRUITMENT, S.COERCION_DESTINATION),
        (
            answer("forced_recruitment", "threatened"),
            answer("methods_of_control", M.PHYSICAL_THREATS),
        ),
    ),
    Indicator(
        "means_threats_to_family",
        MN,
        MEDIUM,
        gettext_lazy("threats against the family"),
        (S.COERCION_DESTINATION,),
        (answer("methods_of_control", M.THREATENS_FAMILY),),
    ),
    Indicator(
        "means_threat_of_denunciation",
        MN,
        MEDIUM,
        gettext_lazy("threat of denunciation to the authorities"),
        (S.COERCION_DESTINATION,),
        (answer("methods_of_control", M.THREATS_LAW),),
    ),
    Indicator(
        "means_documents_confiscated",
        MN,
        STRONG,
        gettext_lazy("identity documents confiscated"),
        (S.COERCIVE_RECRUITMENT, S.COERCION_DESTINATION),
        (
            answer("documents_held_by", "other"),
            answer("methods_of_control", M.WITHHOLDS_DOCUMENTS),
        ),
    ),
    Indicator(
        "means_confinement",
        MN,
        STRONG,
        gettext_lazy("confinement or surveillance"),
        (S.COERCION_DESTINATION,),
        (answer("movement", "watched", "confined"), answer("kept_in_transit", "yes")),
    ),
    Indicator(
        "means_isolation",
        MN,
        STRONG,
        gettext_lazy("isolation from family and others"),
        (S.COERCION_DESTINATION,),
        (answer("isolated", "yes"),),
    ),
    Indicator(
        "means_forced_acts",
        MN,
        STRONG,
        gettext_lazy("forced into offences, lies or tasks refused"),
        (S.COERCION_DESTINATION,),
        (answer("forced_acts", "crimes", "lie", "clients"),),
    ),
    Indicator(
        "means_earnings_withheld",
        MN,
        MEDIUM,
        gettext_lazy("earnings withheld"),
        (S.COERCION_DESTINATION,),
        (
            answer("pay", "kept"),
            answer("methods_of_control", M.TAKES_EARNINGS, M.RESTRICTS_FINANCES),
        ),
    ),
    Indicator(
        "means_necessities_withheld",
        MN,
        MEDIUM,
        gettext_lazy("food, care or other necessities withheld"),
        (S.COERCION_DESTINATION,),
        (answer("methods_of_control", M.WITHHOLDS_NECESSITIES, M.RESTRICTS_MEDICAL),),
    ),
    Indicator(
        "means_psychological_control",
        MN,
        MEDIUM,
        gettext_lazy("psychological abuse or drugs"),
        (S.COERCION_DESTINATION,),
        (answer("methods_of_control", M.PSYCHOLOGICAL, M.SUBSTANCES),),
    ),
    Indicator(
        "means_abuse_of_vulnerability",
        MN,
        MEDIUM,
        gettext_lazy("abuse of a position of vulnerability"),
        (S.PALERMO, S.VULNERABILITY_RECRUITMENT, S.VULNERABILITY_DESTINATION),
        (
            answer(
                "vulnerability_used",
                "family",
                "displacement",
                "status",
                "information",
                "dependency",
            ),
        ),
    ),
    Indicator(
        "means_economic_need",
        MN,
        WEAK,
        gettext_lazy("extreme poverty used by the recruiter"),
        (S.VULNERABILITY_RECRUITMENT,),
        (answer("vulnerability_used", "economic"),),
    ),
    Indicator(
        "means_other_control",
        MN,
        WEAK,
        gettext_lazy("another method of control"),
        (S.COERCION_DESTINATION,),
        (answer("methods_of_control", M.OTHER),),
    ),
    # Purpose: exploitation (HTCDS types of exploitation, ILO/EC exploitative conditions).
    Indicator(
        "purpose_sexual_exploitation",
        P,
        STRONG,
        gettext_lazy("sexual exploitation"),
        (S.PALERMO,),
        (answer("exploitation_types", E.SEXUAL),),
    ),
    Indicator(
        "purpose_forced_labour",
        P,
        STRONG,
        gettext_lazy("forced labour or servitude"),
        (S.PALERMO,),
        (answer("exploitation_types", E.FORCED_LABOUR, E.SERVITUDE),),
    ),
    Indicator(
        "purpose_forced_begging",
        P,
        STRONG,
        gettext_lazy("forced begging"),
        (S.PALERMO,),
        (answer("exploitation_types", E.FORCED_BEGGING),),
    ),
    Indicator(
        "purpose_forced_marriage",
        P,
        STRONG,
        gettext_lazy("forced marriage"),
        (S.PALERMO, S.COERCIVE_RECRUITMENT),
        (
            answer("exploitation_types", E.FORCED_MARRIAGE),
            answer("forced_recruitment", "forced_marriage"),
        ),
    ),
    Indicator(
        "purpose_armed_groups",
        P,
        STRONG,
        gettext_lazy("forced military use by an armed group"),
        (S.PALERMO, S.PARIS_PRINCIPLES),
        (answer("exploitation_types", E.FORCED_MILITARY),),
    ),
    Indicator(
        "purpose_organ_removal",
        P,
        STRONG,
        gettext_lazy("removal of organs"),
        (S.PALERMO,),
        (answer("exploitation_types", E.ORGAN_REMOVAL),),
    ),
    Indicator(
        "purpose_forced_adoption_or_surrogacy",
        P,
        STRONG,
        gettext_lazy("forced adoption or surrogacy"),
        (S.PALERMO,),
        (answer("exploitation_types", E.FORCED_ADOPTION, E.SURROGACY),),
    ),
    Indicator(
        "purpose_forced_criminality",
        P,
        STRONG,
        gettext_lazy("forced criminality or another form of exploitation"),
        (S.PALERMO, S.COERCION_DESTINATION),
        (answer("exploitation_types", E.OTHER), answer("forced_acts", "crimes")),
    ),
    Indicator(
        "purpose_not_free_to_leave",
        P,
        STRONG,
        gettext_lazy("work the person could not leave (forced labour)"),
        (S.PALERMO, S.COERCION_DESTINATION),
        (answer("could_leave", "no"),),
    ),
    Indicator(
        "purpose_excessive_hours",
        P,
        STRONG,
        gettext_lazy("excessive working days or hours"),
        (S.EXPLOITATIVE_CONDITIONS,),
        (
            answer("excessive_hours", "yes"),
            answer("methods_of_control", M.EXCESSIVE_HOURS),
        ),
    ),
    Indicator(
        "purpose_child_hazardous_work",
        P,
        STRONG,
        gettext_lazy("child in hazardous work"),
        (S.ILO_CHILD_LABOUR,),
        (answer("conditions", "hazardous"),),
        Applies.CHILD,
    ),
    Indicator(
        "purpose_child_labour",
        P,
        MEDIUM,
        gettext_lazy("child labour"),
        (S.ILO_CHILD_LABOUR,),
        (answer("exploitation_types", E.CHILD_LABOUR),),
    ),
    Indicator(
        "purpose_intended_exploitation",
        P,
        MEDIUM,
        gettext_lazy("work arranged by the recruiter to repay a debt"),
        (S.PALERMO, S.IOM_SCREENING),
        (answer("expected_work", "arranged"),),
    ),
    Indicator(
        "purpose_no_or_low_pay",
        P,
        MEDIUM,
        gettext_lazy("little or no pay"),
        (S.EXPLOITATIVE_CONDITIONS,),
        (answer("pay", "less", "nothing", "kept"),),
    ),
    Indicator(
        "purpose_hazardous_work",
        P,
        MEDIUM,
        gettext_lazy("hazardous work"),
        (S.EXPLOITATIVE_CONDITIONS,),
        (answer("conditions", "hazardous"),),
    ),
    Indicator(
        "purpose_bad_living_conditions",
        P,
        MEDIUM,
        gettext_lazy("very bad living conditions"),
        (S.EXPLOITATIVE_CONDITIONS,),
        (answer("conditions", "living", "no_care"),),
    ),
    Indicator(
        "purpose_unknown_work",
        P,
        WEAK,
        gettext_lazy("work at destination unknown to the person"),
        (S.IOM_SCREENING,),
        (answer("expected_work", "unknown"),),
    ),
    Indicator(
        "purpose_child_out_of_school",
        P,
        WEAK,
        gettext_lazy("child kept out of school"),
        (S.EXPLOITATIVE_CONDITIONS,),
        (answer("conditions", "no_school"),),
        Applies.CHILD,
    ),
)

# The indicators of the countries' own questions (questions.EXTRA_QUESTIONS).
ARMED_GROUP_INDICATORS = (
    Indicator(
        "act_recruited_by_armed_group",
        A,
        STRONG,
        gettext_lazy("recruited or taken by an armed group"),
        (S.PALERMO, S.PARIS_PRINCIPLES),
        (answer("armed_group", "recruited"),),
    ),
    Indicator(
        "purpose_used_by_armed_group",
        P,
        STRONG,
        gettext_lazy("used by an armed group (combat, support or sexual purposes)"),
        (S.PALERMO, S.PARIS_PRINCIPLES),
        (answer("armed_group", "used", "sexual"),),
    ),
)
ENTRUSTED_INDICATORS = (
    Indicator(
        "act_child_entrusted",
        A,
        MEDIUM,
        gettext_lazy("child entrusted by the family to a third party"),
        (S.IOM_SCREENING,),
        (answer("entrusted", "teacher", "other"),),
        Applies.CHILD,
    ),
    Indicator(
        "act_child_entrusted_to_relative",
        A,
        WEAK,
        gettext_lazy("child entrusted to a relative in town"),
        (S.IOM_SCREENING,),
        (answer("entrusted", "relative"),),
        Applies.CHILD,
    ),
)
EXTRA_INDICATORS: dict[str, tuple[Indicator, ...]] = {
    "CF": ARMED_GROUP_INDICATORS,
    "GN": ENTRUSTED_INDICATORS,
    "ML": ENTRUSTED_INDICATORS,
    "SN": ENTRUSTED_INDICATORS,
}


def catalogue(country: str = "") -> tuple[Indicator, ...]:
    """The indicators a screening in `country` is read against."""
    return INDICATORS + EXTRA_INDICATORS.get(str(country or "").upper(), ())


def every_indicator() -> dict[str, Indicator]:
    """Every indicator of every country, by code (to show stored codes)."""
    found = {i.code: i for i in INDICATORS}
    for extra in EXTRA_INDICATORS.values():
        found.update({i.code: i for i in extra})
    return found


def found(answers: dict[str, Any], *, child: bool, country: str) -> list[Indicator]:
    """The indicators the answers show, strongest first within each element."""
    given = Answers(answers or {})
    return _ranked(i for i in catalogue(country) if i.shown_by(given, child=child))


def _ranked(indicators: Iterable[Indicator]) -> list[Indicator]:
    order = list(Element)
    return sorted(indicators, key=lambda i: (order.index(i.element), -i.strength.rank, i.code))


def required(*, child: bool) -> tuple[Element, ...]:
    return (A, P) if child else (A, MN, P)


@dataclass(frozen=True)
class Suggestion:
    """What the rule suggests, and why: the stored codes are enough to say it again."""

    status: TraffickingStatus
    child: bool
    indicators: tuple[Indicator, ...]

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    def in_element(self, element: Element) -> list[Indicator]:
        return [i for i in self.indicators if i.element == element]

    def best(self, element: Element) -> Strength | None:
        found_here = self.in_element(element)
        return max((i.strength for i in found_here), key=lambda s: s.rank, default=None)

    @property
    def reason(self) -> str:
        return explain(self)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": RULE_VERSION,
            "status": str(self.status),
            "child": self.child,
            "indicators": self.codes,
        }


def assess(answers: dict[str, Any], *, child: bool, country: str) -> Suggestion:
    """The suggested status for these answers (the rule in the module's docstring)."""
    return suggestion_of(found(answers, child=child, country=country), child=child)


def suggestion_of(indicators: Iterable[Indicator], *, child: bool) -> Suggestion:
    indicators = tuple(_ranked(indicators))
    draft = Suggestion(TraffickingStatus.NOT_A_VICTIM, child, indicators)
    levels = [draft.best(element) for element in required(child=child)]
    if any(level is None for level in levels):
        status = TraffickingStatus.NOT_A_VICTIM
    elif all(level == STRONG for level in levels):
        status = TraffickingStatus.ACTUAL
    elif all(level == WEAK for level in levels):
        status = TraffickingStatus.NOT_A_VICTIM
    else:
        status = TraffickingStatus.POSSIBLE
    return Suggestion(status, child, indicators)


def from_codes(codes: Iterable[str], *, child: bool) -> Suggestion:
    """A stored suggestion again, from its indicator codes (unknown codes are skipped)."""
    known = every_indicator()
    return suggestion_of([known[c] for c in codes if c in known], child=child)


# The reason, in words a caseworker can say to the person or to a colleague.


def _join(items: list[str]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _element_phrase(suggestion: Suggestion, element: Element) -> str:
    labels = [str(i.label) for i in suggestion.in_element(element)]
    # Translators: between two indicators in a list (their labels may hold commas).
    separator = pgettext("indicator list", "; ")
    return _("%(element)s (%(indicators)s)") % {
        "element": ELEMENT_LABELS[element],
        "indicators": separator.join(labels),
    }


def explain(suggestion: Suggestion) -> str:
    """One or two sentences: whose rule (adult or child), the elements found with their
    indicators, what is missing or weak, and the status it gives."""
    child = suggestion.child
    who = _("Child") if child else _("Adult")
    needed = required(child=child)
    present = [e for e in needed if suggestion.best(e) is not None]
    missing = [e for e in needed if suggestion.best(e) is None]
    found_text = _join([_element_phrase(suggestion, e) for e in present])
    names = {e: str(ELEMENT_LABELS[e]) for e in Element}
    if missing:
        if present:
            sentence = _(
                "%(who)s: %(found)s found, but no indicator of %(missing)s: not a victim of "
                "trafficking on these answers."
            ) % {"who": who, "found": found_text, "missing": _join([names[e] for e in missing])}
        else:
            sentence = _(
                "%(who)s: no indicator of %(missing)s found: not a victim of trafficking on "
                "these answers."
            ) % {"who": who, "missing": _join([names[e] for e in missing])}
        if not child and Element.MEANS in missing:
            sentence += " " + _(
                "For an adult, act, means and purpose are all required (Palermo Protocol, "
                "art. 3(a))."
            )
    elif suggestion.status == TraffickingStatus.ACTUAL:
        sentence = _(
            "%(who)s: %(found)s found, each with a strong indicator: actual victim of trafficking."
        ) % {"who": who, "found": found_text}
    elif suggestion.status == TraffickingStatus.POSSIBLE:
        weaker = [names[e] for e in needed if suggestion.best(e) != STRONG]
        sentence = _(
            "%(who)s: %(found)s found, but %(weaker)s only through medium or weak indicators: "
            "possible victim of trafficking."
        ) % {"who": who, "found": found_text, "weaker": _join(weaker)}
    else:
        sentence = _(
            "%(who)s: only weak indicators found (%(found)s): they point to vulnerability, "
            "not to trafficking: not a victim of trafficking on these answers."
        ) % {"who": who, "found": found_text}
    if child:
        sentence += " " + _("For a child, no means is required (Palermo Protocol, art. 3(c)).")
    return sentence
