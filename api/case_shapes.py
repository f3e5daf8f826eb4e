"""The shapes of the cases API: the names of its keys (HTCDS where the codebook has one)
and the pages' form fields they stand for, and the representations of a case file and its
records (api/cases.py serves them)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import exceptions, serializers

from api import forms as api_forms
from api.mixins import version_of
from cases import forms as case_forms
from cases import selectors
from cases.models import CaseNote, Consent, FollowUp, ServiceDelivery, TraffickingEvent
from cases.services import records
from traffick_cm import codebooks as v

# --- Names: the API's (HTCDS where the codebook has one) -> the pages' form fields ---------

# Case fields of the registration and edit forms.
CASE_KEYS = {
    "identified_on": "identified_on",
    "identified_country": "identified_country",
    "identified_region": "identified_region",
    "identified_locality": "identified_locality",
    "identification_method": "identification_method",
    "cas_ReferringOrganisation": "referring_organisation",
    "vic_TraffickingStatus": "trafficking_status",
    "vic_TraffickingStatusDecisionMakingOrg": "status_decided_by",
    "risk_level": "risk_level",
    "unaccompanied_child": "unaccompanied_child",
    "urgent_medical_need": "urgent_medical_need",
    "security_risk": "security_risk",
    "project": "project",
}
# The exploitation page's fields (registration takes the types of exploitation only).
EXPLOITATION_KEYS = {
    "vic_TypeOfExploitation": "exploitation_types",
    "vic_ForcedLabourIndustry": "labour_industry",
    "vic_TypeOfSexExploitation": "sex_exploitation_types",
    "vic_MethodsOfControl": "methods_of_control",
    "vic_MethodOfRecruitment": "recruitment_methods",
    "vic_RelationshipToTrafficker": "relationship_to_trafficker",
    "vic_AgeWhenTrafficked": "age_when_trafficked",
    "exploitation_months": "exploitation_months",
}
# Consent to data collection, given at registration.
REGISTER_KEYS = {
    "con_Consent": "consent_confirmed",
    "consent_given_by": "consent_given_by",
    "consent_method": "consent_method",
    "consent_given_on": "consent_given_on",
}
# The person (`sex` and the citizenships are kept on the case, for statistics).
PERSON_KEYS = {
    "prs_FirstName": "first_name",
    "prs_MiddleName": "middle_name",
    "prs_SecondName": "last_name",
    "aliases": "aliases",
    "sex": "sex",
    "prs_Gender": "gender",
    "prs_Birthdate": "date_of_birth",
    "estimated_age": "estimated_age",
    "prs_MaritalStatus": "marital_status",
    "prs_NumberOfChildren": "number_of_children",
    "prs_HighestLevelOfEducation": "education",
    "prs_Citizenship": "citizenships",
    "prs_IdentityNumber": "identity_documents",
    "prs_MobilePhone": "phone",
    "prs_MailingStreet": "address",
    "displacement_status": "displacement_status",
    "has_disability": "has_disability",
    "disability_details": "disability_details",
    "sogiesc_consent": "sogiesc_consent",
    "sogiesc": "sogiesc",
}
# The form fields that take several values (a JSON list).
LIST_FIELDS = frozenset(
    {
        "exploitation_types",
        "sex_exploitation_types",
        "methods_of_control",
        "recruitment_methods",
        "citizenships",
    }
)
# HTCDS has a primary and a secondary language; a person may speak more.
LANGUAGE_KEYS = ("prs_PrimaryLanguage", "prs_SecondaryLanguage", "other_languages")

# The HTCDS names used here: each is a column of the import and export (a test checks).
HTCDS_KEYS = {
    key
    for keys in (CASE_KEYS, EXPLOITATION_KEYS, REGISTER_KEYS, PERSON_KEYS)
    for key in keys
    if key.startswith(("prs_", "vic_", "cas_", "con_"))
} | {"prs_PrimaryLanguage", "prs_SecondaryLanguage", "cas_Status"}


def _unknown() -> list[str]:
    return [_("This field does not exist or cannot be set here.")]


def _api_name(form_field: str) -> str:
    """The API's name of a form field, for field errors (`person.` for the person's)."""
    for keys in (CASE_KEYS, EXPLOITATION_KEYS, REGISTER_KEYS):
        for key, name in keys.items():
            if name == form_field:
                return key
    if form_field == "languages":
        return "person.prs_PrimaryLanguage"
    for key, name in PERSON_KEYS.items():
        if name == form_field:
            return f"person.{key}"
    return form_field


def renamed(error: exceptions.ValidationError) -> exceptions.ValidationError:
    detail = error.detail
    if isinstance(detail, dict):
        return exceptions.ValidationError({_api_name(k): v for k, v in detail.items()})
    return error


def clean_named(form_class: type[forms.BaseForm], data: dict[str, Any], **kwargs: Any) -> dict:
    """The page's form on the translated body; its errors under the API's names."""
    try:
        return api_forms.clean(form_class, data, **kwargs)
    except exceptions.ValidationError as error:
        raise renamed(error) from None


def _languages(sent: dict[str, Any], current: list[str]) -> list[Any]:
    """The person's languages from the HTCDS primary and secondary language and the others;
    a key left out keeps what is recorded."""
    primary = sent.get("prs_PrimaryLanguage", current[0] if current else "")
    secondary = sent.get("prs_SecondaryLanguage", current[1] if len(current) > 1 else "")
    others = sent.get("other_languages", current[2:])
    if others is None:
        others = []
    if not isinstance(others, list):
        raise exceptions.ValidationError({"person.other_languages": [_("Send a list.")]})
    return [code for code in (primary, secondary, *others) if code not in (None, "")]


def form_data_named(
    data: Any, *, case_keys: dict[str, str], current_languages: list[str]
) -> dict[str, Any]:
    """A body in the API's names as the form's fields; an unknown name is refused."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    person = data.get("person", {})
    if person is None:
        person = {}
    if not isinstance(person, dict):
        raise exceptions.ValidationError({"person": [_("Send a JSON object.")]})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "person":
            continue
        if key in case_keys:
            values[case_keys[key]] = value
        else:
            errors[key] = _unknown()
    languages = {}
    for key, value in person.items():
        if key in PERSON_KEYS:
            values[PERSON_KEYS[key]] = value
        elif key in LANGUAGE_KEYS:
            languages[key] = value
        else:
            errors[f"person.{key}"] = _unknown()
    for name, value in values.items():
        if isinstance(value, dict) or (isinstance(value, list) and name not in LIST_FIELDS):
            errors[_api_name(name)] = [_("Send a single value.")]
    if errors:
        raise exceptions.ValidationError(errors)
    if languages:
        values["languages"] = _languages(languages, current_languages)
    return values


