"""Reads of case files, always through the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import log_read
from accounts.models import AuditEntry, User
from accounts.policy import Action, can, get_child_or_404, get_for_user_or_404, scope
from cases import history
from cases.models import (
    Assessment,
    Case,
    CaseDocument,
    CaseNote,
    ClosureRequest,
    Consent,
    DuplicateFlag,
    FollowUp,
    LegalProceeding,
    ServiceDelivery,
    StatusChange,
)
from cases.services import identity
from partners.models import Organisation
from traffick_cm import codebooks as v
from traffick_cm.fields import ChoiceListField

SORTS = {
    "updated": "-updated_at",
    "identified": "-identified_on",
    "number": "case_number",
}


def cases_for(actor: User, action: Action = Action.LIST) -> QuerySet[Case]:
    return scope(actor, "case", action, Case.objects.all())


def case_list(*, actor: User, criteria: dict[str, Any], today: date) -> QuerySet[Case]:
    qs = cases_for(actor)
    view = criteria.get("view") or "team"
    if view == "mine":
        assigned = Case.caseworkers.through.objects.filter(case_id=OuterRef("pk"), user_id=actor.pk)
        qs = qs.filter(Exists(assigned))
    elif view == "follow_ups":
        due = FollowUp.objects.filter(
            case_id=OuterRef("pk"), done_on__isnull=True, due_on__lte=today + timedelta(days=7)
        )
        qs = qs.filter(Exists(due))
    number = (criteria.get("number") or "").strip()
    if number:
        qs = qs.filter(case_number__in=case_number_spellings(number))
    q = (criteria.get("q") or "").strip()
    if q:
        # Case numbers are upper case: an exact match uses the unique index.
        by_number = qs.filter(case_number__in=case_number_spellings(q))
        qs = by_number if by_number.exists() else identity.cases_matching_name(qs, q)
    for field in ("status", "trafficking_status", "sex"):
        if criteria.get(field):
            qs = qs.filter(**{field: criteria[field]})
    if criteria.get("exploitation_type"):
        qs = qs.filter(
            exploitation_types__contains=ChoiceListField.has(criteria["exploitation_type"])
        )
    if criteria.get("citizenship"):
        qs = qs.filter(citizenships__contains=ChoiceListField.has(criteria["citizenship"]))
    if criteria.get("age_group"):
        for code, _label, low, high in v.AGE_GROUPS:
            if code == criteria["age_group"]:
                qs = qs.filter(age_at_identification__gte=low, age_at_identification__lte=high)
    if criteria.get("region"):
        qs = qs.filter(identified_region=criteria["region"])
    if criteria.get("caseworker"):
        member = Case.caseworkers.through.objects.filter(
            case_id=OuterRef("pk"), user_id=criteria["caseworker"].pk
        )
        qs = qs.filter(Exists(member))
    if criteria.get("identified_from"):
        qs = qs.filter(identified_on__gte=criteria["identified_from"])
    if criteria.get("identified_to"):
        qs = qs.filter(identified_on__lte=criteria["identified_to"])
    for flag in ("is_child", "unaccompanied_child", "urgent_medical_need", "security_risk"):
        if flag in (criteria.get("flags") or []):
            qs = qs.filter(**{flag: True})
    order = SORTS.get(criteria.get("sort") or "updated", "-updated_at")
    return qs.select_related("person", "identified_region", "primary_caseworker").order_by(
        order, "-pk"
    )


def case_number_spellings(number: str) -> list[str]:
    """A number as stored, and as written before numbers lost their doubled prefix (a
    paper file may still say CF-CF-2026-00015 for CF-2026-00015)."""
    number = number.strip().upper()
    parts = number.split("-")
    if len(parts) == 4 and parts[0] == parts[1]:
        return [number, "-".join(parts[1:])]
    return [number]


def _count(records: QuerySet) -> Coalesce:
    """How many of a case's records there are, as a column of the case's own query."""
    counted = records.filter(case=OuterRef("pk")).order_by().values("case")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def case_for_view(*, actor: User, pk: int) -> Case:
    """The case file, with everything its page shows, in a fixed number of queries; the
    read is audited.

    The sections a caseworker seldom opens (documents, legal proceedings, status history)
    come as counts in the case's own query and load with `case_section`. The pending closure
    request (one at most, by a constraint) is joined to the case, and each possible duplicate
    carries whether this user may open the other case: no query of their own. Nothing the
    page does not show is joined: each join of the case's query added 0.1 to 0.9 ms of
    PostgreSQL's planning (2.6 ms in all with eight), which prepared statements pay only on
    a connection's first runs."""
    qs = (
        Case.objects.annotate(
            pending_closure=FilteredRelation(
                "closure_requests",
                condition=Q(closure_requests__decision=ClosureRequest.Decision.PENDING),
            ),
            document_count=_count(CaseDocument.objects.all()),
            legal_count=_count(LegalProceeding.objects.all()),
            status_change_count=_count(StatusChange.objects.all()),
        )
        .select_related(
            "person",
            "organisation",
            "identified_region",
            "referring_organisation",
            "project",
            "pending_closure__requested_by",
        )
        .prefetch_related(
            "caseworkers",
            "events",
            Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
            Prefetch("assessments", queryset=Assessment.objects.select_related("assessed_by")),
            "support_plans",
            Prefetch(
                "services", queryset=ServiceDelivery.objects.select_related("provider", "project")
            ),
            Prefetch("notes", queryset=CaseNote.objects.select_related("author")),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("assigned_to")),
            Prefetch(
                "duplicate_flags",
                queryset=DuplicateFlag.objects.select_related("other_case__organisation").annotate(
                    other_case_reachable=_reachable(actor)
                ),
            ),
            # Referrals belong to the app above cases: reached through the relation.
            Prefetch(
                "referrals",
                queryset=Case.referrals.rel.related_model.objects.select_related("to_organisation"),
            ),
        )
    )
    case = get_for_user_or_404(actor, "case", Action.VIEW, qs, pk=pk)
    # The join sets the attribute only when it found a request.
    case.pending_closure = getattr(case, "pending_closure", None)
    log_read("cases.case.viewed", actor=actor, target=case)
    return case


