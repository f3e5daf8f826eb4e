"""`indicators/` (the action plans' indicators and their values), `statistics/` (the national
dashboard's aggregates) and `report-runs/` (request a report, poll it, download its files).

Figures about victims leave here exactly as the pages release them outside the case team:
over whole calendar periods that have ended, small counts shown as "<k" (zeros beside them
too) and complements as "*", and a ministry focal point's for its own country only."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import Country
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.policy import Action, scope, statistics_countries
from api import forms as api_forms
from api.base import ResourceViewSet
from api.mixins import CreateMixin, version_of
from api.pagination import IdCursor
from reports import builders, selectors, statistics
from reports.forms import DashboardFilterForm, ReportRequestForm
from reports.models import Computation, ReportKind, ReportRun
from reports.services import runs
from screening.indicators import Element, Strength
from traffick_cm.downloads import private_file_response

HIDDEN = (
    'A count about victims, or "<k" (fewer than k, perhaps none) or "*" (k or more) where '
    "it is suppressed."
)


@extend_schema_field({"anyOf": [{"type": "integer"}, {"type": "string"}]})
class Released(serializers.Field):
    """A figure about victims as released: a whole number, or hidden."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", HIDDEN)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


@extend_schema_field({"anyOf": [{"type": "number"}, {"type": "string"}], "nullable": True})
class IndicatorValue(serializers.Field):
    """An indicator's value: a number, a hidden victim figure ("<k", "*"), or none yet."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


class _OneObject(AutoSchema):
    """A `list` route that answers one object (aggregates), not a page of records."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


