"""`cases/`: the case files, scoped exactly as the case list and the case file pages, with
their consents, trafficking events, services delivered, notes and follow-ups.

Case and person fields carry their HTCDS v2.0 names where the codebook has one (the names
of the HTCDS import and export, cases/services/transfer.py); the person is nested under
`person`. Fields the codebook has no name for keep the app's own names. Input is checked by
the pages' own forms (registration, edit, exploitation, the record forms), whose field names
are translated from and to the API's.

Personal data is never kept in the idempotency store: a creation is remembered by the id of
what it created, and a replay answers that record as it is now."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.audit import log_read
from accounts.policy import Action, get_child_or_404, get_for_user_or_404
from api import forms as api_forms
from api.base import ResourceViewSet
from api.case_shapes import (
    CASE_KEYS,
    EXPLOITATION_KEYS,
    PARTS,
    REGISTER_KEYS,
    CaseChangeRequestSerializer,
    CaseListSerializer,
    CaseRegisterRequestSerializer,
    CaseSerializer,
    ConsentSerializer,
    FollowUpSerializer,
    Part,
    clean_named,
    form_data_named,
    renamed,
)
from api.mixins import ChangeMixin, create_once, created_response
from api.pagination import IdCursor
from api.problems import PreconditionFailed
from cases import forms as case_forms
from cases import selectors
from cases.models import Case, Consent, FollowUp
from cases.services import ConflictError, records
from cases.services import case as case_services
from traffick_cm import codebooks as v

# --- The resource -----------------------------------------------------------------------

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only the cases changed at or after this time (ISO 8601).",
)
PART_UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description=(
        "Records keep no change time of their own: every change to one changes its case. "
        "With this parameter, the case's records if the case changed at or after this time, "
        "none otherwise."
    ),
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The version (ETag) read: required (428 without, 412 if stale).",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="The same key and body within 24 hours answer the first result again.",
)


def _choices(choices) -> list[str]:
    return [str(code) for code, _label in choices]


FILTERS = [
    OpenApiParameter(
        "number",
        str,
        description="A case number (e.g. CF-2025-00012). Names are not "
        "searched through the API: they never go in an address.",
    ),
    OpenApiParameter("view", str, enum=["team", "mine", "follow_ups"]),
    OpenApiParameter("status", str, enum=_choices(v.CaseStatus.choices)),
    OpenApiParameter("trafficking_status", str, enum=_choices(v.TraffickingStatus.choices)),
    OpenApiParameter("exploitation_type", str, enum=_choices(v.ExploitationType.choices)),
    OpenApiParameter("sex", str, enum=_choices(v.Sex.choices)),
    OpenApiParameter("age_group", str, enum=[code for code, *_rest in v.AGE_GROUPS]),
    OpenApiParameter("citizenship", str, description="ISO 3166 country code."),
    OpenApiParameter("region", int, description="A region of the organisation's country."),
    OpenApiParameter("caseworker", int, description="A caseworker of the organisation."),
    OpenApiParameter("identified_from", OpenApiTypes.DATE),
    OpenApiParameter("identified_to", OpenApiTypes.DATE),
    OpenApiParameter(
        "flags",
        {"type": "array", "items": {"type": "string"}},
        enum=["is_child", "unaccompanied_child", "urgent_medical_need", "security_risk"],
        explode=True,
    ),
    UPDATED_SINCE,
]


def _part_schema(name: str, part: Part):
    """The list (GET) and create (POST) operations of a case's records."""
    many = part.serializer(many=True)
    return [
        extend_schema(
            methods=["GET"],
            summary=f"The case's {name}",
            parameters=[PART_UPDATED_SINCE],
            responses=many,
        ),
        extend_schema(
            methods=["POST"],
            summary=f"Add to the case's {name}",
            parameters=[IDEMPOTENCY_KEY],
            request=part.serializer,
            responses={201: part.serializer},
        ),
    ]


def _decorated_schema(name: str):
    """The GET and POST schemas of a case's records, on its action."""

    def decorate(function):
        for decorator in _part_schema(name, PARTS[name]):
            function = decorator(function)
        return function

    return decorate


def _closed_refused(case: Case) -> None:
    if case.is_closed:
        raise exceptions.ValidationError(
            {"non_field_errors": [_("This case is closed: reopen it before adding to it.")]}
        )


