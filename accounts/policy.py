"""The one access policy: for each kind of record, who may list, view, create, change
and export it, and which records are in the user's scope.

Every view, export, report and task asks here. A role that may not use a kind of record
at all gets 403; a record outside the user's scope answers 404, so nobody learns what
exists. Later features add their kinds to RULES and SCOPES.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from accounts.roles import ALL_ROLES, CASE_ROLES, STAFF_ROLES, Role


class Action(StrEnum):
    LIST = "list"
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    EXPORT = "export"


MANAGERS = frozenset({Role.ADMIN, Role.MNE})

RULES: dict[str, dict[Action, frozenset[Role]]] = {
    # The partner directory. A partner focal point keeps its own organisation's entry
    # (services, capacity, hours) up to date.
    "organisation": {
        Action.LIST: ALL_ROLES,
        Action.VIEW: ALL_ROLES,
        Action.CREATE: frozenset({Role.ADMIN}),
        Action.CHANGE: frozenset({Role.ADMIN, Role.PARTNER}),
    },
    # Donors: the programme side's reference list. Caseworkers have no use for it (a
    # project's page names its donor), so it is not theirs.
    "donor": {
        Action.LIST: STAFF_ROLES - {Role.CASEWORKER},
        Action.VIEW: STAFF_ROLES - {Role.CASEWORKER},
        Action.CREATE: MANAGERS,
        Action.CHANGE: MANAGERS,
    },
    # Projects: the list of every project is the programme side's. Caseworkers still view
    # them: their home page lists the projects running in their organisation, with links to
    # their pages.
    "project": {
        Action.LIST: STAFF_ROLES - {Role.CASEWORKER},
        Action.VIEW: STAFF_ROLES,
        Action.CREATE: MANAGERS,
        Action.CHANGE: MANAGERS,
    },
    # Case files: caseworkers see the cases they are assigned to, supervisors all of their
    # organisation's. Nobody else, superusers included, reaches a case-level page.
    "case": {
        Action.LIST: CASE_ROLES,
        Action.VIEW: CASE_ROLES,
        Action.CREATE: CASE_ROLES,
        Action.CHANGE: CASE_ROLES,
        Action.EXPORT: CASE_ROLES,
    },
    # Supervising: approve closures, reopen, reassign, import in bulk.
    "case_supervision": {
        Action.LIST: frozenset({Role.SUPERVISOR}),
        Action.VIEW: frozenset({Role.SUPERVISOR}),
        Action.CHANGE: frozenset({Role.SUPERVISOR}),
        Action.CREATE: frozenset({Role.SUPERVISOR}),
    },
    # A file of cases imported in the background: the supervisor who imported it follows it
    # (its report may quote the file's cells), nobody else.
    "case_import": {
        Action.VIEW: frozenset({Role.SUPERVISOR}),
        Action.CREATE: frozenset({Role.SUPERVISOR}),
    },
    # A case's audit history: supervisors and administrators of the owning organisation.
    "case_history": {
        Action.VIEW: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    },
    # Screenings (identification interviews): the case team of the organisation that
    # screened the person. Caseworkers reach all of their organisation's, not only their
    # own: a team at a border post screens and a colleague decides or opens the case. Most
    # hold no name (an anonymous code); the identity of a person whose case is opened moves
    # to the case file, where only the assigned caseworkers reach it.
    "screening": {
        Action.LIST: CASE_ROLES,
        Action.VIEW: CASE_ROLES,
        Action.CREATE: CASE_ROLES,
        Action.CHANGE: CASE_ROLES,
    },
    # Deciding (and revising) a screening's trafficking status. Its own kind so that an
    # organisation's SOP can narrow it (to supervisors, say) without touching screening;
    # the country's SOP on who may decide "actual" is in screening/sop.py.
    "screening_decision": {
        Action.CHANGE: CASE_ROLES,
    },
    # Referrals as the referring side sees them: the case team.
    "referral": {
        Action.LIST: CASE_ROLES,
        Action.VIEW: CASE_ROLES,
        Action.CREATE: CASE_ROLES,
        Action.CHANGE: CASE_ROLES,
    },
    # Referrals as the receiving partner sees them: its inbox, never the case.
    "referral_inbox": {
        Action.LIST: frozenset({Role.PARTNER}),
        Action.VIEW: frozenset({Role.PARTNER}),
        Action.CHANGE: frozenset({Role.PARTNER}),
    },
    # Aggregate referral statistics (small counts suppressed outside the case team).
    "referral_statistics": {
        Action.VIEW: frozenset({Role.SUPERVISOR, Role.MNE, Role.MINISTRY, Role.ADMIN}),
    },
    # The SOP's referral pathways.
    "pathway": {
        Action.LIST: frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN}),
        Action.VIEW: frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN}),
        Action.CREATE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
        Action.CHANGE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    },
    # Trainings: programme officers record their organisation's sessions; M&E reads all.
    "training": {
        Action.LIST: frozenset({Role.PROGRAMME, Role.MNE}),
        Action.VIEW: frozenset({Role.PROGRAMME, Role.MNE}),
        Action.CREATE: frozenset({Role.PROGRAMME}),
        Action.CHANGE: frozenset({Role.PROGRAMME}),
        Action.EXPORT: frozenset({Role.PROGRAMME, Role.MNE}),
    },
    # A session's participant register (personal data): programme staff of the organiser.
    "training_register": {
        Action.VIEW: frozenset({Role.PROGRAMME}),
        Action.CREATE: frozenset({Role.PROGRAMME}),
        Action.CHANGE: frozenset({Role.PROGRAMME}),
    },
    # Totals of people reached; ministry focal points see these only.
    "training_totals": {
        Action.VIEW: frozenset({Role.PROGRAMME, Role.MNE, Role.MINISTRY, Role.ADMIN}),
    },
    # National action plans: read by M&E, ministry, programme and administrators; progress
    # recorded by M&E, ministry focal points and administrators.
    "action_plan": {
        Action.LIST: frozenset({Role.MNE, Role.MINISTRY, Role.PROGRAMME, Role.ADMIN}),
        Action.VIEW: frozenset({Role.MNE, Role.MINISTRY, Role.PROGRAMME, Role.ADMIN}),
        Action.CHANGE: frozenset({Role.MNE, Role.MINISTRY, Role.ADMIN}),
    },
    # Indicator values entered by hand.
    "indicator": {
        Action.CHANGE: frozenset({Role.MNE, Role.ADMIN}),
    },
    # Report runs and their files: M&E and administrators; ministry focal points read the
    # action-plan and operational reports of their country.
    "report_run": {
        Action.LIST: frozenset({Role.MNE, Role.ADMIN, Role.MINISTRY}),
        Action.VIEW: frozenset({Role.MNE, Role.ADMIN, Role.MINISTRY}),
        Action.EXPORT: frozenset({Role.MNE, Role.ADMIN, Role.MINISTRY}),
        Action.CREATE: frozenset({Role.MNE, Role.ADMIN}),
    },
    # The anonymised CTDC dataset.
    "ctdc": {
        Action.EXPORT: frozenset({Role.MNE}),
    },
    # The national dashboard (aggregates only, small counts suppressed).
    "dashboard": {
        Action.VIEW: frozenset({Role.MINISTRY, Role.MNE, Role.ADMIN}),
    },
    # Reference data created as a side effect of an import (organisations, projects,
    # regions named in a file but not yet known): administrators only.
    "reference_data": {
        Action.CREATE: frozenset({Role.ADMIN}),
    },
    "user": {
        Action.LIST: frozenset({Role.ADMIN}),
        Action.VIEW: frozenset({Role.ADMIN}),
        Action.CREATE: frozenset({Role.ADMIN}),
        Action.CHANGE: frozenset({Role.ADMIN}),
    },
    # Personal access tokens of the API: every user keeps their own (a token acts as its
    # user, with at most the user's rights).
    "api_token": {
        Action.LIST: ALL_ROLES,
        Action.CREATE: ALL_ROLES,
        Action.CHANGE: ALL_ROLES,
    },
    # Webhook subscriptions of the organisation's systems: its administrators.
    "webhook": {
        Action.LIST: frozenset({Role.ADMIN}),
        Action.CREATE: frozenset({Role.ADMIN}),
        Action.CHANGE: frozenset({Role.ADMIN}),
    },
    # Who may be assigned to work a case (made primary caseworker, added to the team).
    "case_assignee": {
        Action.CHANGE: frozenset({Role.CASEWORKER}),
    },
    # An organisation's whole record (name, type, regions, flags), beyond the directory
    # fields its partner focal point keeps up to date.
    "organisation_record": {
        Action.CHANGE: frozenset({Role.ADMIN}),
    },
    # Sending a referral without the person's consent, in an emergency: the case team, and
    # only a person the organisation designated (see DESIGNATIONS).
    "referral_consent_override": {
        Action.CHANGE: CASE_ROLES,
    },
}

# Rules that need a designation on top of the role: a named person, given the Django
# permission in the admin by the organisation's operator.
DESIGNATIONS: dict[str, str] = {
    "referral_consent_override": "referrals.override_referral_consent",
}


# Kinds that hold a victim's identity or story: need to know, so a superuser's status
# gives no access; only the roles named in RULES do.
CASE_LEVEL_KINDS = frozenset(
    {
        "case",
        "case_supervision",
        "case_import",
        "case_history",
        "case_assignee",
        "referral",
        "referral_inbox",
        "referral_consent_override",
        "training_register",
        "screening",
        "screening_decision",
    }
)


def _bypasses(user: Any, kind: str) -> bool:
    return user.is_superuser and kind not in CASE_LEVEL_KINDS


def can(user: Any, kind: str, action: Action) -> bool:
    """May this user perform `action` on records of `kind` at all?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if _bypasses(user, kind):
        return True
    allowed = RULES[kind].get(action, frozenset())
    if not user.roles & allowed:
        return False
    designation = DESIGNATIONS.get(kind)
    return designation is None or user.has_perm(designation)


