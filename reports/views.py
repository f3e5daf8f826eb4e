from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries.fields import Country

from accounts.policy import (
    Action,
    can,
    get_child_or_404,
    get_for_user_or_404,
    require,
    statistics_countries,
)
from reports import builders, charts, ctdc, indicators, selectors, statistics, titles
from reports.forms import (
    CtdcReleaseForm,
    DashboardFilterForm,
    IndicatorValueForm,
    PlanPeriodForm,
    ProgressForm,
    ReportRequestForm,
)
from reports.models import ActionPlan, ActionPoint, CtdcRelease, Indicator, Project, ReportRun
from reports.services import ctdc as ctdc_services
from reports.services import plans, runs
from reports.statistics import Scope
from traffick_cm import periods, suppression, uploads
from traffick_cm.downloads import private_file_response
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of


def _to_date(start, end) -> tuple | None:
    """A plan's or a project's figures "to date": whole months, to the last complete one."""
    return periods.to_date_window(start, end, today=timezone.localdate())


def project_figures(sender, *, request: HttpRequest, project: Project, **kwargs) -> str:
    """The project page's logframe and figures (a section of programmes' project page,
    connected in reports/apps.py)."""
    countries = statistics_countries(request.user, "project")
    if countries is not None and len(countries) != 1:
        raise Http404  # no country's figures to show
    # A ministry focal point sees the project's figures in its own country only.
    country = next(iter(countries)) if countries else ""
    window = _to_date(project.start_date, project.end_date)
    rows, trainings = [], None
    if window is not None:
        # Logframe: values to the last complete month against targets (victim figures
        # released as outside the case team).
        rows = indicators.rows(
            project.indicators.all(), *window, k=suppression.threshold(), country=country
        )
        trainings = statistics.trainings(Scope(project=project, country=country), *window)
    return render_to_string(
        "reports/_project_figures.html",
        {
            "indicator_rows": rows,
            "trainings": trainings,
            "window": window,
            "country": country,
            "country_name": Country(country).name if country else "",
        },
        request=request,
    )


@require("action_plan", Action.LIST)
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "reports/plan_list.html", {"plans": selectors.plan_list(actor=request.user)}
    )


@require("action_plan", Action.VIEW)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_for_user_or_404(
        request.user,
        "action_plan",
        Action.VIEW,
        ActionPlan.objects.select_related("coordinating_body"),
        pk=pk,
    )
    points = (
        plan.action_points.select_related("pillar", "lead")
        .prefetch_related("updates")
        .order_by("pillar__order", "number")
    )
    today = timezone.localdate()
    # Indicator values to date, or over one of the dashboard's periods (its plan links here
    # with the period it shows): both read them through the same selector.
    form = PlanPeriodForm(request.GET or None, today=today, first_year=plan.period_start.year)
    valid = form.is_bound and form.is_valid()
    period = form.cleaned_data.get("period") if valid else None
    figures = selectors.plan_indicators([plan], period=period, today=today)[plan.pk]
    return render(
        request,
        "reports/plan_detail.html",
        {
            "plan": plan,
            "points": points,
            "by_pillar": indicators.action_points_by_pillar(plan),
            "form": form,
            "period": period,
            "window": figures["window"],
            "window_label": figures["label"],
            "indicator_rows": figures["rows"],
            "can_change": can(request.user, "action_plan", Action.CHANGE),
            "can_enter_values": can(request.user, "indicator", Action.CHANGE),
        },
        status=400 if form.is_bound and not valid else 200,
    )