# --- Representations --------------------------------------------------------------------


class CaseFieldsSerializer(serializers.Serializer):
    """The case's own fields (no personal value)."""

    id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    status = serializers.ChoiceField(choices=v.CaseStatus.choices, read_only=True)
    cas_Status = serializers.CharField(source="htcds_status", read_only=True)
    registered_on = serializers.DateField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    identified_on = serializers.DateField()
    identified_country = serializers.CharField()
    identified_region = serializers.IntegerField(
        source="identified_region_id", allow_null=True, required=False
    )
    identified_locality = serializers.CharField(required=False, allow_blank=True)
    identification_method = serializers.ChoiceField(choices=v.IdentificationMethod.choices)
    cas_ReferringOrganisation = serializers.IntegerField(
        source="referring_organisation_id", allow_null=True, required=False
    )
    vic_TraffickingStatus = serializers.ChoiceField(
        source="trafficking_status", choices=v.TraffickingStatus.choices, required=False
    )
    vic_TraffickingStatusDecisionMakingOrg = serializers.ChoiceField(
        source="status_decided_by",
        choices=[("", ""), *v.StatusDecisionMaker.choices],
        required=False,
        allow_blank=True,
    )
    risk_level = serializers.ChoiceField(choices=v.RiskLevel.choices, required=False)
    is_child = serializers.BooleanField(read_only=True)
    unaccompanied_child = serializers.BooleanField(required=False)
    urgent_medical_need = serializers.BooleanField(required=False)
    security_risk = serializers.BooleanField(required=False)
    project = serializers.IntegerField(source="project_id", allow_null=True, required=False)
    vic_TypeOfExploitation = serializers.ListField(
        source="exploitation_types",
        child=serializers.ChoiceField(choices=v.ExploitationType.choices),
        required=False,
    )
    vic_ForcedLabourIndustry = serializers.ChoiceField(
        source="labour_industry",
        choices=[("", ""), *v.LabourIndustry.choices],
        required=False,
        allow_blank=True,
    )
    vic_TypeOfSexExploitation = serializers.ListField(
        source="sex_exploitation_types",
        child=serializers.ChoiceField(choices=v.SexExploitationType.choices),
        required=False,
    )
    vic_MethodsOfControl = serializers.ListField(
        source="methods_of_control",
        child=serializers.ChoiceField(choices=v.MethodOfControl.choices),
        required=False,
    )
    vic_MethodOfRecruitment = serializers.ListField(
        source="recruitment_methods",
        child=serializers.ChoiceField(choices=v.RecruitmentMethod.choices),
        required=False,
    )
    vic_RelationshipToTrafficker = serializers.ChoiceField(
        source="relationship_to_trafficker",
        choices=[("", ""), *v.RelationshipToTrafficker.choices],
        required=False,
        allow_blank=True,
    )
    vic_AgeWhenTrafficked = serializers.IntegerField(
        source="age_when_trafficked", allow_null=True, required=False
    )
    exploitation_months = serializers.IntegerField(allow_null=True, required=False)
    is_transnational = serializers.BooleanField(read_only=True)
    age_at_identification = serializers.IntegerField(read_only=True, allow_null=True)
    possible_duplicate = serializers.BooleanField(read_only=True)
    primary_caseworker = serializers.IntegerField(
        source="primary_caseworker_id", read_only=True, allow_null=True
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    version = serializers.SerializerMethodField()

    def get_version(self, obj) -> str:
        return version_of(obj)


class PersonNameSerializer(serializers.Serializer):
    """The name, as the case list shows it."""

    prs_FirstName = serializers.CharField(source="first_name")
    prs_MiddleName = serializers.CharField(source="middle_name", required=False, allow_blank=True)
    prs_SecondName = serializers.CharField(source="last_name", required=False, allow_blank=True)


class PersonSerializer(PersonNameSerializer):
    """The person, under the HTCDS person fields' names (prs_); the app's own names where
    the codebook has none."""

    aliases = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.ChoiceField(source="case.sex", choices=v.Sex.choices)
    prs_Gender = serializers.ChoiceField(
        source="gender", choices=[("", ""), *v.Gender.choices], required=False, allow_blank=True
    )
    prs_Birthdate = serializers.DateField(source="date_of_birth", allow_null=True, required=False)
    estimated_age = serializers.IntegerField(allow_null=True, required=False)
    prs_PrimaryLanguage = serializers.SerializerMethodField()
    prs_SecondaryLanguage = serializers.SerializerMethodField()
    other_languages = serializers.SerializerMethodField()
    prs_MaritalStatus = serializers.ChoiceField(
        source="marital_status",
        choices=[("", ""), *v.MaritalStatus.choices],
        required=False,
        allow_blank=True,
    )
    prs_NumberOfChildren = serializers.IntegerField(
        source="number_of_children", allow_null=True, required=False
    )
    prs_HighestLevelOfEducation = serializers.ChoiceField(
        source="education",
        choices=[("", ""), *v.Education.choices],
        required=False,
        allow_blank=True,
    )
    prs_Citizenship = serializers.ListField(
        source="case.citizenships", child=serializers.CharField(), required=False
    )
    prs_IdentityNumber = serializers.CharField(
        source="identity_documents", required=False, allow_blank=True
    )
    prs_MobilePhone = serializers.CharField(source="phone", required=False, allow_blank=True)
    prs_MailingStreet = serializers.CharField(source="address", required=False, allow_blank=True)
    displacement_status = serializers.ChoiceField(
        choices=[("", ""), *v.DisplacementStatus.choices], required=False, allow_blank=True
    )
    has_disability = serializers.BooleanField(required=False)
    disability_details = serializers.CharField(required=False, allow_blank=True)
    sogiesc_consent = serializers.BooleanField(required=False)
    sogiesc = serializers.CharField(required=False, allow_blank=True)

    def get_prs_PrimaryLanguage(self, obj) -> str:
        languages = list(obj.languages)
        return languages[0] if languages else ""

    def get_prs_SecondaryLanguage(self, obj) -> str:
        languages = list(obj.languages)
        return languages[1] if len(languages) > 1 else ""

    def get_other_languages(self, obj) -> list[str]:
        return list(obj.languages)[2:]


class CaseListSerializer(CaseFieldsSerializer):
    person = PersonNameSerializer(read_only=True)


class DuplicateSerializer(serializers.Serializer):
    """A possible earlier registration, as the case file page tells this user: the other
    case only if the user may open it, another organisation's name only for a supervisor."""

    same_organisation = serializers.BooleanField()
    case = serializers.IntegerField(source="other_case.pk", allow_null=True, default=None)
    case_number = serializers.CharField(
        source="other_case.case_number", allow_null=True, default=None
    )
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None)


