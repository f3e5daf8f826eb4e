"""Report contents: one function builds the data of a report kind for its parameters and
period; renderers turn it into JSON, XLSX or PDF. The scheduled runs, the download views and
the command line all use these."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Project
from reports import indicators, selectors, statistics
from reports.models import ActionPlan, ProgressUpdate, ReportKind
from reports.statistics import Scope
from screening.statistics import ScreeningScope
from traffick_cm import periods, suppression
from traffick_cm.tables import xlsx_workbook

FORMATS = ("json", "xlsx", "pdf")


def normalise(kind: str, parameters: dict[str, str]) -> dict[str, str]:
    """The parameters as stored: a country code in capitals, so that "cf" and "CF" are one
    report (one run, and the access policy's country match)."""
    result = {key: str(value).strip() for key, value in parameters.items()}
    if "country" in result:
        result["country"] = result["country"].upper()
    return result


def parameters_key(kind: str, parameters: dict[str, str]) -> str:
    """The parameters as one canonical string (for the exactly-once constraint)."""
    return "&".join(f"{key}={parameters[key]}" for key in sorted(parameters))


def resolve(kind: str, parameters: dict[str, str]) -> tuple[Scope, Any]:
    """The scope and subject (project, plan or country code) of a report, or ValidationError."""
    if kind == ReportKind.DONOR:
        project = Project.objects.filter(code=parameters.get("project", "")).first()
        if project is None:
            raise ValidationError(
                _("Unknown project code: %(code)s") % {"code": parameters.get("project")}
            )
        return Scope(project=project), project
    if kind == ReportKind.NAP:
        plan = ActionPlan.objects.filter(code=parameters.get("plan", "")).first()
        if plan is None:
            raise ValidationError(
                _("Unknown action plan: %(code)s") % {"code": parameters.get("plan")}
            )
        return Scope(country=plan.country.code), plan
    if kind == ReportKind.OPERATIONAL:
        country = parameters.get("country", "").upper()
        if len(country) != 2:
            raise ValidationError(_("Give a two-letter country code."))
        return Scope(country=country), country
    raise ValidationError(_("Unknown report kind."))


def build(kind: str, parameters: dict[str, str], start: date, end: date) -> dict[str, Any]:
    """The report's data, over a calendar month, quarter or year that has ended (else
    ValidationError). Every figure about victims is released as outside the case team."""
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    period = periods.release_period(start, end, today=timezone.localdate())
    parameters = normalise(kind, parameters)
    scope, subject = resolve(kind, parameters)
    k = suppression.threshold()
    cases = statistics.cases(scope, period, k=k)
    data: dict[str, Any] = {
        "kind": kind,
        "parameters": parameters,
        "period": {"from": start.isoformat(), "to": end.isoformat(), "key": period.key},
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "trainings": statistics.trainings(scope, start, end),
        # As the reports have always shown them: no breakdown by region or month.
        "cases": {name: v for name, v in cases.items() if name not in ("by_region", "by_month")},
        "referrals": statistics.referrals(scope, period, k=k),
        "services": statistics.services(scope, period, k=k),
        "screenings": _screenings(kind, subject, period, k),
        "indicators": [],
        "suppressed_below": k,
    }
    if kind == ReportKind.DONOR:
        data["project"] = {
            "code": subject.code,
            "title": subject.title,
            "donor": subject.donor.name,
            "countries": [c.code for c in subject.countries],
            "sdg_targets": list(subject.sdg_targets),
        }
        data["indicators"] = indicators.rows(subject.indicators.all(), start, end, k=k)
    elif kind == ReportKind.NAP:
        data["plan"] = {
            "code": subject.code,
            "title": subject.title,
            "country": subject.country.code,
            "action_points_by_pillar": indicators.action_points_by_pillar(subject),
        }
        data["indicators"] = indicators.rows(subject.indicators.all(), start, end, k=k)
        data["progress_updates"] = [
            {
                "action_point": u.action_point.number,
                "date": u.date.isoformat(),
                "status": u.status,
                "narrative": u.narrative,
            }
            for u in _updates(subject, start, end)
        ]
    else:
        data["country"] = subject
    return data


def _screenings(kind: str, subject: Any, period: periods.Span, k: int) -> dict[str, Any]:
    """The screenings of the report's scope: a country's, or a project's (its implementing
    organisations' in its countries: a screening is attributed to no project)."""
    if kind == ReportKind.DONOR:
        scope: ScreeningScope = indicators.project_screenings(subject)
    elif kind == ReportKind.NAP:
        scope = ScreeningScope(country=subject.country.code)
    else:
        scope = ScreeningScope(country=subject)
    figures = selectors.screening_figures(scope, period, k=k)
    figures["by_month"] = [{"month": key, "screened": value} for key, value in figures["by_month"]]
    return figures


def _updates(plan: ActionPlan, start: date, end: date):
    return (
        ProgressUpdate.objects.filter(action_point__plan=plan, date__gte=start, date__lte=end)
        .select_related("action_point")
        .order_by("date", "pk")
    )


def render_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def render_xlsx(data: dict[str, Any]) -> bytes:
    workbook = xlsx_workbook()
    summary = workbook.create_sheet(_("Summary"))
    summary.append([_("Report"), data["kind"]])
    summary.append([_("Period"), data["period"]["from"], data["period"]["to"]])
    for key, value in data["parameters"].items():
        summary.append([key, value])
    summary.append([_("Counts from 1 to k-1 are shown as <k"), data["suppressed_below"]])
    trainings = workbook.create_sheet(_("Trainings"))
    trainings.append([_("Sessions"), data["trainings"]["sessions"]])
    for key, value in data["trainings"]["participants"].items():
        trainings.append([key, value])
    trainings.append([])
    trainings.append([_("Audience"), _("Participants")])
    for key, value in data["trainings"]["by_audience"].items():
        trainings.append([key, value])
    trainings.append([])
    trainings.append([_("Type"), _("Participants")])
    for key, value in data["trainings"]["by_session_type"].items():
        trainings.append([key, value])
    cases = workbook.create_sheet(_("Victims identified"))
    cases.append([_("Identified"), data["cases"]["identified"]])
    for section in ("by_exploitation_type", "by_sex", "by_age_group", "by_citizenship"):
        cases.append([])
        cases.append([section])
        for key, value in data["cases"][section].items():
            cases.append([key, value])
    referrals = workbook.create_sheet(_("Referrals and services"))
    for key, value in data["referrals"].items():
        referrals.append([key, value])
    referrals.append([])
    for key, value in data["services"]["by_type"].items():
        referrals.append([key, value])
    sheet = workbook.create_sheet(_("Indicators"))
    sheet.append(
        [
            _("Code"),
            _("Indicator"),
            _("Unit"),
            _("Baseline"),
            _("Target"),
            _("Value"),
            _("Achieved (%)"),
        ]
    )
    for row in data["indicators"]:
        sheet.append(
            [
                row["code"],
                row["name"],
                row["unit"],
                row["baseline"],
                row["target"],
                row["value"],
                row["achieved_percent"],
            ]
        )
    _screenings_sheet(workbook, data["screenings"])
    if "plan" in data:
        points = workbook.create_sheet(_("Action points"))
        points.append([_("Pillar"), _("Status"), _("Action points")])
        for pillar in data["plan"]["action_points_by_pillar"]:
            for status, n in pillar["by_status"].items():
                points.append([pillar["pillar"], status, n])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _screenings_sheet(workbook, screenings: dict[str, Any]) -> None:
    sheet = workbook.create_sheet(_("Screenings"))
    sheet.append([_("Persons screened"), screenings["screened"]])
    sheet.append([_("Identified as possible or actual victims"), screenings["identified"]])
    sheet.append([_("Share identified (%)"), screenings["share_identified"]])
    sheet.append([])
    sheet.append([_("Month"), _("Persons screened")])
    for row in screenings["by_month"]:
        sheet.append([row["month"], row["screened"]])
    sections = {
        "by_place_type": _("Type of place"),
        "by_region": _("Region"),
        "by_sex": _("Sex"),
        "by_age_group": _("Age group"),
        "by_decision": _("Decision"),
    }
    for section, title in sections.items():
        if section in screenings:
            sheet.append([])
            sheet.append([title, _("Persons screened")])
            for key, value in screenings[section].items():
                sheet.append([key, value])
    sheet.append([])
    sheet.append([_("Indicator"), _("Code"), _("Element"), _("Strength"), _("Screenings")])
    for row in screenings["top_indicators"]:
        sheet.append(
            [row["label"], row["code"], row["element_label"], row["strength_label"], row["count"]]
        )


def render_pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy (Pango, fonts): loaded when a PDF is asked for

    html = render_to_string("reports/pdf/report.html", {"data": data})
    return HTML(string=html).write_pdf()


RENDERERS = {"json": render_json, "xlsx": render_xlsx, "pdf": render_pdf}
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
