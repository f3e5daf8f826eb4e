from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import User
from accounts.policy import Action, can
from partners.forms import RegionChoiceField
from partners.models import Organisation, Region
from programmes.models import Project
from traffick_cm.forms import DateField, DateInput, ModelForm
from traffick_cm.widgets import ChoiceFilterWidget
from trainings import selectors
from trainings import vocabularies as v
from trainings.models import Participant, TrainingSession


class SessionForm(ModelForm):
    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "session_type",
            "topics",
            "audiences",
            "partners",
            "facilitators",
            "country",
            "region",
            "locality",
            "venue",
            "online",
            "start_date",
            "end_date",
            "project",
            "participants_female",
            "participants_male",
            "participants_other",
            "age_under_18",
            "age_18_24",
            "age_25_plus",
            "pre_test_average",
            "post_test_average",
            "notes",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            # Checkboxes with a filter: a list box is not usable by touch.
            "partners": ChoiceFilterWidget(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoiceField(
            label=_("Region"), required=False, queryset=Region.objects.order_by("country", "name")
        )
        # The same lists the import checks a file against.
        self.fields["partners"].queryset = selectors.partner_choices(actor=actor)
        self.fields["project"].queryset = selectors.project_choices(actor=actor)
        self.fields["participants_female"].widget.attrs["data-count"] = "sex"
        self.fields["participants_male"].widget.attrs["data-count"] = "sex"
        self.fields["participants_other"].widget.attrs["data-count"] = "sex"
        if actor.organisation_id and not self.instance.pk:
            self.fields["country"].initial = actor.organisation.country.code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            # On the field (a field in error also spares us the model's generic
            # constraint message).
            self.add_error("end_date", _("The end date comes before the start date."))
        return cleaned


class SessionFilterForm(forms.Form):
    date_from = DateField(label=_("From"), required=False)
    date_to = DateField(label=_("Until"), required=False)
    session_type = forms.ChoiceField(label=_("Type"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    audience = forms.ChoiceField(label=_("Audience"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = RegionChoiceField(label=_("Region"), required=False, queryset=Region.objects.all())
    organiser = forms.ModelChoiceField(
        label=_("Organiser"), required=False, queryset=Organisation.objects.order_by("name")
    )
    project = forms.ModelChoiceField(
        label=_("Project"), required=False, queryset=Project.objects.order_by("code")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["session_type"].choices = every + list(v.SessionType.choices)
        self.fields["topic"].choices = every + list(v.Topic.choices)
        self.fields["audience"].choices = every + list(v.Audience.choices)
        self.fields["country"].choices = every + list(countries)


class ParticipantForm(ModelForm):
    class Meta:
        model = Participant
        fields = [
            "name",
            "organisation",
            "function",
            "sex",
            "phone",
            "email",
            "pre_score",
            "post_score",
        ]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=v.AttachmentKind.choices)
    upload = forms.FileField(label=_("File (PDF, image, XLSX or DOCX)"))


class ImportForm(forms.Form):
    upload = forms.FileField(label=_("CSV or XLSX file"))
    create_missing = forms.BooleanField(
        label=_("Create co-organising partners, projects and regions that do not exist yet"),
        required=False,
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Reference data is for administrators to create: nobody else is offered the choice,
        # and a forged field is ignored (the import refuses it too).
        if not can(actor, "reference_data", Action.CREATE):
            del self.fields["create_missing"]


class RegisterImportForm(forms.Form):
    upload = forms.FileField(label=_("CSV or XLSX file"))