class ConsentStateSerializer(serializers.Serializer):
    """The current consent per scope (the latest decision, unless withdrawn)."""

    scope = serializers.ChoiceField(choices=v.ConsentScope.choices)
    granted = serializers.BooleanField()
    consent = serializers.IntegerField(source="current.pk", allow_null=True, default=None)


class CaseSerializer(CaseFieldsSerializer):
    """The case file, as its page shows it to this user."""

    caseworkers = serializers.SerializerMethodField()
    person = PersonSerializer(read_only=True)
    duplicates = serializers.SerializerMethodField()
    consent_state = serializers.SerializerMethodField()

    def get_caseworkers(self, obj) -> list[int]:
        return sorted(user.pk for user in obj.caseworkers.all())

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, obj) -> list[dict]:
        notices = selectors.duplicate_notices(actor=self.context["request"].user, case=obj)
        return DuplicateSerializer(notices, many=True).data

    @extend_schema_field(ConsentStateSerializer(many=True))
    def get_consent_state(self, obj) -> list[dict]:
        states = selectors.consent_state(list(obj.consents.all()))
        return ConsentStateSerializer(states, many=True).data


def _copied(source: type[serializers.Serializer], names) -> dict[str, serializers.Field]:
    declared = source._declared_fields
    return {name: copy.deepcopy(declared[name]) for name in names}


