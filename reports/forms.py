from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partners.forms import RegionChoiceField
from partners.models import Region
from programmes.models import Project
from reports.ctdc import MIN_K
from reports.models import ActionPlan, ActionPointStatus, ReportKind
from traffick_cm import periods
from traffick_cm.forms import DateInput, PeriodField


def countries_list() -> list[tuple[str, str]]:
    return list(countries)


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=[])
    project = forms.ModelChoiceField(
        label=_("Project (donor report)"), required=False, queryset=Project.objects.order_by("code")
    )
    plan = forms.ModelChoiceField(
        label=_("Action plan (progress report)"), required=False, queryset=None
    )
    country = forms.ChoiceField(label=_("Country (operational statistics)"), required=False)

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ReportKind.choices
        self.fields["plan"].queryset = ActionPlan.objects.order_by("code")
        self.fields["country"].choices = [("", "—"), *countries]
        self.fields["period"] = PeriodField(
            today=today,
            help_text=_("A calendar month, quarter or year that has ended."),
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        needed = {"donor": "project", "nap": "plan", "operational": "country"}.get(kind)
        if needed and not cleaned.get(needed):
            self.add_error(needed, _("Choose one for this report."))
        return cleaned

    def parameters(self) -> dict[str, str]:
        kind = self.cleaned_data["kind"]
        if kind == "donor":
            return {"project": self.cleaned_data["project"].code}
        if kind == "nap":
            return {"plan": self.cleaned_data["plan"].code}
        return {"country": self.cleaned_data["country"]}


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=[])
    narrative = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    evidence = forms.FileField(label=_("Evidence (optional)"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ActionPointStatus.choices


class IndicatorValueForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)


class SpanField(forms.ChoiceField):
    """A calendar month, quarter or year that has ended, or twelve months ending with a
    month that has (periods.Window): the periods of the dashboard and the plan pages."""

    def __init__(
        self,
        *,
        today: date,
        first_year: int | None = None,
        windows: tuple[periods.Window, ...] = (),
        **kwargs,
    ) -> None:
        kwargs.setdefault("label", _("Period"))
        self.today = today
        last = periods.Window(periods.last_complete(periods.Unit.MONTH, today))
        rolling = sorted({last, *windows}, reverse=True)
        choices = [
            (str(_("Twelve months")), [(window.key, window.label) for window in rolling]),
            *periods.choices(today, first_year=first_year),
        ]
        super().__init__(choices=choices, **kwargs)

    def valid_value(self, value) -> bool:
        # Any twelve months that have ended, not only those offered: an address kept from
        # an earlier month still shows its window.
        try:
            span = periods.parse_span(str(value))
        except ValueError:
            return False
        if isinstance(span, periods.Window):
            return span.is_complete(self.today)
        return super().valid_value(value)

    def clean(self, value: Any) -> periods.Span | None:
        key = super().clean(value)
        return periods.parse_span(key) if key else None


def _asked_window(data, today: date) -> tuple[periods.Window, ...]:
    """The window an address asks for, offered in the list so that it shows as chosen."""
    try:
        span = periods.parse_span(str(data.get("period", "")))
    except ValueError:
        return ()
    return (span,) if isinstance(span, periods.Window) and span.is_complete(today) else ()


class DashboardFilterForm(forms.Form):
    """Which period, country and region the dashboard shows. `countries` is what the access
    policy lets the user see (None: every country): with one, there is no country to choose
    and the regions are that country's. `default_country` is shown when none is chosen;
    `default_period` (a window of twelve months) is offered beside the last one."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    region = RegionChoiceField(label=_("Region"), required=False, queryset=None)

    def __init__(
        self,
        *args,
        countries: frozenset[str] | None,
        default_country: str,
        today: date,
        first_year: int | None = None,
        default_period: periods.Span | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_country = default_country
        windows = _asked_window(self.data, today)
        if isinstance(default_period, periods.Window):
            windows += (default_period,)
        self.fields["period"] = SpanField(
            today=today, first_year=first_year, windows=windows, required=False
        )
        self.order_fields(["period", "country", "region"])
        regions = Region.objects.order_by("country", "name")
        if countries is None:
            self.fields["country"].choices = [("", "—"), *countries_list()]
        elif len(countries) == 1:
            del self.fields["country"]
            regions = regions.filter(country__in=countries)
        else:
            self.fields["country"].choices = [
                (code, name) for code, name in countries_list() if code in countries
            ]
            regions = regions.filter(country__in=countries)
        self.fields["region"].queryset = regions

    def clean(self):
        cleaned = super().clean()
        region = cleaned.get("region")
        country = cleaned.get("country") or self.default_country
        if region is not None and region.country.code != country:
            self.add_error("region", _("This region is not in the country chosen."))
        return cleaned


class PlanPeriodForm(forms.Form):
    """The period of a plan's indicator values: to date (none chosen), or the dashboard's
    periods, so that a plan's page and the dashboard can be set side by side."""

    def __init__(self, *args, today: date, first_year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = SpanField(
            today=today,
            first_year=first_year,
            windows=_asked_window(self.data, today),
            required=False,
        )
        field.choices = [("", _("To date")), *field.choices]
        self.fields["period"] = field


class CtdcReleaseForm(forms.Form):
    """Which year's CTDC release, and its k (never under the minimum)."""

    k = forms.IntegerField(
        label="k",
        initial=MIN_K,
        min_value=MIN_K,
        max_value=1000,
        help_text=_(
            "Every combination of the released values describes at least k people; "
            "k is never under %(minimum)s."
        )
        % {"minimum": MIN_K},
    )

    def __init__(self, *args, today: date, first_year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        last = periods.last_complete(periods.Unit.YEAR, today).year
        first = min(first_year or last, last)
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Year of registration"),
            coerce=int,
            choices=[(y, str(y)) for y in range(last, first - 1, -1)],
            help_text=_("One release per calendar year that has ended."),
        )
        self.order_fields(["year", "k"])
