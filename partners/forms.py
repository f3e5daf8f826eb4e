from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partners.models import Organisation, OrganisationType, Region


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "type",
            "country",
            "regions",
            "phone",
            "email",
            "address",
            "is_active",
        ]
        widgets = {"regions": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.order_by("country", "name")
        self.fields["regions"].help_text = _("Only regions of the organisation's country are kept.")

    def clean(self):
        cleaned = super().clean()
        country, regions = cleaned.get("country"), cleaned.get("regions")
        if country and regions:
            foreign = [r.name for r in regions if r.country != country]
            if foreign:
                self.add_error(
                    "regions",
                    _("These regions are not in the chosen country: %(names)s")
                    % {"names": ", ".join(foreign)},
                )
        return cleaned


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *OrganisationType.choices]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *countries]