class PersonRequestSerializer(serializers.Serializer):
    """The person as sent: the same names as read."""

    locals().update(
        _copied(PersonSerializer, [k for k in PERSON_KEYS if k not in ("sex", "prs_Citizenship")])
    )
    sex = serializers.ChoiceField(choices=v.Sex.choices)
    prs_Citizenship = serializers.ListField(child=serializers.CharField(), required=False)
    prs_PrimaryLanguage = serializers.ChoiceField(
        choices=[("", ""), *v.Language.choices], required=False, allow_blank=True
    )
    prs_SecondaryLanguage = serializers.ChoiceField(
        choices=[("", ""), *v.Language.choices], required=False, allow_blank=True
    )
    other_languages = serializers.ListField(
        child=serializers.ChoiceField(choices=v.Language.choices), required=False
    )


class CaseChangeRequestSerializer(serializers.Serializer):
    """What the case file's edit and exploitation pages change (PATCH: any of them; PUT:
    the whole of both)."""

    locals().update(_copied(CaseFieldsSerializer, [*CASE_KEYS, *EXPLOITATION_KEYS]))
    person = PersonRequestSerializer()


class CaseRegisterRequestSerializer(serializers.Serializer):
    """What the registration page asks, with the person's consent to data collection."""

    locals().update(_copied(CaseFieldsSerializer, [*CASE_KEYS, "vic_TypeOfExploitation"]))
    person = PersonRequestSerializer()
    con_Consent = serializers.BooleanField(
        help_text="The person (or their guardian) was informed and consented to data collection."
    )
    consent_given_by = serializers.ChoiceField(choices=v.ConsentGiver.choices)
    consent_method = serializers.ChoiceField(choices=v.ConsentMethod.choices)
    consent_given_on = serializers.DateField()


