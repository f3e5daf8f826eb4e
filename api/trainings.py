"""`trainings/` (training and awareness sessions) and `trainings/totals/` (people reached).

A session's JSON keys are the trainings import's column names (trainings/services/transfer.py
COLUMNS), with `audiences`, `topics` and `partners` as lists: organisations, regions and
projects are named as in a file (an organisation by name or acronym, a region by name in the
session's country, a project by code). A write is checked by the session page's own form, for
the user who sends it, and recorded through the page's service: the same rules, the same
audit. Fields the page has and the import has not (facilitators, venue, ages...) keep their
values."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.policy import Action, scope
from api import forms as api_forms
from api.base import ResourceViewSet
from api.mixins import ChangeMixin, CreateMixin, version_of
from partners.models import Organisation, Region
from programmes.models import Project
from traffick_cm.fields import LARGEST_INTEGER
from trainings import selectors
from trainings import vocabularies as v
from trainings.forms import SessionFilterForm, SessionForm
from trainings.models import TrainingSession
from trainings.services import sessions
from trainings.services.transfer import COLUMNS, COUNT_COLUMNS

# The keys a client may send: the import's columns. The others of a session's JSON are read
# only (a client that sends back what it read is not refused for them).
READ_ONLY = frozenset({"id", "participants_total", "created_at", "updated_at", "version"})
LIST_COLUMNS = ("audiences", "topics", "partners")
# The page's form field of each column; the organiser is the user's organisation, as on the
# page, so it is checked, never set.
FORM_FIELD = {
    **{column: column for column in COLUMNS if column not in ("organiser", "project_code")},
    "project_code": "project",
}
COLUMN_OF = {field: column for column, field in FORM_FIELD.items()}
# The form's fields the import has no column for: the record keeps its values.
KEPT = [field for field in SessionForm._meta.fields if field not in COLUMN_OF]


class PartnerNames(serializers.ListField):
    """The co-organising partners, by name."""

    child = serializers.CharField()

    def get_attribute(self, instance):
        return [partner.name for partner in instance.partners.all()]


class TrainingSerializer(serializers.Serializer):
    """A session as a row of the trainings import, with lists for the multi-valued columns."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=300)
    session_type = serializers.ChoiceField(choices=v.SessionType.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2.")
    region = serializers.CharField(
        source="region.name",
        allow_null=True,
        required=False,
        help_text="A region of the session's country, by name.",
    )
    locality = serializers.CharField(max_length=120, allow_blank=True, required=False)
    organiser = serializers.CharField(
        source="organiser.name",
        required=False,
        help_text="The organisation recording the session: the user's own (name or acronym); "
        "it cannot be changed.",
    )
    partners = PartnerNames(
        required=False,
        help_text="Co-organising partners of the directory, by name or acronym.",
    )
    project_code = serializers.CharField(
        source="project.code",
        allow_null=True,
        required=False,
        help_text="A funding project of the user's organisation, by code.",
    )
    audiences = serializers.ListField(
        child=serializers.ChoiceField(choices=v.Audience.choices), min_length=1
    )
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=v.Topic.choices), required=False
    )
    participants_female = serializers.IntegerField(
        min_value=0, max_value=LARGEST_INTEGER, required=False
    )
    participants_male = serializers.IntegerField(
        min_value=0, max_value=LARGEST_INTEGER, required=False
    )
    participants_other = serializers.IntegerField(
        min_value=0, max_value=LARGEST_INTEGER, required=False
    )
    notes = serializers.CharField(allow_blank=True, required=False)
    participants_total = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    version = serializers.SerializerMethodField()

    def get_version(self, obj) -> str:
        return version_of(obj)


class AudienceTotalSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=v.Audience.choices)
    label = serializers.CharField()
    sessions = serializers.IntegerField()
    participants = serializers.IntegerField()


class TypeTotalSerializer(serializers.Serializer):
    session_type = serializers.ChoiceField(choices=v.SessionType.choices)
    label = serializers.CharField()
    sessions = serializers.IntegerField()
    participants = serializers.IntegerField()


class RegionTotalSerializer(serializers.Serializer):
    country = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    sessions = serializers.IntegerField()
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    participants = serializers.IntegerField()


class TotalsSerializer(serializers.Serializer):
    """People reached (participant counts are not about victims: never suppressed)."""

    sessions = serializers.IntegerField()
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    other = serializers.IntegerField()
    total = serializers.IntegerField()
    by_audience = AudienceTotalSerializer(many=True)
    by_type = TypeTotalSerializer(many=True)
    by_region = RegionTotalSerializer(many=True)


FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Sessions starting on or after."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Sessions starting on or before."),
    OpenApiParameter("session_type", OpenApiTypes.STR, enum=v.SessionType.values),
    OpenApiParameter("topic", OpenApiTypes.STR, enum=v.Topic.values),
    OpenApiParameter("audience", OpenApiTypes.STR, enum=v.Audience.values),
    OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166-1 alpha-2."),
    OpenApiParameter("region", OpenApiTypes.INT, description="A region's id."),
    OpenApiParameter("organiser", OpenApiTypes.INT, description="An organisation's id."),
    OpenApiParameter("project", OpenApiTypes.INT, description="A project's id."),
]


def _criteria(request) -> dict[str, Any]:
    """The list page's filters, checked by its filter form."""
    return api_forms.query_filters(SessionFilterForm, request)


def _organisation_named(name: str) -> Organisation | None:
    """An organisation of the directory by name or acronym, case-insensitively (as the
    import reads them)."""
    return (
        Organisation.objects.filter(name__iexact=name).first()
        or Organisation.objects.filter(acronym__iexact=name).order_by("name").first()
    )


def _names_own(organisation: Organisation, name: str) -> bool:
    names = {organisation.name.casefold(), organisation.acronym.casefold()} - {""}
    return name.strip().casefold() in names


class _Translation:
    """A session's JSON (column names, names for organisations...) as the session form's
    data (field names, ids), with the errors of the names that match nothing."""

    def __init__(self, user, instance: TrainingSession | None, data: dict, *, partial: bool):
        self.user = user
        self.errors: dict[str, list[str]] = {}
        # The record's current values for what the body leaves as it is (a PATCH: every
        # field it does not send; a PUT: the fields the import has no column for).
        self.form_data: dict[str, Any] = {}
        if instance is not None:
            current = api_forms.merged(instance, SessionForm, {})
            self.form_data = {
                field: value
                for field, value in current.items()
                if partial or field not in COLUMN_OF
            }
        self.organiser = instance.organiser if instance is not None else user.organisation
        for column in COLUMNS:
            if column in data:
                self._column(column, data[column])
            elif not partial and column in COUNT_COLUMNS:
                self.form_data[column] = 0  # as an empty cell of the import
            elif not partial and column in FORM_FIELD:
                self.form_data.pop(FORM_FIELD[column], None)
        if instance is None and self.organiser is None:
            self._error(
                "organiser", _("Your account belongs to no organisation to organise sessions.")
            )

    def _error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def _column(self, column: str, value: Any) -> None:
        if "\x00" in (value if isinstance(value, str) else "") or (
            isinstance(value, list) and any(isinstance(x, str) and "\x00" in x for x in value)
        ):
            self._error(column, _("Null characters are not allowed."))
            return
        if column in LIST_COLUMNS:
            if value is None:
                value = []
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                self._error(column, _("Send a list of codes or names."))
                return
        elif isinstance(value, list | dict):
            self._error(column, _("Send a single value, not a list or an object."))
            return
        if column in COUNT_COLUMNS and value is None:
            value = 0  # as an empty cell of the import
        if column == "organiser":
            if value in (None, "") or self.organiser is None:
                return  # none named: the user's organisation (or the session's own)
            if not _names_own(self.organiser, str(value)):
                self._error(
                    column,
                    _("The organiser is %(own)s: a session's organiser cannot be changed.")
                    % {"own": self.organiser.name},
                )
            return
        if column == "partners":
            self.form_data["partners"] = self._partners(value)
        elif column == "region":
            self.form_data["region"] = self._region(value)
        elif column == "project_code":
            self.form_data["project"] = self._project(value)
        else:
            self.form_data[FORM_FIELD[column]] = value

    def _country(self) -> str:
        country = self.form_data.get("country")
        return str(country).strip().upper() if country else ""

    def _partners(self, names: list[str]) -> list[int]:
        allowed = selectors.partner_choices(actor=self.user)
        ids = []
        for name in [n.strip() for n in names if n.strip()]:
            partner = _organisation_named(name)
            if partner is None:
                self._error("partners", _("Unknown organisation: %(name)s") % {"name": name})
            elif not allowed.filter(pk=partner.pk).exists():
                self._error(
                    "partners",
                    _("%(name)s cannot be named as a co-organising partner.") % {"name": name},
                )
            else:
                ids.append(partner.pk)
        return ids

    def _region(self, name: Any) -> int | None:
        name = "" if name is None else str(name).strip()
        country = self._country()
        if not name or country not in dict(countries):
            return None  # no region, or the country is in error already
        region = Region.objects.filter(country=country, name__iexact=name).first()
        if region is None:
            self._error("region", _("Unknown region for this country."))
            return None
        return region.pk

    def _project(self, code: Any) -> int | None:
        code = "" if code is None else str(code).strip()
        if not code:
            return None
        project = Project.objects.filter(code__iexact=code).first()
        if project is None:
            self._error("project_code", _("Unknown project code."))
            return None
        if not selectors.project_choices(actor=self.user).filter(pk=project.pk).exists():
            self._error("project_code", _("This is not a project of your organisation."))
            return None
        return project.pk