def _reachable(actor: User) -> Exists:
    """Whether `actor` may open a duplicate flag's other case."""
    others = Case.objects.filter(pk=OuterRef("other_case_id"))
    return Exists(scope(actor, "case", Action.VIEW, others))


@dataclass(frozen=True)
class CaseSection:
    """A part of the case file loaded when it is opened: its heading, the case relation it
    lists, the template that lists it and its place on the case file's page."""

    heading: str
    relation: str | Prefetch
    template: str
    anchor: str


SECTIONS: dict[str, CaseSection] = {
    "documents": CaseSection(
        gettext_lazy("Documents"), "documents", "cases/_document_list.html", "documents"
    ),
    "legal": CaseSection(
        gettext_lazy("Legal proceedings"),
        "legal_proceedings",
        "cases/_legal_list.html",
        "legal",
    ),
    "status-history": CaseSection(
        gettext_lazy("Status history"),
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
        "cases/_status_history.html",
        "workflow",
    ),
}


def case_section(*, actor: User, pk: int, section: str) -> tuple[Case, CaseSection]:
    """A section of the case file that loads on demand, through the same policy as the
    page; its read is audited as a view of the case file, naming the section."""
    part = SECTIONS.get(section)
    if part is None:
        raise Http404
    qs = Case.objects.prefetch_related(part.relation)
    case = get_for_user_or_404(actor, "case", Action.VIEW, qs, pk=pk)
    log_read("cases.case.viewed", actor=actor, target=case, data={"section": section})
    return case, part