def _content_version(data: dict[str, Any]) -> str:
    """The version of a computed record (no change time): a digest of what it says."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# indicators/


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(help_text="The action plan's id.")
    plan_code = serializers.CharField()
    pillar = serializers.CharField(allow_null=True, help_text="The pillar's code.")
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    computation = serializers.ChoiceField(choices=Computation.choices)
    parameter = serializers.CharField(allow_blank=True)
    baseline = serializers.FloatField()
    target = serializers.FloatField(help_text="The indicator's overall target.")
    sdg_targets = serializers.ListField(child=serializers.CharField())
    period_start = serializers.DateField(
        allow_null=True,
        help_text="The value's window: from the plan's first month to its last complete one.",
    )
    period_end = serializers.DateField(allow_null=True)
    period_target = serializers.FloatField(allow_null=True, help_text="The target for the window.")
    value = IndicatorValue()
    achieved_percent = serializers.IntegerField(allow_null=True)
    version = serializers.CharField()


def _indicator_data(indicator, row: dict[str, Any] | None) -> dict[str, Any]:
    data = {
        "id": indicator.pk,
        "plan": indicator.plan_id,
        "plan_code": indicator.plan.code,
        "pillar": indicator.pillar.code if indicator.pillar_id else None,
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "computation": indicator.computation,
        "parameter": indicator.parameter,
        "baseline": float(indicator.baseline),
        "target": float(indicator.target),
        "sdg_targets": list(indicator.sdg_targets),
        "period_start": row["period_start"] if row else None,
        "period_end": row["period_end"] if row else None,
        "period_target": row["target"] if row else None,
        "value": row["value"] if row else None,
        "achieved_percent": row["achieved_percent"] if row else None,
    }
    data["version"] = _content_version(data)
    return IndicatorSerializer(data).data


@extend_schema_view(
    list=extend_schema(
        summary="Indicators of the action plans the user may read, with their values to date",
        description=(
            "Values over the plan's whole months to the last complete one, as on the plan's "
            "page: figures about victims released as outside the case team. Values are "
            "computed to date, so `updated_since` answers every indicator (it is checked)."
        ),
    ),
    retrieve=extend_schema(summary="One indicator, with its value to date"),
)
class IndicatorViewSet(ResourceViewSet):
    """Read only: values are entered on the pages."""

    policy_kind = "action_plan"
    serializer_class = IndicatorSerializer
    # Any id reaches the view, which answers 404 as problem details for one that is no id.
    lookup_value_regex = "[^/]+"
    pagination_class = IdCursor

    def get_queryset(self):
        action = Action.LIST if self.action == "list" else Action.VIEW
        return selectors.plan_indicator_list(actor=self.request.user, action=action)

    def filter_queryset(self, queryset):
        # Values are computed to date: any may have changed since any time, so a sync gets
        # them all. The parameter is still checked.
        self.updated_since()
        return queryset

    def _data(self, records) -> list[dict[str, Any]]:
        records = list(records)
        rows = selectors.plan_indicator_rows(records)
        return [_indicator_data(record, rows.get(record.pk)) for record in records]

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(page))

    def retrieve(self, request, *args, **kwargs):
        (data,) = self._data([self.get_object()])
        response = Response(data)
        response["ETag"] = f'"{data["version"]}"'
        return response


# statistics/


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="2025, 2025-Q3 or 2025-07.")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class RegionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    identified = Released()


class CasesSerializer(serializers.Serializer):
    identified = Released()
    by_exploitation_type = serializers.DictField(child=Released(), required=False)
    by_sex = serializers.DictField(child=Released(), required=False)
    by_age_group = serializers.DictField(child=Released(), required=False)
    by_citizenship = serializers.DictField(child=Released(), required=False)
    by_region = serializers.DictField(
        child=Released(), required=False, help_text="By region name (absent for one region)."
    )
    by_month = MonthSerializer(many=True)


class ReferralsSerializer(serializers.Serializer):
    made = Released()
    accepted = Released()
    completed = Released()
    cross_border = Released()
    median_response_hours = serializers.FloatField(allow_null=True)


class ParticipantsSerializer(serializers.Serializer):
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    other = serializers.IntegerField()
    total = serializers.IntegerField()


class TrainingFiguresSerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    participants = ParticipantsSerializer()
    by_audience = serializers.DictField(child=serializers.IntegerField())
    by_session_type = serializers.DictField(child=serializers.IntegerField())


class TrainingRegionSerializer(serializers.Serializer):
    region = serializers.CharField(allow_null=True)
    sessions = serializers.IntegerField()
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    total = serializers.IntegerField()


class PillarSerializer(serializers.Serializer):
    pillar = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class IndicatorRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    computation = serializers.ChoiceField(choices=Computation.choices)
    parameter = serializers.CharField(allow_blank=True)
    baseline = serializers.FloatField()
    target = serializers.FloatField()
    value = IndicatorValue()
    achieved_percent = serializers.IntegerField(allow_null=True)
    sdg_targets = serializers.ListField(child=serializers.CharField())


class PlanFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    by_pillar = PillarSerializer(many=True)
    indicators = IndicatorRowSerializer(many=True)


class ScreenedMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    screened = Released()


class FrequentIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    element = serializers.ChoiceField(choices=[e.value for e in Element])
    element_label = serializers.CharField()
    strength = serializers.ChoiceField(choices=[s.value for s in Strength])
    strength_label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="The screenings that show it (an indicator is listed only when it is shown)."
    )


class ScreeningsSerializer(serializers.Serializer):
    screened = Released(help_text=f"Persons screened, anonymous ones included. {HIDDEN}")
    identified = Released(
        required=False, help_text="Decided possible or actual victims (absent for one region)."
    )
    share_identified = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Identified per 100 screened; null when a figure is hidden, when nobody was "
        "screened, and for one region.",
    )
    by_identification = serializers.DictField(
        child=Released(), required=False, help_text="yes (possible or actual) and no."
    )
    by_decision = serializers.DictField(
        child=Released(), required=False, help_text="The decided status, or undecided."
    )
    by_suggestion = serializers.DictField(
        child=Released(), required=False, help_text="The status the answers suggest."
    )
    by_place_type = serializers.DictField(child=Released(), required=False)
    by_sex = serializers.DictField(child=Released(), required=False)
    by_age_group = serializers.DictField(child=Released(), required=False)
    by_region = serializers.DictField(
        child=Released(), required=False, help_text="By region name (absent for one region)."
    )
    by_month = ScreenedMonthSerializer(many=True, required=False)
    top_indicators = FrequentIndicatorSerializer(
        many=True,
        required=False,
        help_text="The most frequent trafficking indicators among those whose count is shown.",
    )


class StatisticsSerializer(serializers.Serializer):
    country = serializers.CharField(allow_blank=True)
    country_name = serializers.CharField(allow_blank=True)
    region = RegionRefSerializer(allow_null=True)
    period = PeriodSerializer()
    k = serializers.IntegerField(help_text='The small-cell threshold: counts under it show "<k".')
    cases = CasesSerializer(help_text="Presumed and actual victims identified in the period.")
    referrals = ReferralsSerializer(
        allow_null=True, help_text="Referrals sent in the period (none for one region)."
    )
    trainings = TrainingFiguresSerializer()
    trainings_by_region = TrainingRegionSerializer(many=True)
    plans = PlanFiguresSerializer(many=True)
    screenings = ScreeningsSerializer(
        help_text="Screening interviews held in the period (for one region: persons screened "
        "only, its row of the country's table)."
    )


def _statistics_data(figures: dict[str, Any], **head: Any) -> dict[str, Any]:
    cases = dict(figures["cases"])
    cases["by_month"] = [{"month": key, "identified": value} for key, value in cases["by_month"]]
    screenings = dict(figures["screenings"])
    if "by_month" in screenings:
        screenings["by_month"] = [
            {"month": key, "screened": value} for key, value in screenings["by_month"]
        ]
    return {
        **head,
        "k": figures["k"],
        "cases": cases,
        "referrals": figures["referrals"],
        "trainings": figures["trainings"],
        "trainings_by_region": [
            {**row, "region": row.pop("region__name")} for row in figures["trainings_by_region"]
        ],
        "plans": [
            {
                "id": entry["plan"].pk,
                "code": entry["plan"].code,
                "title": entry["plan"].title,
                "by_pillar": entry["by_pillar"],
                "indicators": entry["indicators"],
            }
            for entry in figures["plans"]
        ],
        "screenings": screenings,
    }


class StatisticsViewSet(viewsets.GenericViewSet):
    """The national dashboard's aggregates, for the countries the access policy lets the
    user see (ministry focal points: their own)."""

    policy_actions = {"list": ("dashboard", Action.VIEW)}
    serializer_class = StatisticsSerializer
    pagination_class = None
    schema = _OneObject()

    @extend_schema(
        summary="The national dashboard's figures",
        description=(
            "Aggregates over a calendar month, quarter or year that has ended, every figure "
            'about victims released as outside the case team (small counts as "<k"). The '
            "parameters are the dashboard's: a ministry focal point sees its own country only "
            "(another country answers 404)."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description="2025, 2025-Q3, 2025-07 (a period that has ended) or twelve months "
                "as 2024-11..2025-10; by default the dashboard's: the newest data's year when "
                "it has ended, else the twelve months ending with the newest data's month.",
            ),
            OpenApiParameter(
                "country", OpenApiTypes.STR, description="ISO 3166-1 alpha-2 (by default, yours)."
            ),
            OpenApiParameter("region", OpenApiTypes.INT, description="A region's id."),
        ],
        responses=StatisticsSerializer,
    )
    def list(self, request, *args, **kwargs):
        user = request.user
        today = timezone.localdate()
        countries = statistics_countries(user, "dashboard")
        if countries is not None and not countries:
            raise Http404  # a focal point with no organisation: no country's figures
        asked = request.query_params.get("country")
        if countries is not None and asked is not None and asked.strip().upper() not in countries:
            raise Http404  # another country's figures: not in this user's reach
        first, _latest = statistics.data_bounds(countries)
        own = user.organisation.country.code if user.organisation_id else ""
        default_country = next(iter(countries)) if countries else own
        kwargs = {
            "countries": countries,
            "default_country": default_country,
            "today": today,
            "first_year": first.year if first else None,
        }
        params = {
            name: values if len(values) > 1 else values[0]
            for name, values in request.query_params.lists()
            if name not in api_forms.API_PARAMETERS
        }
        if countries is not None and len(countries) == 1:
            # The form offers no country to choose: the one asked for is the user's own.
            params.pop("country", None)
        criteria = api_forms.clean(DashboardFilterForm, params, **kwargs)
        country = (criteria.get("country") or default_country).upper()
        region = criteria.get("region")
        period = criteria.get("period") or selectors.dashboard_period(
            country=country, region=region, today=today
        )
        figures = selectors.dashboard_figures(country=country, region=region, period=period)
        data = _statistics_data(
            figures,
            country=country,
            country_name=str(Country(country).name) if country else "",
            region={"id": region.pk, "name": region.name} if region else None,
            period={
                "key": period.key,
                "label": str(period.label),
                "start": period.start,
                "end": period.end,
            },
        )
        return Response(StatisticsSerializer(data).data)


# report-runs/


class ReportFileSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[(f, f) for f in builders.FORMATS])
    size = serializers.IntegerField()
    checksum = serializers.CharField(help_text="SHA-256 of the file.")
    url = serializers.URLField(help_text="Where to download it.")


class ReportRunSerializer(serializers.ModelSerializer):
    parameters = serializers.DictField(child=serializers.CharField())
    files = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, help_text="When the run last changed (requested, started, finished)."
    )
    version = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "parameters",
            "period_from",
            "period_to",
            "trigger",
            "status",
            "attempts",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
            "files",
            "version",
        ]
        read_only_fields = fields

    def get_version(self, obj) -> str:
        return version_of(obj)

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, obj) -> list[dict[str, Any]]:
        if obj.status != ReportRun.Status.DONE:
            return []
        request = self.context.get("request")
        result = []
        for report_file in sorted(obj.files.all(), key=lambda f: f.format):
            url = reverse("api:report-run-file", kwargs={"pk": obj.pk, "fmt": report_file.format})
            result.append(
                {
                    "format": report_file.format,
                    "size": report_file.size,
                    "checksum": report_file.checksum,
                    "url": request.build_absolute_uri(url) if request else url,
                }
            )
        return result


class ReportRequestSerializer(serializers.Serializer):
    """The run request form of the report runs page."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    project = serializers.IntegerField(
        required=False, allow_null=True, help_text="A project's id (donor report)."
    )
    plan = serializers.IntegerField(
        required=False, allow_null=True, help_text="An action plan's id (progress report)."
    )
    country = serializers.CharField(
        required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 (operational statistics)."
    )
    period = serializers.CharField(
        help_text="A calendar month, quarter or year that has ended: 2025, 2025-Q3, 2025-07."
    )


