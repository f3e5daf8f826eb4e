"""Reads of screenings, always through the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.audit import log_read
from accounts.models import User
from accounts.policy import Action, can, can_on, get_for_user_or_404, scope
from screening import indicators, questions
from screening.forms import UNDECIDED
from screening.models import Screening, StatusDecision
from screening.questions import Answers
from screening.services import OPENS_A_CASE


def screenings_for(actor: User, action: Action = Action.LIST) -> QuerySet[Screening]:
    return scope(actor, "screening", action, Screening.objects.all())


def screening_list(*, actor: User, criteria: dict[str, Any]) -> QuerySet[Screening]:
    """The organisation's screenings, newest first, with the list's filters applied."""
    qs = screenings_for(actor).select_related("identified_region", "screened_by", "case")
    if month := criteria.get("month"):
        year, number = (int(part) for part in month.split("-"))
        qs = qs.filter(screened_at__year=year, screened_at__month=number)
    if place_type := criteria.get("place_type"):
        qs = qs.filter(place_type=place_type)
    if region := criteria.get("region"):
        qs = qs.filter(identified_region=region)
    if suggested := criteria.get("suggested"):
        qs = qs.filter(suggested_status=suggested)
    if decided := criteria.get("decided"):
        qs = qs.filter(status="" if decided == UNDECIDED else decided)
    return qs.order_by("-screened_at", "-pk")


@dataclass(frozen=True)
class Reading:
    """A screening as its page shows it: the indicators found by element, the suggestion
    and its reason, the decisions (newest first) and what the reader may do."""

    screening: Screening
    suggestion: indicators.Suggestion
    decisions: list[StatusDecision]
    can_change: bool
    can_decide: bool
    can_open_case: bool
    # The case opened from it, if the reader may open the case file.
    case_visible: bool = False

    @property
    def current(self) -> StatusDecision | None:
        return self.decisions[0] if self.decisions else None

    def elements(self) -> list[dict[str, Any]]:
        needed = indicators.required(child=self.suggestion.child)
        return [
            {
                "element": element,
                "label": indicators.ELEMENT_LABELS[element],
                "required": element in needed,
                "indicators": self.suggestion.in_element(element),
            }
            for element in indicators.Element
        ]

    def answered(self) -> list[tuple[Any, list[tuple[Any, str]]]]:
        """The questions answered, by section, with the answers in words."""
        screening = self.screening
        given = Answers(screening.answers)
        shown = []
        asked = questions.by_section(questions.questions(str(screening.identified_country)))
        for section, items in asked.items():
            rows = [
                (q.label, ", ".join(q.label_of(code) for code in given.listed(q.code)))
                for q in items
                if given.chosen(q.code)
            ]
            if rows:
                shown.append((questions.SECTION_LABELS[section], rows))
        return shown


def screening_for_view(*, actor: User, pk: int) -> Reading:
    """The screening's page; the read is audited (it may hold a name and an account)."""
    decisions = StatusDecision.objects.select_related("decided_by", "deciding_organisation")
    qs = Screening.objects.select_related(
        "organisation", "screened_by", "identified_region", "case"
    ).prefetch_related(Prefetch("decisions", queryset=decisions))
    screening = get_for_user_or_404(actor, "screening", Action.VIEW, qs, pk=pk)
    log_read("screening.screening.viewed", actor=actor, target=screening)
    suggestion = indicators.from_codes(screening.indicators, child=screening.is_child)
    decisions = list(screening.decisions.all())
    open_ = screening.case_id is None
    case_visible = not open_ and can_on(actor, "case", Action.VIEW, screening.case)
    return Reading(
        screening=screening,
        suggestion=suggestion,
        decisions=decisions,
        can_change=open_ and can(actor, "screening", Action.CHANGE),
        can_decide=open_ and can(actor, "screening_decision", Action.CHANGE),
        can_open_case=open_
        and bool(decisions)
        and decisions[0].status in OPENS_A_CASE
        and can(actor, "case", Action.CREATE),
        case_visible=case_visible,
    )


def screening_for_change(*, actor: User, pk: int) -> Screening:
    qs = Screening.objects.select_related("identified_region")
    return get_for_user_or_404(actor, "screening", Action.CHANGE, qs, pk=pk)


def screening_for_decision(*, actor: User, pk: int) -> Screening:
    return get_for_user_or_404(
        actor, "screening_decision", Action.CHANGE, Screening.objects.all(), pk=pk
    )