# --- The records of a case file ---------------------------------------------------------


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    version = serializers.SerializerMethodField()

    def get_version(self, obj) -> str:
        return version_of(obj)


class ConsentSerializer(RecordSerializer):
    scope = serializers.ChoiceField(choices=v.ConsentScope.choices)
    granted = serializers.BooleanField(
        help_text="Required: false records a refusal (which ends sharing in that scope)."
    )
    given_by = serializers.ChoiceField(choices=v.ConsentGiver.choices)
    method = serializers.ChoiceField(choices=v.ConsentMethod.choices)
    given_on = serializers.DateField()
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True, allow_null=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    withdrawn_on = serializers.DateField(read_only=True, allow_null=True)
    withdrawn_by = serializers.IntegerField(
        source="withdrawn_by_id", read_only=True, allow_null=True
    )
    referrals_withdrawn = serializers.SerializerMethodField(
        help_text="The referrals whose shared details this decision withdrew (in the answer "
        "to the request that made it)."
    )

    def get_referrals_withdrawn(self, obj) -> list[int]:
        return [referral.pk for referral in obj.referrals_withdrawn]


class EventSerializer(RecordSerializer):
    type = serializers.ChoiceField(choices=v.EventType.choices)
    country = serializers.CharField()
    place = serializers.CharField(required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class ServiceSerializer(RecordSerializer):
    service_type = serializers.ChoiceField(choices=v.ServiceType.choices)
    delivered_on = serializers.DateField()
    provider = serializers.IntegerField(source="provider_id")
    cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    currency = serializers.CharField(required=False, allow_blank=True)
    project = serializers.IntegerField(source="project_id", required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    referral = serializers.IntegerField(source="referral_id", read_only=True, allow_null=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class NoteSerializer(RecordSerializer):
    body = serializers.CharField()
    author = serializers.IntegerField(source="author_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class FollowUpSerializer(RecordSerializer):
    due_on = serializers.DateField()
    purpose = serializers.CharField()
    assigned_to = serializers.IntegerField(source="assigned_to_id", required=False, allow_null=True)
    done_on = serializers.DateField(read_only=True, allow_null=True)
    done_by = serializers.IntegerField(source="done_by_id", read_only=True, allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)


@dataclass(frozen=True)
class Part:
    """A kind of record of a case file, as the page adds it (cases/views/records.py)."""

    model: type
    serializer: type[serializers.Serializer]
    form: type[forms.BaseForm]
    save: Callable[..., Any]
    needs_case: bool = False  # the form takes the case


PARTS = {
    "consents": Part(Consent, ConsentSerializer, case_forms.ConsentForm, records.consent_record),
    "events": Part(TraffickingEvent, EventSerializer, case_forms.EventForm, records.event_add),
    "services": Part(
        ServiceDelivery,
        ServiceSerializer,
        case_forms.ServiceForm,
        records.service_record,
        needs_case=True,
    ),
    "notes": Part(CaseNote, NoteSerializer, case_forms.NoteForm, records.note_add),
    "follow-ups": Part(
        FollowUp,
        FollowUpSerializer,
        case_forms.FollowUpForm,
        records.follow_up_add,
        needs_case=True,
    ),
}