def case_for_change(*, actor: User, pk: int) -> Case:
    return get_for_user_or_404(
        actor, "case", Action.CHANGE, Case.objects.select_related("person"), pk=pk
    )


def document_for_download(*, actor: User, pk: int) -> CaseDocument:
    """A document of a case the user may view, or 404; the download is audited against the
    case, whose history is where a supervisor looks for who read what."""
    document = get_child_or_404(
        actor,
        "case",
        Action.VIEW,
        CaseDocument.objects.select_related("case"),
        via="case",
        pk=pk,
    )
    log_read(
        "cases.document.downloaded",
        actor=actor,
        target=document.case,
        data={"record": "casedocument", "id": document.pk},
    )
    return document


@dataclass(frozen=True)
class DuplicateNotice:
    """A possible earlier registration, as this user may see it: the other case's number
    only if the user may open it; another organisation's name only for a supervisor."""

    same_organisation: bool
    other_case: Case | None = None
    organisation: Organisation | None = None


def duplicate_notices(*, actor: User, case: Case) -> list[DuplicateNotice]:
    """The case's possible duplicates as this user may see them. The other cases are joined
    to their flags, which also leaves out a flag whose other case is gone (it has no foreign
    key in the database: DuplicateFlag)."""
    flags = list(case.duplicate_flags.all())
    if not flags:
        return []
    # case_for_view asked along with the flags; a case loaded otherwise asks here.
    if all(hasattr(flag, "other_case_reachable") for flag in flags):
        reachable = {flag.other_case_id for flag in flags if flag.other_case_reachable}
    else:
        flags = list(case.duplicate_flags.select_related("other_case__organisation"))
        reachable = set(
            scope(
                actor,
                "case",
                Action.VIEW,
                Case.objects.filter(pk__in=[flag.other_case_id for flag in flags]),
            ).values_list("pk", flat=True)
        )
    supervisor = can(actor, "case_supervision", Action.VIEW)
    notices = []
    for flag in flags:
        other = flag.other_case
        same = other.organisation_id == case.organisation_id
        notices.append(
            DuplicateNotice(
                same_organisation=same,
                other_case=other if other.pk in reachable else None,
                organisation=other.organisation if supervisor and not same else None,
            )
        )
    return notices


@dataclass(frozen=True)
class ConsentState:
    scope: str
    label: str
    current: Consent | None

    @property
    def granted(self) -> bool:
        return bool(self.current and self.current.granted and self.current.withdrawn_on is None)


def consent_state(consents: list[Consent]) -> list[ConsentState]:
    """The current consent per scope: the latest decision, unless withdrawn. Derived from
    the records every time, never stored as a flag."""
    latest: dict[str, Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.given_on, c.recorded_at, c.pk)):
        latest[consent.scope] = consent
    return [
        ConsentState(scope=scope, label=str(label), current=latest.get(scope))
        for scope, label in v.ConsentScope.choices
    ]


@dataclass(frozen=True)
class NextAction:
    """A useful next step on a case file: what to do, where, and why now."""

    key: str
    label: str
    url: str
    reason: str


# Where a case's path ends: closing is then the natural next step.
CLOSING_STATUSES = frozenset({v.CaseStatus.REINTEGRATION, v.CaseStatus.FOLLOW_UP})