def _annotated(qs: QuerySet) -> QuerySet:
    """Runs with the time they last changed (requested, claimed, finished) as `updated_at`."""
    return qs.annotate(
        updated_at=Greatest(
            "created_at",
            Coalesce("started_at", "created_at"),
            Coalesce("finished_at", "created_at"),
            output_field=DateTimeField(),
        )
    )


class _AnyType(JSONRenderer):
    """A download's errors as JSON problem details, whatever type the client accepts."""

    media_type = "*/*"


def _record_id(raw: Any) -> int:
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise Http404
    return int(text)


@extend_schema_view(
    list=extend_schema(summary="Report runs the user may read"),
    retrieve=extend_schema(summary="One report run: poll its status"),
    create=extend_schema(
        summary="Request a report (idempotent)",
        description=(
            "As the run request form of the reports page: the same kind, parameters and "
            "period give the same run, produced once (200 with the existing run; 201 when "
            "it is new)."
        ),
        request=ReportRequestSerializer,
        responses={201: ReportRunSerializer, 200: ReportRunSerializer},
    ),
)
class ReportRunViewSet(CreateMixin, ResourceViewSet):
    """Report runs: M&E officers and administrators request and read them; ministry focal
    points read their country's operational and action-plan reports."""

    policy_kind = "report_run"
    policy_actions = {"file": ("report_run", Action.EXPORT)}
    serializer_class = ReportRunSerializer
    # Any id reaches the view, which answers 404 as problem details for one that is no id.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return _annotated(selectors.run_list(actor=user))
        qs = scope(user, "report_run", Action.VIEW, ReportRun.objects.all())
        return _annotated(qs.prefetch_related("files"))

    def add(self, data):
        today = timezone.localdate()
        cleaned = api_forms.clean(ReportRequestForm, data, today=today)
        form = ReportRequestForm(today=today)
        form.cleaned_data = cleaned
        period = cleaned["period"]
        try:
            run, self.new_run = runs.run_request(
                kind=cleaned["kind"],
                parameters=form.parameters(),
                period_from=period.start,
                period_to=period.end,
                trigger=ReportRun.Trigger.PERSON,
                requested_by=self.request.user,
            )
        except ValidationError as error:
            raise api_forms.service_errors(error) from None
        return _annotated(ReportRun.objects.prefetch_related("files")).get(pk=run.pk)

    def _created(self, request, instance) -> Response:
        response = super()._created(request, instance)
        if not getattr(self, "new_run", True):
            response.status_code = 200  # the run existed already: nothing was created
        return response

    @extend_schema(
        summary="Download one of a finished run's files",
        description="Audited as a download from the reports page.",
        parameters=[
            OpenApiParameter(
                "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(builders.FORMATS)
            )
        ],
        responses={
            (200, builders.CONTENT_TYPES["json"]): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The report as JSON."
            ),
            (200, builders.CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, builders.CONTENT_TYPES["pdf"]): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<fmt>[^/]+)",
        url_name="file",
        renderer_classes=[JSONRenderer, _AnyType],
    )
    def file(self, request, pk=None, fmt=None):
        report_file = selectors.run_file_read(actor=request.user, pk=_record_id(pk), fmt=fmt)
        run = report_file.run
        name = f"{run.kind}-{run.parameters_key.split('=')[-1]}-{run.period_from}-{run.period_to}"
        return private_file_response(
            report_file.file,
            filename=f"{name}.{fmt}",
            content_type=builders.CONTENT_TYPES[fmt],
        )


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("statistics", StatisticsViewSet, basename="statistics")
    router.register("report-runs", ReportRunViewSet, basename="report-run")