# Scopes: which records of a kind the user may reach for an action. A superuser reaches
# all. A kind without a scope function is shared reference data.
def _organisation_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    if action in (Action.LIST, Action.VIEW, Action.CREATE):
        return qs
    return qs.filter(pk=user.organisation_id)


def _project_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    if action in (Action.LIST, Action.VIEW, Action.CREATE):
        return qs
    return qs.filter(organisations=user.organisation_id).distinct()


def _user_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    # Superusers are operators, outside every organisation administrator's reach: an
    # administrator who could change a superuser's email could take the account over.
    return qs.filter(organisation=user.organisation_id, is_superuser=False)


def _case_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    qs = qs.filter(organisation=user.organisation_id)
    if Role.SUPERVISOR in user.roles:
        return qs
    # A caseworker reaches the cases they are assigned to (the one in charge is always
    # among the assigned). The policy sits below the apps whose records it scopes, so it
    # reaches their models through the querysets it is given, never by importing them.
    assigned = qs.model.caseworkers.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(Exists(assigned))


def _organisation_cases(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    return qs.filter(organisation=user.organisation_id)


def _own_imports(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    return qs.filter(created_by=user.pk, organisation=user.organisation_id)


def _referral_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    """The referrals of the cases the user may see."""
    cases = qs.model._meta.get_field("case").related_model.objects.all()
    return qs.filter(case__in=_case_scope(user, action, cases))


def _inbox_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    """Referrals sent to the partner's own organisation: never a draft, nor a draft that was
    cancelled before it was sent."""
    return qs.filter(to_organisation=user.organisation_id, sent_at__isnull=False)


def _pathway_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    return qs.filter(country=user.organisation.country.code) if user.organisation_id else qs.none()


def _training_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    if action in (Action.LIST, Action.VIEW, Action.EXPORT) and Role.MNE in user.roles:
        return qs
    if action in (Action.LIST, Action.VIEW, Action.EXPORT):
        co_organised = qs.model.partners.through.objects.filter(
            trainingsession_id=OuterRef("pk"), organisation_id=user.organisation_id
        )
        return qs.filter(Q(organiser=user.organisation_id) | Exists(co_organised))
    return qs.filter(organiser=user.organisation_id)


def _register_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    return qs.filter(organiser=user.organisation_id)


def _totals_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    """M&E and administrators see all sessions' totals; programme officers and ministry
    focal points those of their organisation's country."""
    countries = statistics_countries(user, "training_totals")
    return qs if countries is None else qs.filter(country__in=countries)


def _plan_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    if not user.organisation_id:
        return qs.none()
    return qs.filter(country=user.organisation.country.code)


def _run_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    """M&E and administrators reach every run; ministry focal points the operational and
    action-plan reports of their country (never a donor report)."""
    countries = statistics_countries(user, "report_run")
    if countries is None:
        return qs
    # Action plans live in the same app as report runs (reports/), above the policy.
    ActionPlan = apps.get_model(qs.model._meta.app_label, "ActionPlan")
    plans = ActionPlan.objects.filter(country__in=countries).values_list("code", flat=True)
    return qs.filter(
        Q(kind="operational", parameters_key__in=[f"country={c}" for c in sorted(countries)])
        | Q(kind="nap", parameters_key__in=[f"plan={code}" for code in plans])
    )


# Aggregate figures (counts about victims, people trained) go beyond the case team: which
# countries' figures each role sees. A ministry focal point watches its own country only, on
# every page and in every file: the dashboard, referral statistics, report runs, training
# totals, a project's figures. M&E officers and administrators work across the countries
# their organisation covers (regional offices), as before.
ALL_COUNTRIES = "all"
OWN_COUNTRY = "own"
AGGREGATE_REACH: dict[str, dict[Role, str]] = {
    "dashboard": {Role.MNE: ALL_COUNTRIES, Role.ADMIN: ALL_COUNTRIES, Role.MINISTRY: OWN_COUNTRY},
    "referral_statistics": {
        Role.SUPERVISOR: OWN_COUNTRY,
        Role.MNE: OWN_COUNTRY,
        Role.MINISTRY: OWN_COUNTRY,
        Role.ADMIN: OWN_COUNTRY,
    },
    "training_totals": {
        Role.PROGRAMME: OWN_COUNTRY,
        Role.MNE: ALL_COUNTRIES,
        Role.ADMIN: ALL_COUNTRIES,
        Role.MINISTRY: OWN_COUNTRY,
    },
    "report_run": {Role.MNE: ALL_COUNTRIES, Role.ADMIN: ALL_COUNTRIES, Role.MINISTRY: OWN_COUNTRY},
    # A project's indicators (victim figures) on its page.
    "project": {
        **dict.fromkeys(STAFF_ROLES - {Role.MINISTRY}, ALL_COUNTRIES),
        Role.MINISTRY: OWN_COUNTRY,
    },
}


def statistics_countries(user: Any, kind: str) -> frozenset[str] | None:
    """The countries whose aggregate figures of `kind` this user may see: None for every
    country, an empty set for none. Selectors filter their figures by it; a country asked
    for outside it is not offered (and refused if forged)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if _bypasses(user, kind):
        return None
    reach = {AGGREGATE_REACH[kind].get(role) for role in user.roles}
    if ALL_COUNTRIES in reach:
        return None
    if OWN_COUNTRY in reach and user.organisation_id:
        return frozenset({user.organisation.country.code})
    return frozenset()


def _indicator_scope(user: Any, action: Action, qs: QuerySet) -> QuerySet:
    """Values are entered on an indicator of an action plan the user may read (M&E,
    ministry, administrators of its country) or of a project the user may change."""
    plans = _related_model(qs.model, "plan")._default_manager.all()
    projects = _related_model(qs.model, "project")._default_manager.all()
    return qs.filter(
        Q(plan__in=scope(user, "action_plan", Action.VIEW, plans))
        | Q(project__in=scope(user, "project", Action.CHANGE, projects))
    )


SCOPES: dict[str, Callable[[Any, Action, QuerySet], QuerySet]] = {
    "organisation": _organisation_scope,
    "project": _project_scope,
    "user": _user_scope,
    "case": _case_scope,
    "case_supervision": _organisation_cases,
    "case_import": _own_imports,
    "case_history": _organisation_cases,
    "referral": _referral_scope,
    "referral_inbox": _inbox_scope,
    "pathway": _pathway_scope,
    "training": _training_scope,
    "training_register": _register_scope,
    "training_totals": _totals_scope,
    "action_plan": _plan_scope,
    "report_run": _run_scope,
    "indicator": _indicator_scope,
    "webhook": _organisation_cases,
    "screening": _organisation_cases,
    "screening_decision": _organisation_cases,
}


def scope(user: Any, kind: str, action: Action, qs: QuerySet) -> QuerySet:
    """The records of `qs` this user may reach for `action`; empty if none."""
    if not can(user, kind, action):
        return qs.none()
    if _bypasses(user, kind) or kind not in SCOPES:
        return qs
    return SCOPES[kind](user, action, qs)


def get_for_user_or_404(user: Any, kind: str, action: Action, qs: QuerySet, **lookup: Any) -> Model:
    try:
        return scope(user, kind, action, qs).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404 from None


def get_child_or_404(
    user: Any,
    kind: str,
    action: Action,
    qs: QuerySet,
    *,
    via: str,
    pk: Any,
) -> Model:
    """A record reached through its parent (a case's consent, an action point's progress):
    found only when the parent is in the user's scope of `kind` for `action`, in one query,
    so a record outside the scope answers 404 without ever being loaded.

    `via` names the parent relation of `qs.model` ("case", "action_point__plan")."""
    parent_qs = _related_model(qs.model, via)._default_manager.all()
    try:
        return qs.get(pk=pk, **{f"{via}__in": scope(user, kind, action, parent_qs)})
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _related_model(model: type[Model], path: str) -> type[Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def require(kind: str, action: Action) -> Callable:
    """View decorator: signed in, and the role may `action` records of `kind`, or 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, kind, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can_on(user: Any, kind: str, action: Action, obj: Model) -> bool:
    """May this user perform `action` on this very record?"""
    return scope(user, kind, action, type(obj).objects.filter(pk=obj.pk)).exists()
