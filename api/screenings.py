"""`screenings/` and `screening-questions/`: the identification interviews of the user's
organisation, for the field app that records them offline and sends them once it has a
connection. Scoped, checked and changed as on the screening pages: the interview through the
page's form (screening/forms.py), every change through screening/services.py. What they
take and answer is in api/screening_shapes.py.

- `screening-questions/?country=CF`: the interview asked in a country (sections, questions,
  answer codes, labels in the request's language) and the version of the indicator catalogue
  (`rule_version`) the answers are read with, so that an offline form knows what it showed.
- A screening's answers are keyed by question code under `answers`; a refused answer is
  named `answers.<code>`. A question the country does not ask takes no answer.
- POST takes the field app's `submission_token` (a UUID made on the phone): sent again after
  a lost connection, it answers the screening the first sending recorded and records nothing
  new. `Idempotency-Key` works as on every POST.
- A list holds no name and no account; the detail holds them and is audited as the
  screening page's read (`screening.screening.viewed`).
- A step the screening's state does not allow (a change or a decision once a case was opened
  from it, a case before a decision that the person is a possible or actual victim) is a 409
  problem; a refused input a 400, with the page's messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import submissions
from accounts.policy import Action, can, can_on
from api import forms as api_forms
from api.base import ResourceViewSet
from api.cases import IDEMPOTENCY_KEY, IF_MATCH
from api.mixins import ChangeMixin, create_once, created_response, version_of
from api.problems import CONTENT_TYPE, Conflict, PreconditionFailed
from api.screening_shapes import (
    EMPTY,
    CaseOpenRequestSerializer,
    DecisionRequestSerializer,
    InterviewSerializer,
    OpenedCaseSerializer,
    ScreeningDetailSerializer,
    ScreeningRequestSerializer,
    ScreeningSerializer,
    asked_only,
    current_values,
    form_values,
    interview_form,
    named,
)
from cases.countries import CountryNameField
from cases.forms import regions_of
from cases.models import Case
from cases.services import ConflictError
from screening import indicators, questions, selectors, services
from screening.forms import (
    CaseOpenForm,
    DecisionForm,
    ScreeningEditForm,
    ScreeningFilterForm,
    ScreeningForm,
)
from screening.models import AGE_GROUP_CHOICES, PlaceType, Risk, Screening, StatusDecision
from screening.questions import Kind
from traffick_cm import codebooks as v

# --- The screenings ---------------------------------------------------------------------

FILTERS = [
    OpenApiParameter("month", str, description="YYYY-MM: screened that month."),
    OpenApiParameter("place_type", str, enum=PlaceType.values),
    OpenApiParameter("region", int, description="A region of the organisation's country."),
    OpenApiParameter("suggested", str, enum=v.TraffickingStatus.values),
    OpenApiParameter("decided", str, enum=["undecided", *v.TraffickingStatus.values]),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only the screenings changed at or after this time (ISO 8601).",
    ),
]
DETAIL_READ = "Audited as a read of the screening page (it may hold a name and an account)."
CHANGED_STATE = "Once a case was opened from the screening: 409."
# PUT and PATCH of the other resources never conflict: the API's hook (api/schema.py) names
# no 409 for them.
CONFLICT = {
    (409, CONTENT_TYPE): OpenApiResponse(
        response={"$ref": "#/components/schemas/Problem"},
        description="A case was opened from the screening: change the case file instead.",
    )
}


@extend_schema_view(
    list=extend_schema(
        summary="The organisation's screenings",
        description="Most recently changed first, with the list page's filters. No name, no "
        "account: those are in one screening's detail.",
        parameters=FILTERS,
    ),
    retrieve=extend_schema(
        summary="One screening, as its page shows it",
        description=DETAIL_READ,
        responses=ScreeningDetailSerializer,
    ),
    create=extend_schema(
        summary="Record a screening interview",
        description="Through the interview page's form and the screening service: the answers "
        "are read against the indicator catalogue and the status suggested. Anonymous unless "
        "a name is given. " + DETAIL_READ,
        parameters=[IDEMPOTENCY_KEY],
        request=ScreeningRequestSerializer,
        responses={201: ScreeningDetailSerializer},
    ),
    update=extend_schema(
        summary="Replace the interview, as the edit page saves it",
        description="Fields and answers left out are empty. " + CHANGED_STATE,
        parameters=[IF_MATCH],
        request=ScreeningRequestSerializer,
        responses={200: ScreeningDetailSerializer, **CONFLICT},
    ),
    partial_update=extend_schema(
        summary="Change some fields or answers of the interview",
        description="Fields and answers left out keep their values; an answer sent as null is "
        "cleared. " + CHANGED_STATE,
        parameters=[IF_MATCH],
        request=ScreeningRequestSerializer,
        responses={200: ScreeningDetailSerializer, **CONFLICT},
    ),
)
class ScreeningViewSet(ChangeMixin, ResourceViewSet):
    """Screenings: the case team (caseworkers and supervisors) of the organisation that
    screened the person; nobody else, superusers included."""

    policy_kind = "screening"
    policy_actions = {
        "decisions": ("screening_decision", Action.CHANGE),
        "open_case": ("screening", Action.CHANGE),
    }
    queryset = Screening.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        if self.action in ("list", "decisions"):
            return ScreeningSerializer
        return ScreeningDetailSerializer

    # Reads ------------------------------------------------------------------------------

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Screening.objects.none()
        user = self.request.user
        decisions = Prefetch(
            "decisions", queryset=StatusDecision.objects.select_related("deciding_organisation")
        )
        if self.action != "list":
            return selectors.screenings_for(user, Action.VIEW).prefetch_related(decisions)
        criteria = api_forms.query_filters(ScreeningFilterForm, self.request, actor=user)
        return selectors.screening_list(actor=user, criteria=criteria).prefetch_related(decisions)

    def get_object(self):
        # PUT and PATCH: the screening in the user's scope to change, or 404.
        return selectors.screening_for_change(actor=self.request.user, pk=self.kwargs["pk"])

    def _read(self, pk) -> Screening:
        """The screening as its page reads it: audited, with its decisions."""
        reading = selectors.screening_for_view(actor=self.request.user, pk=pk)
        screening = reading.screening
        screening.api_reading = reading
        return screening

    def _listed(self, pk) -> Screening:
        try:
            return self.get_queryset().get(pk=pk)
        except Screening.DoesNotExist:
            raise exceptions.NotFound from None

    def retrieve(self, request, *args, **kwargs):
        screening = self._read(self.kwargs["pk"])
        response = Response(self.get_serializer(screening).data)
        response["ETag"] = f'"{version_of(screening)}"'
        return response

    # Recording and changing the interview -----------------------------------------------

    def create(self, request, *args, **kwargs):
        return create_once(
            request,
            make=lambda: self.add(request.data),
            created=lambda screening: created_response(
                screening, request.build_absolute_uri(f"{request.path}{screening.pk}/")
            ),
            load=self._read,
            render=lambda screening: self.get_serializer(screening).data,
            reload=True,
        )

    def add(self, data) -> Screening:
        user = self.request.user
        values = form_values(data, creating=True)
        form = interview_form(ScreeningForm, asked_only(values, values), user)
        token = form.cleaned_data["submission_token"]
        try:
            return services.screening_create(
                actor=user,
                data=form.data_for_service(),
                answers=form.answers(),
                consented=form.cleaned_data["consented"],
                submission_token=token,
            )
        except submissions.TokenUsedElsewhere:
            # The token is another user's, or another form's: never theirs to replay.
            raise Conflict(
                _("This submission token was used for another submission: make a new one.")
            ) from None
        except ValidationError as error:
            raise named(api_forms.service_errors(error)) from None

    def change(self, instance: Screening, data, *, partial: bool) -> Screening:
        """Through the edit page's form, checked against the version the If-Match named."""
        if instance.case_id:
            raise Conflict(str(services.CASE_OPENED_CHANGE))
        sent = form_values(data, creating=False)
        values = {**current_values(instance), **sent} if partial else dict(sent)
        values = asked_only(values, sent)
        values["version"] = instance.version
        form = interview_form(ScreeningEditForm, values, self.request.user)
        try:
            services.screening_update(
                actor=self.request.user,
                screening=instance,
                expected_version=instance.version,
                data=form.data_for_service(),
                answers=form.answers(),
            )
        except ConflictError:
            now = Screening.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
            raise PreconditionFailed(version=str(now)) from None
        except ValidationError as error:
            self._refused(instance, error, str(services.CASE_OPENED_CHANGE))
        return self._read(instance.pk)

    @staticmethod
    def _refused(screening: Screening, error: ValidationError, opened: str):
        """A service's refusal: a conflict if a case was opened meanwhile, else field
        errors."""
        if not hasattr(error, "error_dict") and (
            Screening.objects.filter(pk=screening.pk, case__isnull=False).exists()
        ):
            raise Conflict(opened) from None
        raise named(api_forms.service_errors(error)) from None

    # Deciding and opening a case --------------------------------------------------------

    @extend_schema(
        summary="Decide (or revise) the person's trafficking status",
        description="As on the screening's page: a justification always, and the reason when "
        "the status is not the suggested one. Each decision is kept; the newest is the "
        "current one. Answers the screening. " + CHANGED_STATE,
        parameters=[IDEMPOTENCY_KEY],
        request=DecisionRequestSerializer,
        responses={201: ScreeningSerializer},
    )
    @action(detail=True, methods=["post"], url_path="decisions", url_name="decisions")
    def decisions(self, request, pk=None):
        user = request.user

        def make() -> Screening:
            screening = selectors.screening_for_decision(actor=user, pk=pk)
            if screening.case_id:
                raise Conflict(str(services.CASE_OPENED_DECISION))
            cleaned = api_forms.clean(DecisionForm, request.data)
            try:
                services.status_decide(
                    actor=user,
                    screening=screening,
                    status=cleaned["status"],
                    justification=cleaned["justification"],
                    reason_against_suggestion=cleaned["reason_against_suggestion"],
                )
            except ValidationError as error:
                self._refused(screening, error, str(services.CASE_OPENED_DECISION))
            return self._listed(screening.pk)

        return create_once(
            request,
            make=make,
            created=created_response,
            load=lambda _pk: self._listed(pk),
            render=lambda screening: self.get_serializer(screening).data,
        )

    @extend_schema(
        summary="Open a case file from the screening",
        description="As the page's form does: for a person decided a possible or actual "
        "victim, with their consent; the case carries what the screening found and the name "
        "moves to it. 201 with the case opened; again (or once a colleague opened it), 200 "
        "with the same case. Before such a decision: 409.",
        request=CaseOpenRequestSerializer,
        responses={201: OpenedCaseSerializer, 200: OpenedCaseSerializer},
    )
    @action(detail=True, methods=["post"], url_path="open-case", url_name="open-case")
    def open_case(self, request, pk=None):
        user = request.user
        screening = selectors.screening_for_change(actor=user, pk=pk)
        if not can(user, "case", Action.CREATE):
            raise PermissionDenied
        if screening.case_id:
            return self._opened(screening.pk, screening.case, status=200)
        decision = services.current_decision(screening)
        if decision is None or decision.status not in services.OPENS_A_CASE:
            raise Conflict(str(services.NOT_DECIDED_A_VICTIM))
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        values = dict(data)
        # What the page's form starts with: the screening's name and age, today's date.
        for name, value in CaseOpenForm.initial_for(screening).items():
            if value not in EMPTY:
                values.setdefault(name, value)
        form = api_forms.valid_form(CaseOpenForm, values)
        cleaned = form.cleaned_data
        try:
            case = services.screening_case_open(
                actor=user,
                screening=screening,
                person_data=form.person_data(),
                consent_given_by=cleaned["consent_given_by"],
                consent_method=cleaned["consent_method"],
                consent_given_on=cleaned["consent_given_on"],
                share_consent=cleaned["share_consent"],
                submission_token=cleaned["submission_token"],
            )
        except services.CaseAlreadyOpened as opened:
            return self._opened(screening.pk, opened.case, status=200)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Its decision changed meanwhile.
                raise Conflict(" ".join(error.messages)) from None
            raise api_forms.service_errors(error) from None
        return self._opened(screening.pk, case, status=201)

    def _opened(self, screening_pk: int, case: Case, *, status: int) -> Response:
        """The case opened from the screening; its number only for those who may open its
        case file (as the screening's page says it)."""
        user = self.request.user
        visible = can_on(user, "case", Action.VIEW, case)
        body = {
            "screening": screening_pk,
            "case": case.pk,
            "case_number": case.case_number if visible else None,
            "possible_duplicate": case.possible_duplicate if visible else None,
        }
        response = Response(OpenedCaseSerializer(body).data, status=status)
        if status == 201:
            response["Location"] = self.request.build_absolute_uri(f"/api/v1/cases/{case.pk}/")
        return response