def _as_columns(errors: dict) -> dict[str, list[str]]:
    """The form's or the service's field errors under the API's keys."""
    result: dict[str, list[str]] = {}
    for field, messages in errors.items():
        key = COLUMN_OF.get(field, "non_field_errors")
        result.setdefault(key, []).extend(str(m) for m in messages)
    return result


@extend_schema_view(
    list=extend_schema(
        summary="Sessions the user may list (as on the session list page), with its filters",
        parameters=FILTERS,
    ),
    retrieve=extend_schema(summary="One session"),
    create=extend_schema(summary="Record a session of the user's organisation"),
    update=extend_schema(summary="Change a session (If-Match required)"),
    partial_update=extend_schema(summary="Change some columns of a session (If-Match required)"),
)
class TrainingViewSet(CreateMixin, ChangeMixin, ResourceViewSet):
    """Training and awareness sessions: programme officers record and change their
    organisation's; they and M&E officers read them (the session pages' rules)."""

    policy_kind = "training"
    policy_actions = {"totals": ("training_totals", Action.VIEW)}
    serializer_class = TrainingSerializer
    # Any id reaches the view, which answers 404 as problem details for one that is no id.
    lookup_value_regex = "[^/]+"
    queryset = TrainingSession.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            qs = selectors.session_list(actor=user, criteria=_criteria(self.request))
        else:
            action = Action.VIEW if self.action == "retrieve" else Action.CHANGE
            qs = selectors.session_list(actor=user, criteria={}, action=action)
        return qs.prefetch_related("partners")

    def _reload(self, session: TrainingSession) -> TrainingSession:
        return (
            TrainingSession.objects.select_related("organiser", "region", "project")
            .prefetch_related("partners")
            .get(pk=session.pk)
        )

    def _cleaned(self, instance: TrainingSession | None, data: Any, *, partial: bool) -> dict:
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        unknown = sorted(set(data) - set(COLUMNS) - READ_ONLY)
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("This field does not exist or cannot be set here.")] for name in unknown}
            )
        translation = _Translation(self.request.user, instance, data, partial=partial)
        errors = dict(translation.errors)
        cleaned: dict[str, Any] = {}
        try:
            cleaned = api_forms.clean(
                SessionForm, translation.form_data, actor=self.request.user, instance=instance
            )
        except exceptions.ValidationError as error:
            for key, messages in _as_columns(error.detail).items():
                errors.setdefault(key, messages)
        if errors:
            raise exceptions.ValidationError(errors)
        return cleaned

    def add(self, data):
        user = self.request.user
        cleaned = self._cleaned(None, data, partial=False)
        partners = cleaned.pop("partners")
        try:
            session = sessions.session_record(
                actor=user, organiser=user.organisation, partners=partners, **cleaned
            )
        except ValidationError as error:
            raise exceptions.ValidationError(_as_columns(error.message_dict)) from None
        return self._reload(session)

    def change(self, instance, data, *, partial: bool):
        cleaned = self._cleaned(instance, data, partial=partial)
        partners = cleaned.pop("partners")
        try:
            session = sessions.session_update(
                actor=self.request.user, session=instance, partners=partners, **cleaned
            )
        except ValidationError as error:
            raise exceptions.ValidationError(_as_columns(error.message_dict)) from None
        return self._reload(session)

    @extend_schema(
        summary="People reached: the training totals page's figures",
        description=(
            "Sessions and participants by sex, audience, type and region, over the sessions "
            "whose totals the user may see (M&E officers and administrators: every country; "
            "programme officers and ministry focal points: their organisation's country), "
            "with the session list's filters."
        ),
        parameters=FILTERS,
        responses=TotalsSerializer,
    )
    @action(detail=False, methods=["get"], url_path="totals", pagination_class=None)
    def totals(self, request):
        criteria = _criteria(request)
        qs = scope(request.user, "training_totals", Action.VIEW, TrainingSession.objects.all())
        figures = selectors.totals(selectors.filtered(qs, criteria))
        figures["by_region"] = [
            {
                "country": str(row["country"]),
                "region": row["region__name"],
                "sessions": row["sessions"],
                "female": row["female"],
                "male": row["male"],
                "participants": row["participants"],
            }
            for row in figures["by_region"]
        ]
        return Response(TotalsSerializer(figures).data)


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("trainings", TrainingViewSet, basename="training")