@extend_schema_view(
    list=extend_schema(
        summary="The cases the user may see, as the case list",
        parameters=FILTERS,
        responses=CaseListSerializer(many=True),
    ),
    retrieve=extend_schema(summary="A case file", responses=CaseSerializer),
    create=extend_schema(
        summary="Register a case",
        parameters=[IDEMPOTENCY_KEY],
        request=CaseRegisterRequestSerializer,
        responses={201: CaseSerializer},
    ),
    update=extend_schema(
        summary="Replace what the edit and exploitation pages change",
        parameters=[IF_MATCH],
        request=CaseChangeRequestSerializer,
        responses=CaseSerializer,
    ),
    partial_update=extend_schema(
        summary="Change what the edit and exploitation pages change",
        parameters=[IF_MATCH],
        request=CaseChangeRequestSerializer,
        responses=CaseSerializer,
    ),
)
class CaseViewSet(ChangeMixin, ResourceViewSet):
    """Case files: the case team of the owning organisation (caseworkers their assigned
    cases, supervisors all of the organisation's); nobody else, superusers included."""

    policy_kind = "case"
    policy_actions = {
        **{name.replace("-", "_"): ("case", Action.VIEW) for name in PARTS},
        "consent_withdraw": ("case", Action.CHANGE),
        "follow_up_done": ("case", Action.CHANGE),
    }
    queryset = Case.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        if self.action != "list":
            return selectors.cases_for(user, Action.VIEW)
        if "sort" in self.request.query_params:
            raise exceptions.ValidationError(
                {"sort": [_("Lists are in the order of their last change; sort is not offered.")]}
            )
        criteria = api_forms.query_filters(case_forms.CaseFilterForm, self.request, actor=user)
        if self.request.query_params.get("number") and not criteria.get("number"):
            raise exceptions.ValidationError(
                {"number": [_("Enter a case number, e.g. CF-2025-00012.")]}
            )
        criteria.pop("sort", None)
        return selectors.case_list(actor=user, criteria=criteria, today=timezone.localdate())

    def get_object(self):
        user, pk = self.request.user, self.kwargs["pk"]
        if self.action == "retrieve":
            # Audited as the case file page's read.
            return selectors.case_for_view(actor=user, pk=pk)
        return selectors.case_for_change(actor=user, pk=pk)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        listed = [row["id"] for row in response.data["results"]]
        if listed:
            log_read("cases.case.listed", actor=request.user, data={"cases": listed, "via": "api"})
        return response

    # Creation ---------------------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        return create_once(
            request,
            make=lambda: self.add(request.data),
            created=lambda case: created_response(
                case, request.build_absolute_uri(f"/api/v1/cases/{case.pk}/")
            ),
            # Read back as the case page reads it (audited, with its relations).
            load=lambda pk: selectors.case_for_view(actor=request.user, pk=pk),
            render=lambda case: CaseSerializer(case, context={"request": request}).data,
            reload=True,
        )

    def add(self, data) -> Case:
        user = self.request.user
        keys = {**CASE_KEYS, "vic_TypeOfExploitation": "exploitation_types", **REGISTER_KEYS}
        values = form_data_named(data, case_keys=keys, current_languages=[])
        # A field left out is what the page's form offers before anything is typed (the
        # model's default: trafficking status "possible", risk level "medium").
        blank = case_forms.CaseRegisterForm(actor=user)
        for name, field in blank.fields.items():
            initial = blank.get_initial_for_field(field, name)
            if name != "submission_token" and initial not in (None, "", [], False):
                values.setdefault(name, initial)
        cleaned = clean_named(case_forms.CaseRegisterForm, values, actor=user)
        case_data = {k: cleaned[k] for k in case_forms.CASE_FORM_FIELDS if k in cleaned}
        case_data["exploitation_types"] = cleaned["exploitation_types"]
        try:
            return case_services.case_register(
                actor=user,
                case_data=case_data,
                person_data={k: cleaned[k] for k in case_forms.PERSON_FORM_FIELDS if k in cleaned},
                sex=cleaned["sex"],
                citizenships=cleaned["citizenships"],
                consent_given_by=cleaned["consent_given_by"],
                consent_method=cleaned["consent_method"],
                consent_given_on=cleaned["consent_given_on"],
            )
        except ValidationError as error:
            raise renamed(api_forms.service_errors(error)) from None

    # Change -----------------------------------------------------------------------------

    def change(self, instance: Case, data, *, partial: bool) -> Case:
        """Through the edit page's form and the exploitation page's form, in one change of
        the case service, checked against the version the If-Match named."""
        user = self.request.user
        current_languages = list(instance.person.languages) if partial else []
        values = form_data_named(
            data, case_keys={**CASE_KEYS, **EXPLOITATION_KEYS}, current_languages=current_languages
        )
        exploitation_fields = set(EXPLOITATION_KEYS.values())
        changes: dict[str, Any] = {}
        loaded: dict[str, Any] = {}
        edit = {k: x for k, x in values.items() if k not in exploitation_fields}
        exploitation = {k: x for k, x in values.items() if k in exploitation_fields}
        for form_class, wanted in (
            (case_forms.CaseEditForm, edit),
            (case_forms.ExploitationForm, exploitation),
        ):
            if partial and not wanted:
                continue
            initial = form_class.initial_for(instance)
            given = (
                {**initial, **wanted}
                if partial
                else {
                    **wanted,
                    "version": initial["version"],
                    "loaded": initial["loaded"],
                }
            )
            kwargs = {"actor": user} if form_class is case_forms.CaseEditForm else {}
            cleaned = clean_named(form_class, given, initial=initial, **kwargs)
            for name in initial:
                if name not in ("version", "loaded"):
                    changes[name] = cleaned.get(name)
                    loaded[name] = initial[name]
        if changes:
            try:
                case_services.case_update(
                    actor=user,
                    case=instance,
                    expected_version=instance.version,
                    loaded=loaded,
                    changes=changes,
                )
            except ConflictError:
                now = Case.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
                raise PreconditionFailed(version=str(now)) from None
            except ValidationError as error:
                raise renamed(api_forms.service_errors(error)) from None
        return selectors.case_for_view(actor=user, pk=instance.pk)

    # The records of a case file ---------------------------------------------------------

    def _records(self, request, pk, name: str) -> Response:
        part = PARTS[name]
        if request.method == "POST":
            return self._record_add(request, pk, part)
        user = request.user
        case = get_for_user_or_404(user, "case", Action.VIEW, Case.objects.all(), pk=pk)
        qs = part.model.objects.filter(case=case)
        # Records keep no change time; each change touches the case's.
        since = self.updated_since()
        if since is not None and case.updated_at < since:
            qs = qs.none()
        paginator = IdCursor()
        page = paginator.paginate_queryset(qs, request, view=self)
        if page:
            log_read(
                "cases.case.viewed",
                actor=user,
                target=case,
                data={"records": name, "via": "api"},
            )
        return paginator.get_paginated_response(part.serializer(page, many=True).data)

    def _record_add(self, request, pk, part: Part) -> Response:
        user = request.user

        def make():
            case = selectors.case_for_change(actor=user, pk=pk)
            _closed_refused(case)
            data = request.data
            if part.model is Consent and isinstance(data, dict) and "granted" not in data:
                raise exceptions.ValidationError(
                    {"granted": [_("Say whether consent was granted: true or false.")]}
                )
            kwargs = {"case": case} if part.needs_case else {}
            cleaned = api_forms.clean(part.form, data, **kwargs)
            try:
                return part.save(actor=user, case=case, **cleaned)
            except ValidationError as error:
                raise api_forms.service_errors(error) from None

        def load(record_pk):
            return get_child_or_404(
                user,
                "case",
                Action.VIEW,
                part.model.objects.filter(case_id=pk),
                via="case",
                pk=record_pk,
            )

        return create_once(
            request,
            make=make,
            created=created_response,
            load=load,
            render=lambda record: part.serializer(record).data,
        )

    @_decorated_schema("consents")
    @action(detail=True, methods=["get", "post"], url_path="consents", url_name="consents")
    def consents(self, request, pk=None):
        return self._records(request, pk, "consents")

    @_decorated_schema("events")
    @action(detail=True, methods=["get", "post"], url_path="events", url_name="events")
    def events(self, request, pk=None):
        return self._records(request, pk, "events")

    @_decorated_schema("services")
    @action(detail=True, methods=["get", "post"], url_path="services", url_name="services")
    def services(self, request, pk=None):
        return self._records(request, pk, "services")

    @_decorated_schema("notes")
    @action(detail=True, methods=["get", "post"], url_path="notes", url_name="notes")
    def notes(self, request, pk=None):
        return self._records(request, pk, "notes")

    @_decorated_schema("follow-ups")
    @action(detail=True, methods=["get", "post"], url_path="follow-ups", url_name="follow-ups")
    def follow_ups(self, request, pk=None):
        return self._records(request, pk, "follow-ups")

    # What the page does to one record ---------------------------------------------------

    @extend_schema(
        summary="Withdraw a consent (also on a closed case)",
        request=None,
        parameters=[OpenApiParameter("consent_pk", int, OpenApiParameter.PATH)],
        responses=ConsentSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"consents/(?P<consent_pk>[0-9]+)/withdraw",
        url_name="consent-withdraw",
    )
    def consent_withdraw(self, request, pk=None, consent_pk=None):
        consent = self._record_to_change(Consent, pk, consent_pk)
        try:
            consent = records.consent_withdraw(
                actor=request.user, consent=consent, withdrawn_on=timezone.localdate()
            )
        except ValidationError as error:
            raise api_forms.service_errors(error) from None
        return Response(ConsentSerializer(consent).data)

    @extend_schema(
        summary="Mark a follow-up done today",
        request=None,
        parameters=[OpenApiParameter("follow_up_pk", int, OpenApiParameter.PATH)],
        responses=FollowUpSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"follow-ups/(?P<follow_up_pk>[0-9]+)/done",
        url_name="follow-up-done",
    )
    def follow_up_done(self, request, pk=None, follow_up_pk=None):
        follow_up = self._record_to_change(FollowUp, pk, follow_up_pk)
        try:
            follow_up = records.follow_up_done(
                actor=request.user, follow_up=follow_up, done_on=timezone.localdate()
            )
        except ValidationError as error:
            raise api_forms.service_errors(error) from None
        return Response(FollowUpSerializer(follow_up).data)

    def _record_to_change(self, model: type, case_pk, record_pk):
        """A record of this case, the case in the user's scope to change, or 404."""
        return get_child_or_404(
            self.request.user,
            "case",
            Action.CHANGE,
            model.objects.select_related("case").filter(case_id=case_pk),
            via="case",
            pk=record_pk,
        )


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("cases", CaseViewSet, basename="case")