# --- The interview's questions ----------------------------------------------------------


class _OneObject(AutoSchema):
    """A `list` route that answers one object, not a page of records."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class InterviewQuery(forms.Form):
    country = CountryNameField(required=False)


def _choices(choices) -> list[dict[str, str]]:
    return [{"code": str(code), "label": str(label)} for code, label in choices]


def interview(country: str) -> dict[str, Any]:
    """The interview asked in `country`, its labels in the active language."""
    sections = questions.by_section(questions.questions(country))
    return {
        "country": country,
        "language": translation.get_language(),
        "rule_version": indicators.RULE_VERSION,
        "sections": [
            {
                "code": str(section),
                "label": str(questions.SECTION_LABELS[section]),
                "questions": [
                    {
                        "code": q.code,
                        "label": str(q.label),
                        "kind": str(q.kind),
                        "help_text": str(q.help_text),
                        "child_only": q.child_only,
                        "choices": [] if q.kind == Kind.COUNTRY else _choices(q.choices),
                    }
                    for q in items
                ],
            }
            for section, items in sections.items()
            if items
        ],
        "choices": {
            "place_type": _choices(PlaceType.choices),
            "sex": _choices(v.Sex.choices),
            "age_group": _choices(AGE_GROUP_CHOICES),
            "needs": _choices(v.ServiceType.choices),
            "risks": _choices(Risk.choices),
            "risk_level": _choices(v.RiskLevel.choices),
        },
        "regions": [{"id": r.pk, "name": r.name} for r in regions_of(country)],
    }


class InterviewViewSet(viewsets.GenericViewSet):
    """The interview of a country, for whoever may record screenings."""

    policy_actions = {"list": ("screening", Action.CREATE)}
    serializer_class = InterviewSerializer
    pagination_class = None
    schema = _OneObject()

    @extend_schema(
        summary="The screening interview of a country",
        description="Its questions by section, with their codes, answer codes and labels in "
        "the request's language (Accept-Language: fr or en), the choices of the other fields, "
        "the country's regions, and the indicator catalogue's version (`rule_version`): what "
        "an offline form needs to ask the interview and to know which catalogue it used.",
        parameters=[
            OpenApiParameter(
                "country",
                OpenApiTypes.STR,
                description="ISO 3166-1 alpha-2 (by default, your organisation's country).",
            )
        ],
        responses=InterviewSerializer,
    )
    def list(self, request, *args, **kwargs):
        user = request.user
        criteria = api_forms.query_filters(InterviewQuery, request)
        own = user.organisation.country.code if user.organisation_id else ""
        country = criteria["country"] or own
        return Response(InterviewSerializer(interview(country)).data)


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("screenings", ScreeningViewSet, basename="screening")
    router.register("screening-questions", InterviewViewSet, basename="screening-question")
