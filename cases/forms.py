from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.policy import RULES, Action
from cases.countries import CountryNameField, CountryNamesField
from cases.models import (
    Assessment,
    Case,
    Consent,
    FollowUp,
    LegalProceeding,
    Person,
    ServiceDelivery,
    SupportPlan,
    TraffickingEvent,
)
from cases.services.case import CASE_FIELDS, EXPLOITATION_FIELDS, PERSON_FIELDS
from partners.models import Organisation, Region
from programmes.models import Project
from traffick_cm import codebooks as v
from traffick_cm.forms import (
    DateField,
    DateInput,
    IdListField,
    LoadedModelChoiceField,
    ModelForm,
    formfield,
)

CASE_FORM_FIELDS = [f for f in CASE_FIELDS if f != "external_id"]


def regions_of(country: str) -> QuerySet[Region]:
    """The regions a form offers for a country: none until a country is chosen."""
    if not country:
        return Region.objects.none()
    return Region.objects.filter(country=country).order_by("name")


PERSON_FORM_FIELDS = list(PERSON_FIELDS)


def _signable(value: Any) -> Any:
    """A loaded value as the edit form signs it: lists stay lists, the rest is text."""
    if value is None or isinstance(value, list):
        return value
    return str(value)


class VersionedEditMixin:
    """An edit form that carries the version it was loaded at and a signed copy of the
    values shown, so that a concurrent change is detected and explained, never overwritten.
    Subclasses set SALT and list their fields in `edit_fields()`."""

    SALT = ""

    @classmethod
    def sign(cls, initial: dict[str, Any]) -> str:
        return signing.dumps({k: _signable(val) for k, val in initial.items()}, salt=cls.SALT)

    def loaded_values(self) -> dict[str, Any]:
        try:
            return signing.loads(self.cleaned_data["loaded"], salt=self.SALT)
        except (signing.BadSignature, KeyError):
            return {}


