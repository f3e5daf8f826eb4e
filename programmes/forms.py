from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from programmes.models import Donor, Project
from traffick_cm.forms import DateInput, ModelForm
from traffick_cm.widgets import ChoiceFilterWidget


class DonorForm(ModelForm):
    class Meta:
        model = Donor
        fields = ["name", "acronym", "country"]


class ProjectForm(ModelForm):
    class Meta:
        model = Project
        fields = ["code", "title", "donor", "countries", "organisations", "start_date", "end_date"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            # Checkboxes with a filter: a list box is not usable by touch.
            "countries": ChoiceFilterWidget(),
            "organisations": ChoiceFilterWidget(),
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