def next_actions(*, actor: User, case: Case) -> list[NextAction]:
    """The next useful steps on the case file, for its state and what it lacks, most
    pressing first; each one only if the policy lets this user take it. Reads what
    case_for_view prefetched: no query of its own."""
    may_change = can(actor, "case", Action.CHANGE)
    may_supervise = can(actor, "case_supervision", Action.CHANGE)
    pending = case.pending_closure
    actions: list[NextAction] = []

    def add(key: str, label: str, url: str, reason: str) -> None:
        actions.append(NextAction(key=key, label=label, url=url, reason=reason))

    def record(kind: str, query: str = "") -> str:
        url = reverse("cases:record_add", kwargs={"pk": case.pk, "kind": kind})
        return f"{url}?{query}" if query else url

    if case.is_closed:
        if may_supervise:
            add(
                "reopen",
                _("Reopen the case"),
                reverse("cases:case_reopen", kwargs={"pk": case.pk}),
                _("The case is closed: nothing can be added until it is reopened."),
            )
        return actions

    if pending is not None and may_supervise:
        add(
            "decide_closure",
            _("Decide on the closure request"),
            "#workflow",
            _("A closure request awaits your approval."),
        )
    granted = {state.scope for state in consent_state(list(case.consents.all())) if state.granted}
    collecting = v.ConsentScope.DATA_COLLECTION in granted
    sharing = v.ConsentScope.REFERRAL in granted
    if may_change and not collecting:
        add(
            "record_consent",
            _("Record consent to data collection"),
            record("consent", f"scope={v.ConsentScope.DATA_COLLECTION}"),
            _("There is no current consent to data collection."),
        )
    elif may_change and not sharing:
        add(
            "record_consent",
            _("Record consent to share with partners"),
            record("consent", f"scope={v.ConsentScope.REFERRAL}"),
            _("Without it, a referral can be drafted but not sent."),
        )
    if collecting and may_change:
        if not case.assessments.all():
            add(
                "assess",
                _("Assess needs and risks"),
                record("assessment"),
                _("No assessment yet: the partner finder suggests partners for the needs."),
            )
        if sharing and can(actor, "referral", Action.CREATE):
            add(
                "refer",
                _("Refer to a partner"),
                reverse("referrals:referral_create", kwargs={"case_pk": case.pk}),
                _("The person consented to sharing with partners."),
            )
        if not any(f.done_on is None for f in case.follow_ups.all()):
            add(
                "follow_up",
                _("Plan a follow-up"),
                record("follow_up"),
                _("No follow-up is planned."),
            )
    if may_change and pending is None and case.status in CLOSING_STATUSES:
        add(
            "request_closure",
            _("Request closure"),
            reverse("cases:closure_request", kwargs={"pk": case.pk}),
            _("The case is in its last stage."),
        )
    return actions


def has_current_consent(case: Case, scope: str) -> bool:
    """For services (referrals) that must check consent with a query."""
    latest = case.consents.filter(scope=scope).order_by("-given_on", "-recorded_at", "-pk").first()
    return bool(latest and latest.granted and latest.withdrawn_on is None)


def case_history(*, actor: User, pk: int) -> tuple[Case, QuerySet]:
    """The case and its history lines, newest first (cases/history.py makes them sentences):
    the entries of the case file and of its referrals, one person's reads of a day in one
    line."""
    case = get_for_user_or_404(actor, "case_history", Action.VIEW, Case.objects.all(), pk=pk)
    referral_ids = (
        history.Referral.objects.filter(case=case)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    entries = AuditEntry.objects.filter(
        Q(target_type=history.CASE_TARGET, target_id=str(case.pk))
        | Q(target_type=history.REFERRAL_TARGET, target_id__in=referral_ids)
    )
    return case, history.grouped(entries)


def pending_closures(*, actor: User) -> QuerySet[ClosureRequest]:
    cases = scope(actor, "case_supervision", Action.LIST, Case.objects.all())
    return (
        ClosureRequest.objects.filter(decision=ClosureRequest.Decision.PENDING, case__in=cases)
        .select_related("case", "requested_by")
        .order_by("requested_at")
    )


def follow_ups_due(*, actor: User, today: date, within_days: int = 7) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(
            case__in=cases_for(actor),
            done_on__isnull=True,
            due_on__lte=today + timedelta(days=within_days),
        )
        .select_related("case", "assigned_to")
        .order_by("due_on")
    )


def status_counts(*, actor: User) -> dict[str, int]:
    rows = cases_for(actor).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}