class CaseFieldsForm(forms.Form):
    """The case and the person, as a caseworker registers or edits them.

    Light on the wire: the country is typed by name (suggestions come from the static
    files), the region list holds the chosen country's regions only (htmx reloads it when
    the country changes), and short choices are radio buttons, so the page carries a few
    dozen <option>s, not hundreds."""

    sex = forms.ChoiceField(label=_("Sex"), choices=v.Sex.choices, widget=forms.RadioSelect)
    # Typed by name, one box per citizenship (a list of 249 countries is no list for a phone).
    citizenships = CountryNamesField(label=_("Citizenships"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        radios = {"trafficking_status", "risk_level"}
        for name in CASE_FORM_FIELDS:
            model_field = Case._meta.get_field(name)
            if name in radios:
                self.fields[name] = formfield(model_field, widget=forms.RadioSelect)
            else:
                self.fields[name] = formfield(model_field)
        for name in PERSON_FORM_FIELDS:
            self.fields[name] = formfield(Person._meta.get_field(name))
        self.fields["identified_country"] = CountryNameField(
            label=capfirst(Case._meta.get_field("identified_country").verbose_name)
        )
        self.fields["identified_country"].widget.attrs.update(
            {
                # The region list follows the country.
                "hx-get": reverse("cases:region_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#id_identified_region",
                "hx-swap": "innerHTML",
            }
        )
        # Only the chosen country's regions are offered, and accepted.
        self.fields["identified_region"] = forms.ModelChoiceField(
            label=_("Region or prefecture of identification"),
            queryset=regions_of(self._country()),
            required=False,
            error_messages={"invalid_choice": _("This region is not in the chosen country.")},
        )
        self.fields["referring_organisation"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["project"].queryset = Project.objects.filter(
            organisations=actor.organisation_id
        ).order_by("code")
        self.fields["estimated_age"].help_text = _("When the date of birth is unknown.")
        self.fields["sogiesc"].help_text = _("Record only with the person's explicit consent.")

    def _country(self) -> str:
        """The country whose regions the form offers: the one posted, else the one shown."""
        field = self.fields["identified_country"]
        if self.is_bound:
            value = self.data.get(self.add_prefix("identified_country"), "")
        else:
            value = self.get_initial_for_field(field, "identified_country")
        try:
            return field.to_python(str(value or ""))
        except forms.ValidationError:
            return ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        dob = cleaned.get("date_of_birth")
        if dob and dob > today:
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        age = cleaned.get("estimated_age")
        if age is not None and age > 120:
            self.add_error("estimated_age", _("Enter an age of 120 or less."))
        region, country = cleaned.get("identified_region"), cleaned.get("identified_country")
        if region and country and region.country != country:
            self.add_error("identified_region", _("This region is not in the chosen country."))
        if cleaned.get("sogiesc") and not cleaned.get("sogiesc_consent"):
            self.add_error(
                "sogiesc",
                _("SOGIESC information is recorded only when the person explicitly agreed."),
            )
        if cleaned.get("disability_details") and not cleaned.get("has_disability"):
            cleaned["disability_details"] = ""
        identified_on = cleaned.get("identified_on")
        if identified_on and identified_on > today:
            self.add_error("identified_on", _("The date of identification is in the future."))
        return cleaned

    def case_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in CASE_FORM_FIELDS if k in self.cleaned_data}

    def person_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in PERSON_FORM_FIELDS if k in self.cleaned_data}


class CaseRegisterForm(CaseFieldsForm):
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation"),
        choices=v.ExploitationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_confirmed = forms.BooleanField(
        label=_(
            "The person (or their guardian) was informed of the purpose and use of the data "
            "and of the right to withdraw, and consented to data collection."
        ),
    )
    share_consent = forms.BooleanField(
        label=_(
            "They also consented to referral: sharing with a partner what it needs to "
            "provide a service."
        ),
        required=False,
        # Explained under the box (templates/cases/case_register.html): a help text would
        # squeeze the label beside it on a phone.
        widget=forms.CheckboxInput(attrs={"aria-describedby": "share-consent-help"}),
    )
    consent_given_by = forms.ChoiceField(
        label=_("Consent given by"), choices=v.ConsentGiver.choices, widget=forms.RadioSelect
    )
    consent_method = forms.ChoiceField(
        label=_("Consent given"), choices=v.ConsentMethod.choices, widget=forms.RadioSelect
    )
    consent_given_on = DateField(label=_("Date of consent"))
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        dob, age = cleaned.get("date_of_birth"), cleaned.get("estimated_age")
        identified_on = cleaned.get("identified_on") or timezone.localdate()
        years = age
        if dob:
            years = (
                identified_on.year
                - dob.year
                - ((identified_on.month, identified_on.day) < (dob.month, dob.day))
            )
        if (
            years is not None
            and years < 18
            and cleaned.get("consent_given_by") == v.ConsentGiver.PERSON
        ):
            self.add_error(
                "consent_given_by",
                _(
                    "For a child, consent is given with a parent or guardian, or through a "
                    "best-interest determination."
                ),
            )
        given_on = cleaned.get("consent_given_on")
        if given_on and given_on > timezone.localdate():
            self.add_error("consent_given_on", _("The consent date is in the future."))
        return cleaned


class CaseEditForm(VersionedEditMixin, CaseFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    loaded = forms.CharField(widget=forms.HiddenInput)

    SALT = "cases.case-edit"

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        person = case.person
        initial: dict[str, Any] = {"sex": case.sex, "citizenships": case.citizenships}
        for name in CASE_FORM_FIELDS:
            value = getattr(case, name)
            initial[name] = value.pk if hasattr(value, "pk") else value
        for name in PERSON_FORM_FIELDS:
            initial[name] = getattr(person, name)
        initial["version"] = case.version
        initial["loaded"] = cls.sign(initial)
        return initial

    def changes(self) -> dict[str, Any]:
        names = [*CASE_FORM_FIELDS, *PERSON_FORM_FIELDS, "sex", "citizenships"]
        return {k: self.cleaned_data[k] for k in names if k in self.cleaned_data}


class ExploitationForm(VersionedEditMixin, ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    loaded = forms.CharField(widget=forms.HiddenInput)
    SALT = "cases.exploitation-edit"

    class Meta:
        model = Case
        fields = list(EXPLOITATION_FIELDS)

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        initial = {name: getattr(case, name) for name in EXPLOITATION_FIELDS}
        initial["version"] = case.version
        initial["loaded"] = cls.sign(initial)
        return initial

    def changes(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in EXPLOITATION_FIELDS}


class ConsentForm(ModelForm):
    class Meta:
        model = Consent
        fields = ["scope", "granted", "given_by", "method", "given_on"]
        widgets = {"given_on": DateInput()}


class EventForm(ModelForm):
    country = CountryNameField(
        label=capfirst(TraffickingEvent._meta.get_field("country").verbose_name)
    )

    class Meta:
        model = TraffickingEvent
        fields = ["type", "country", "place", "date", "description"]
        widgets = {"date": DateInput()}


class AssessmentForm(ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "needs", "risk_level", "risks"]
        widgets = {"assessed_on": DateInput()}


class SupportPlanForm(ModelForm):
    class Meta:
        model = SupportPlan
        fields = ["type", "objectives", "action_plan", "planned_services", "planned_end_on"]
        widgets = {"planned_end_on": DateInput()}


class ServiceForm(ModelForm):
    class Meta:
        model = ServiceDelivery
        fields = [
            "service_type",
            "delivered_on",
            "provider",
            "cost",
            "currency",
            "project",
            "notes",
        ]
        widgets = {"delivered_on": DateInput()}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["provider"].initial = case.organisation_id
        self.fields["project"].queryset = Project.objects.filter(organisations=case.organisation_id)
        self.fields["project"].initial = case.project_id


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )


class FollowUpForm(ModelForm):
    class Meta:
        model = FollowUp
        fields = ["due_on", "purpose", "assigned_to"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = case.caseworkers.all()


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=v.DocumentKind.choices)
    upload = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class LegalProceedingForm(ModelForm):
    class Meta:
        model = LegalProceeding
        fields = [
            "stage",
            "complaint_on",
            "investigation_on",
            "prosecution_on",
            "judgment_on",
            "outcome",
            "person_role",
            "compensation_awarded",
            "compensation_amount",
            "notes",
        ]
        widgets = {
            f: DateInput()
            for f in ("complaint_on", "investigation_on", "prosecution_on", "judgment_on")
        }


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=v.CaseStatus.choices)
    note = forms.CharField(required=False, max_length=300)


class ClosureRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closure"), choices=v.ClosureReason.choices)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ClosureDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Return"))], coerce=lambda x: x == "1"
    )
    note = forms.CharField(label=_("Comment"), required=False, max_length=300)


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("Why is the case reopened?"), max_length=300)


