"""The screening's forms: the interview (built from screening/questions.py, so the form and
the indicators read the same codes), the decision, opening a case, and the list's filters."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.countries import CountryNameField
from cases.forms import CaseRegisterForm, regions_of
from cases.models import Person
from partners.models import Region
from screening.models import AGE_GROUP_CHOICES, PlaceType, Risk, Screening
from screening.questions import SECTION_LABELS, Kind, Question, Section, questions
from screening.services import FIELDS
from traffick_cm import codebooks as v
from traffick_cm.forms import LoadedModelChoiceField, formfield
from traffick_cm.widgets import ChoiceFilterWidget

NOT_ASKED = ("", _("Not asked or no answer"))
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def question_field(question: Question) -> forms.Field:
    """The form field of one interview question: never required (a question may not have
    been asked); radio buttons with a "not asked" choice, checkboxes, or a country box."""
    if question.kind == Kind.COUNTRY:
        return CountryNameField(label=question.label, required=False)
    if question.kind == Kind.MANY:
        return forms.MultipleChoiceField(
            label=question.label,
            choices=question.choices,
            required=False,
            widget=ChoiceFilterWidget(filter_from=12),
            help_text=question.help_text,
        )
    widget = forms.Select if question.long_list else forms.RadioSelect
    return forms.ChoiceField(
        label=question.label,
        choices=[NOT_ASKED, *question.choices],
        required=False,
        widget=widget,
        help_text=question.help_text,
    )


class ScreeningForm(forms.Form):
    """The interview. Its questions are the country's (questions.questions): the country
    posted, else the one shown, else the organisation's."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    consented = forms.BooleanField(
        label=_(
            "The person was told what the interview is for and how the answers are kept, "
            "and agreed to answer."
        ),
    )
    screened_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    identified_country = CountryNameField(label=_("Country"))
    identified_region = forms.ModelChoiceField(
        label=_("Region or prefecture"), queryset=Region.objects.none(), required=False
    )
    identified_locality = forms.CharField(
        label=_("Locality or site"), max_length=120, required=False
    )
    place_type = forms.ChoiceField(
        label=_("Type of place"), choices=PlaceType.choices, widget=forms.RadioSelect
    )
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        help_text=_("Only if the person wants to give it: leave empty for an anonymous screening."),
    )
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=v.Sex.choices, widget=forms.RadioSelect)
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=[("", "---------"), *AGE_GROUP_CHOICES], required=False
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("If known; otherwise choose the age group."),
    )
    citizenship = CountryNameField(label=_("Citizenship"), required=False)
    account = forms.CharField(
        label=_("The person's own account"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In the person's words, as far as they wish to tell. Kept encrypted."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Immediate needs"),
        choices=v.ServiceType.choices,
        required=False,
        widget=ChoiceFilterWidget(filter_from=20),
    )
    risks = forms.MultipleChoiceField(
        label=_("Risks"),
        choices=Risk.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        choices=[NOT_ASKED, *v.RiskLevel.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    risks_note = forms.CharField(
        label=_("Needs and risks: details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["identified_country"].widget.attrs.update(
            {
                # The region list follows the country (the case registration's list).
                "hx-get": reverse("cases:region_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#id_identified_region",
                "hx-swap": "innerHTML",
            }
        )
        country = self.country()
        self.fields["identified_region"].queryset = regions_of(country)
        self.questions = questions(country)
        for question in self.questions:
            self.fields[question.code] = question_field(question)

    def country(self) -> str:
        field = self.fields["identified_country"]
        if self.is_bound:
            value = self.data.get(self.add_prefix("identified_country"), "")
        else:
            value = self.get_initial_for_field(field, "identified_country")
        try:
            return field.to_python(str(value or "")) or ""
        except forms.ValidationError:
            return ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("age_group") and cleaned.get("estimated_age") is None:
            self.add_error("age_group", _("Give an age group or an estimated age."))
        return cleaned

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.cleaned_data}

    def answers(self) -> dict[str, Any]:
        return {q.code: self.cleaned_data.get(q.code) for q in self.questions}

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The interview's bound fields, by section, for the template."""
        grouped: dict[Section, list[forms.BoundField]] = {section: [] for section in Section}
        for question in self.questions:
            grouped[question.section].append(self[question.code])
        return [(SECTION_LABELS[section], fields) for section, fields in grouped.items() if fields]

    @staticmethod
    def initial_for(screening: Screening) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(screening, name) for name in FIELDS}
        initial["screened_at"] = timezone.localtime(screening.screened_at).strftime(DATETIME_FORMAT)
        initial["identified_country"] = str(screening.identified_country)
        initial["identified_region"] = screening.identified_region_id
        initial["citizenship"] = str(screening.citizenship or "")
        initial.update(screening.answers)
        return initial

    @staticmethod
    def initial_new(actor: User) -> dict[str, Any]:
        now: datetime = timezone.localtime()
        return {
            "screened_at": now.strftime(DATETIME_FORMAT),
            "identified_country": actor.organisation.country.code if actor.organisation_id else "",
        }


class ScreeningEditForm(ScreeningForm):
    """The same interview, edited: the version it was loaded at detects a colleague's save."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The person agreed when the interview was recorded.
        del self.fields["consented"]
        del self.fields["submission_token"]


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trafficking status"),
        choices=v.TraffickingStatus.choices,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the decision rests on: the answers, documents, a check with a partner."),
        max_length=5000,
    )
    reason_against_suggestion = forms.CharField(
        label=_("Reason for deciding against the suggestion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the status differs from the suggested one."),
        max_length=5000,
    )


class CaseOpenForm(forms.Form):
    """What a case file needs beyond the screening: the person's name (asked now if the
    screening was anonymous) and their consent to data collection, as at registration."""

    consent_confirmed = CaseRegisterForm.base_fields["consent_confirmed"]
    share_consent = CaseRegisterForm.base_fields["share_consent"]
    consent_given_by = CaseRegisterForm.base_fields["consent_given_by"]
    consent_method = CaseRegisterForm.base_fields["consent_method"]
    consent_given_on = CaseRegisterForm.base_fields["consent_given_on"]
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    PERSON_FIELDS = ("first_name", "middle_name", "last_name", "date_of_birth", "estimated_age")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.PERSON_FIELDS:
            field = formfield(Person._meta.get_field(name))
            field.label = capfirst(field.label)
            self.fields[name] = field
        self.fields["estimated_age"].help_text = _("When the date of birth is unknown.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        given_on = cleaned.get("consent_given_on")
        if given_on and given_on > timezone.localdate():
            self.add_error("consent_given_on", _("The consent date is in the future."))
        dob = cleaned.get("date_of_birth")
        if dob and dob > timezone.localdate():
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        return cleaned

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.PERSON_FIELDS}

    @staticmethod
    def initial_for(screening: Screening) -> dict[str, Any]:
        return {
            "first_name": screening.first_name,
            "last_name": screening.last_name,
            "estimated_age": screening.estimated_age,
            "consent_given_on": timezone.localdate(),
        }


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The "decided" filter's choice for screenings nobody has decided yet.
UNDECIDED = "undecided"


class ScreeningFilterForm(forms.Form):
    """The list's filters, in the page address: none of them is personal."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    place_type = forms.ChoiceField(
        label=_("Type of place"), required=False, choices=[("", _("All")), *PlaceType.choices]
    )
    region = LoadedModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.none()
    )
    suggested = forms.ChoiceField(
        label=_("Suggested status"),
        required=False,
        choices=[("", _("All")), *v.TraffickingStatus.choices],
    )
    decided = forms.ChoiceField(
        label=_("Decided status"),
        required=False,
        choices=[("", _("All")), (UNDECIDED, _("Not decided yet")), *v.TraffickingStatus.choices],
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = actor.organisation.country.code if actor.organisation_id else ""
        self.fields["region"].queryset = regions_of(country)

    def clean_month(self) -> str:
        month = self.cleaned_data["month"].strip()
        if month and not MONTH.match(month):
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-03."))
        if month and not 1900 <= int(month[:4]) <= 2100:
            raise forms.ValidationError(_("Enter a month between 1900 and 2100."))
        return month