@require("action_plan", Action.CHANGE)
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_child_or_404(
        request.user,
        "action_plan",
        Action.CHANGE,
        ActionPoint.objects.select_related("plan"),
        via="plan",
        pk=pk,
    )
    form = ProgressForm(
        request.POST or None,
        request.FILES or None,
        initial={"date": timezone.localdate(), "status": point.status},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plans.progress_record(
                actor=request.user,
                action_point=point,
                status=data["status"],
                narrative=data["narrative"],
                on=data["date"],
                evidence=data["evidence"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("reports:plan_detail", pk=point.plan_id)
    return render(request, "reports/progress_form.html", {"form": form, "point": point})


@require("action_plan", Action.VIEW)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    update = selectors.evidence_read(actor=request.user, pk=pk)
    return private_file_response(
        update.evidence,
        filename=f"evidence-{update.pk}.{uploads.EXTENSIONS[update.evidence_type]}",
        content_type=update.evidence_type,
    )


@require("indicator", Action.CHANGE)
def indicator_value(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_for_user_or_404(
        request.user,
        "indicator",
        Action.CHANGE,
        Indicator.objects.select_related("plan", "project"),
        pk=pk,
    )
    form = IndicatorValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plans.indicator_value_enter(
                actor=request.user, indicator=indicator, **form.cleaned_data
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Value saved."))
            if indicator.plan_id:
                return redirect("reports:plan_detail", pk=indicator.plan_id)
            return redirect("programmes:project_detail", pk=indicator.project_id)
    return render(
        request, "reports/indicator_value_form.html", {"form": form, "indicator": indicator}
    )


@require("report_run", Action.LIST)
def run_list(request: HttpRequest) -> HttpResponse:
    form = None
    status = 200
    if can(request.user, "report_run", Action.CREATE):
        today = timezone.localdate()
        form = ReportRequestForm(
            request.POST or None,
            today=today,
            initial={"period": periods.last_complete(periods.Unit.QUARTER, today).key},
        )
        if request.method == "POST" and form.is_valid():
            period = form.cleaned_data["period"]
            try:
                run, created = runs.run_request(
                    kind=form.cleaned_data["kind"],
                    parameters=form.parameters(),
                    period_from=period.start,
                    period_to=period.end,
                    trigger=ReportRun.Trigger.PERSON,
                    requested_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(request, _("Report requested: it is being produced."))
                else:
                    messages.info(request, _("This report exists already for that period."))
                return redirect("reports:run_detail", pk=run.pk)
        if request.method == "POST":
            status = 400  # the form, with what is wrong, again
    elif request.method == "POST":
        raise Http404
    page = page_of(selectors.run_list(actor=request.user), request.GET.get("page"))
    page.object_list = titles.runs_in_words(page.object_list)
    return render(request, "reports/run_list.html", {"page": page, "form": form}, status=status)


@require("report_run", Action.VIEW)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_for_user_or_404(
        request.user,
        "report_run",
        Action.VIEW,
        ReportRun.objects.select_related("requested_by").prefetch_related("files"),
        pk=pk,
    )
    return render(
        request,
        "reports/run_detail.html",
        {"run": run, "words": titles.runs_in_words([run])[0]},
    )


@require("report_run", Action.EXPORT)
def run_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report_file = selectors.run_file_read(actor=request.user, pk=pk, fmt=fmt)
    run = report_file.run
    name = f"{run.kind}-{run.parameters_key.split('=')[-1]}-{run.period_from}-{run.period_to}"
    return private_file_response(
        report_file.file, filename=f"{name}.{fmt}", content_type=builders.CONTENT_TYPES[fmt]
    )


@require("ctdc", Action.EXPORT)
def ctdc_export(request: HttpRequest) -> HttpResponse:
    """The CTDC release of a year: made once (at k of 11 or more), then the same file."""
    today = timezone.localdate()
    form = CtdcReleaseForm(request.POST or None, today=today, first_year=ctdc.first_year())
    if request.method == "POST" and form.is_valid():
        try:
            release = ctdc_services.release_download(
                year=form.cleaned_data["year"],
                k=form.cleaned_data["k"],
                actor=request.user,
                today=today,
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return private_file_response(
                release.file,
                filename=f"ctdc-{release.year}-k{release.k}.csv",
                content_type="text/csv; charset=utf-8",
            )
    return render(
        request,
        "reports/ctdc.html",
        {"columns": ctdc.COLUMNS, "form": form, "releases": CtdcRelease.objects.all()},
        status=400 if request.method == "POST" else 200,
    )


@require("dashboard", Action.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The national dashboard: aggregates only, over a calendar month, quarter or year that
    has ended (or twelve months made of them), every victim figure released as outside the
    case team, for the countries the access policy lets the user see. With no period
    chosen, the newest data (selectors.dashboard_period)."""
    user = request.user
    today = timezone.localdate()
    countries = statistics_countries(user, "dashboard")
    if countries is not None and not countries:
        raise Http404  # a focal point with no organisation: no country's figures
    first, _last = statistics.record_bounds(countries)
    own = user.organisation.country.code if user.organisation_id else ""
    default_country = next(iter(countries)) if countries else own
    options = {
        "countries": countries,
        "default_country": default_country,
        "today": today,
        "first_year": first.year if first else None,
    }
    form = DashboardFilterForm(request.GET or None, **options)
    valid = form.is_bound and form.is_valid()
    criteria = form.cleaned_data if valid else {}
    # The form offers (and accepts) only the countries above: a forged one is invalid.
    country = criteria.get("country") or default_country
    region = criteria.get("region")
    period = criteria.get("period")
    chosen = period is not None
    if period is None:
        period = selectors.dashboard_period(country=country, region=region, today=today)
        if not form.is_bound:
            form = DashboardFilterForm(
                initial={"period": period.key, "country": country},
                default_period=period,
                **options,
            )
        elif valid:
            # The list shows the period shown.
            data = request.GET.copy()
            data["period"] = period.key
            form = DashboardFilterForm(data, default_period=period, **options)
            form.is_valid()
    figures = selectors.dashboard_figures(country=country, region=region, period=period)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "period": period,
            "period_chosen": chosen,
            "period_is_window": isinstance(period, periods.Window),
            "country": country,
            "country_name": Country(country).name if country else "",
            "region": region,
            "chart_svg": _drawn_charts(figures),
            "as_of_today": figures["as_of"] is not None
            and timezone.localtime(figures["as_of"]).date() == today,
            **figures,
        },
        status=400 if form.is_bound and not valid else 200,
    )


def _drawn_charts(figures: dict) -> dict[str, charts.Chart | None]:
    """The dashboard's two bar charts, drawn on the server as SVG (no script to download),
    each when selectors.dashboard_figures says it has something to show: victims identified
    per month, people reached per audience."""
    identified, audiences = figures["charts"]["identified"], figures["charts"]["audiences"]
    # Short months on the axis ("Jan 2026"); a translatable date format, since languages
    # abbreviate months differently.
    month = pgettext("a month under a chart's bar: a Django date format", "M Y")
    return {
        "identified": charts.columns(
            [
                (date_format(periods.parse(key).start, month), value)
                for key, value in figures["cases"]["by_month"]
            ]
        )
        if identified["draw"]
        else None,
        "audiences": charts.bars(list(zip(audiences["labels"], audiences["values"], strict=True)))
        if audiences["draw"]
        else None,
    }
