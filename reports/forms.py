from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reports.models import Donor, Project
from traffick_cm.forms import DateInput


class DonorForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["name", "acronym", "country"]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["code", "title", "donor", "countries", "organisations", "start_date", "end_date"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "organisations": forms.SelectMultiple(attrs={"size": 8}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date comes before the start date."))
        return cleaned


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    donor = forms.ModelChoiceField(
        label=_("Donor"), required=False, queryset=Donor.objects.all(), empty_label=_("All donors")
    )
    current = forms.BooleanField(label=_("Running today"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *countries]


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=[])
    project = forms.ModelChoiceField(
        label=_("Project (donor report)"), required=False, queryset=Project.objects.order_by("code")
    )
    plan = forms.ModelChoiceField(
        label=_("Action plan (progress report)"), required=False, queryset=None
    )
    country = forms.ChoiceField(label=_("Country (operational statistics)"), required=False)
    period_from = forms.DateField(label=_("From"), widget=DateInput())
    period_to = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        from reports.models import ActionPlan, ReportKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ReportKind.choices
        self.fields["plan"].queryset = ActionPlan.objects.order_by("code")
        self.fields["country"].choices = [("", "—"), *countries]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        needed = {"donor": "project", "nap": "plan", "operational": "country"}.get(kind)
        if needed and not cleaned.get(needed):
            self.add_error(needed, _("Choose one for this report."))
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The period ends before it starts."))
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
        from reports.models import ActionPointStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ActionPointStatus.choices


class IndicatorValueForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=None)

    def __init__(self, *args, **kwargs) -> None:
        from partners.models import Region

        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries]
        self.fields["region"].queryset = Region.objects.order_by("country", "name")
