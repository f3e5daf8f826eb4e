from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import User
from partners.models import Contact, Organisation, OrganisationType, PathwayStep, Region
from partners.services import COUNTRY_CHANGE_REFUSED, DIRECTORY_FIELDS, may_change_country
from traffick_cm.codebooks import Language, ServiceType
from traffick_cm.forms import LoadedModelChoiceField, ModelForm


class OrganisationForm(ModelForm):
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

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.order_by("country", "name")
        self.fields["regions"].help_text = _(
            "Only regions of the organisation's country are kept. None: it works in the "
            "whole country (national coverage)."
        )
        if self.instance.pk and not may_change_country(actor):
            # The country decides what the organisation's users reach: superusers only.
            self.fields["country"].disabled = True
            self.fields["country"].help_text = _("Only a superuser can change the country.")

    def clean(self):
        cleaned = super().clean()
        country_field = self.fields["country"]
        posted = self.data.get(self.add_prefix("country"))
        if country_field.disabled and posted and posted != self.instance.country.code:
            # A browser does not send a disabled field: someone typed one in. Say no.
            self.add_error(None, COUNTRY_CHANGE_REFUSED)
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


class DirectoryProfileForm(ModelForm):
    """What a partner focal point keeps up to date about its own organisation."""

    class Meta:
        model = Organisation
        fields = list(DIRECTORY_FIELDS)


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "function", "phone", "email", "is_focal_point"]


class PathwayStepForm(ModelForm):
    class Meta:
        model = PathwayStep
        fields = ["service_type", "region", "partner", "rank", "notes"]

    def __init__(self, *args, country: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        self.fields["region"].queryset = Region.objects.filter(country=country)
        self.fields["partner"].queryset = Organisation.objects.filter(is_active=True).order_by(
            "name"
        )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    service = forms.ChoiceField(label=_("Service"), required=False)
    region = LoadedModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.order_by("country", "name")
    )
    serves = forms.ChoiceField(
        label=_("Serves"),
        required=False,
        choices=[
            ("", _("Anyone")),
            ("children", _("Children")),
            ("adults", _("Adults")),
            ("female", _("Women and girls")),
            ("male", _("Men and boys")),
        ],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *OrganisationType.choices]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *countries]
        if "service" in self.fields:
            self.fields["service"].choices = [("", _("All services")), *ServiceType.choices]
            self.fields["language"].choices = [("", _("All languages")), *Language.choices]


class RegionChoiceForm(forms.Form):
    """A region named in a query string (`?region=12`): an unknown or malformed id is simply
    not a choice."""

    region = forms.ModelChoiceField(queryset=Region.objects.all())


class RegionChoiceField(forms.ModelChoiceField):
    """Regions of several countries in one list: the country code tells them apart."""

    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.name} ({obj.country.code})"