def assignable_users(organisation_id: int | None) -> QuerySet[User]:
    """The organisation's people whom the policy lets work a case (`case_assignee`): those
    a supervisor may assign, and those the case list filters by."""
    roles = RULES["case_assignee"][Action.CHANGE]
    return (
        User.objects.filter(organisation=organisation_id, role_assignments__role__in=roles)
        .distinct()
        .order_by("last_name")
    )


class AssignForm(forms.Form):
    primary = forms.ModelChoiceField(label=_("Caseworker in charge"), queryset=User.objects.none())
    caseworkers = forms.ModelMultipleChoiceField(
        label=_("Assigned caseworkers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = assignable_users(case.organisation_id).filter(is_active=True)
        self.fields["primary"].queryset = team
        self.fields["caseworkers"].queryset = team


# A case number (CF-2026-00012, or an earlier one of a case identified abroad, with both
# countries: CF-CM-2025-00003) is not personal: it may stay in a page address.
CASE_NUMBER = re.compile(r"^[A-Za-z]{2}(?:-[A-Za-z]{2})?-\d{4}-\d{1,10}$")


def is_case_number(text: str) -> bool:
    return bool(CASE_NUMBER.match(text.strip()))


class CaseSearchForm(forms.Form):
    """The case list's search box. Posted, never sent in the address: a name typed here
    must not reach access logs, browser history or Referer headers."""

    q = forms.CharField(label=_("Case number or name"), required=False, max_length=100)


class CaseFilterForm(forms.Form):
    """The case list's filters, in the page address (none of them is personal); a name
    search is kept server-side under the opaque key `search`."""

    number = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("team", _("All cases I can see")),
            ("mine", _("My cases")),
            ("follow_ups", _("Follow-ups due")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"), required=False, widget=forms.RadioSelect
    )
    exploitation_type = forms.ChoiceField(label=_("Exploitation"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, widget=forms.RadioSelect)
    age_group = forms.ChoiceField(label=_("Age group"), required=False)
    citizenship = CountryNameField(label=_("Citizenship"), required=False)
    region = LoadedModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.none()
    )
    caseworker = LoadedModelChoiceField(
        label=_("Caseworker"), required=False, queryset=User.objects.none()
    )
    identified_from = DateField(label=_("Identified from"), required=False)
    identified_to = DateField(label=_("Identified until"), required=False)
    flags = forms.MultipleChoiceField(
        label=_("Flags"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("is_child", _("Child")),
            ("unaccompanied_child", _("Unaccompanied child")),
            ("urgent_medical_need", _("Urgent medical need")),
            ("security_risk", _("Security risk")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("updated", _("Last updated")),
            ("identified", _("Date of identification")),
            ("number", _("Case number")),
        ],
    )

    # Radio buttons: the box checked when the address chooses nothing.
    RADIO_DEFAULTS = {"trafficking_status": "", "sex": "", "sort": "updated"}

    def __init__(self, data: Any = None, *args: Any, actor: User, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            for name, default in self.RADIO_DEFAULTS.items():
                if not data.get(name):
                    data[name] = default
        super().__init__(data, *args, **kwargs)
        self.initial = {**self.RADIO_DEFAULTS, **self.initial}
        every = [("", _("All"))]
        self.fields["status"].choices = every + list(v.CaseStatus.choices)
        self.fields["trafficking_status"].choices = every + list(v.TraffickingStatus.choices)
        self.fields["exploitation_type"].choices = every + list(v.ExploitationType.choices)
        self.fields["sex"].choices = every + list(v.Sex.choices)
        self.fields["age_group"].choices = every + [
            (c, label) for c, label, _lo, _hi in v.AGE_GROUPS
        ]
        self.fields["caseworker"].queryset = assignable_users(actor.organisation_id)
        if actor.organisation_id:
            self.fields["region"].queryset = regions_of(actor.organisation.country.code)

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        return number.upper() if is_case_number(number) else ""


class ImportForm(forms.Form):
    upload = forms.FileField(label=_("CSV or XLSX file in the HTCDS layout"))


class CaseExportForm(forms.Form):
    """The cases chosen for an export (`?case=1&case=2&format=csv`)."""

    case = IdListField(limit=500)
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
        required=False,
        error_messages={"invalid_choice": _("Choose a format: CSV or XLSX.")},
    )

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or "csv"
