"""What `screenings/` and `screening-questions/` take and answer (api/screenings.py): a body in
the API's shape (the answers nested under `answers`) turned into the fields of the page's
interview form, and the screening, its decisions and the interview as the API shows them."""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from accounts.models import User
from api import forms as api_forms
from api.mixins import version_of
from cases.countries import country_code
from screening import indicators, questions, selectors, services
from screening.forms import ScreeningForm
from screening.models import AGE_GROUP_CHOICES, PlaceType, Risk, Screening, StatusDecision
from screening.questions import Kind
from traffick_cm import codebooks as v
from traffick_cm.forms import EARLIEST, LATEST

# Every question of every country, by code: an answer to anything else is refused.
QUESTIONS = {
    q.code: q
    for q in questions.QUESTIONS + tuple(chain.from_iterable(questions.EXTRA_QUESTIONS.values()))
}
# What the interview records besides the answers, as the page's form names it.
FIELDS = frozenset(services.FIELDS)
LIST_FIELDS = frozenset({"needs", "risks"})
# Sent with a new screening only: the person's agreement and the field app's token.
CREATE_ONLY = frozenset({"consented", "submission_token"})
EMPTY = (None, "", [])


def _unknown() -> list[str]:
    return [_("This field does not exist or cannot be set here.")]


# --- Input ------------------------------------------------------------------------------


def form_values(data: Any, *, creating: bool) -> dict[str, Any]:
    """A body in the API's shape (the answers nested under `answers`) as the page form's
    fields; an unknown name or a value of the wrong shape is refused, never ignored."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    writable = FIELDS | CREATE_ONLY if creating else FIELDS
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "answers":
            continue
        if key not in writable:
            errors[key] = _unknown()
        elif isinstance(value, dict) or (isinstance(value, list) and key not in LIST_FIELDS):
            errors[key] = [_("Send a single value.")]
        else:
            values[key] = value
    answers = data.get("answers")
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        errors["answers"] = [_("Send a JSON object.")]
        answers = {}
    for code, value in answers.items():
        question = QUESTIONS.get(code)
        name = f"answers.{code}"
        if question is None or code in writable:
            errors[name] = _unknown()
        elif question.kind == Kind.MANY and isinstance(value, dict):
            errors[name] = [_("Send a list.")]
        elif question.kind != Kind.MANY and isinstance(value, dict | list):
            errors[name] = [_("Send a single value.")]
        else:
            values[code] = value
    if errors:
        raise exceptions.ValidationError(errors)
    return values


def asked_only(values: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """Without the answers the interview of the screening's country does not ask that were
    not sent (kept from before a change of country) or were sent empty. An answer sent to
    such a question stays, for the form to refuse."""
    country = country_code(str(values.get("identified_country") or "")) or ""
    asked = {q.code for q in questions.questions(country)}
    return {
        name: value
        for name, value in values.items()
        if name not in QUESTIONS or name in asked or (name in sent and sent[name] not in EMPTY)
    }


def named(error: exceptions.ValidationError) -> exceptions.ValidationError:
    """Field errors under the API's names: an answer's as `answers.<code>`."""
    if isinstance(error.detail, dict):
        return exceptions.ValidationError(
            {
                (f"answers.{name}" if name in QUESTIONS else name): messages
                for name, messages in error.detail.items()
            }
        )
    return error


def interview_form(
    form_class: type[ScreeningForm], values: dict[str, Any], actor: User
) -> ScreeningForm:
    """The page's interview form on these values, valid, or a 400 naming the fields."""
    try:
        form = api_forms.valid_form(form_class, values, actor=actor)
    except exceptions.ValidationError as error:
        raise named(error) from None
    # The page's field takes any date; one outside these years overflows the time zones.
    screened_on = form.cleaned_data["screened_at"].date()
    if not EARLIEST <= screened_on <= LATEST:
        message = _("Enter a date between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST.year,
            "latest": LATEST.year,
        }
        raise exceptions.ValidationError({"screened_at": [message]})
    return form


def current_values(screening: Screening) -> dict[str, Any]:
    """The screening as the edit page's form starts, its time to the microsecond."""
    values = ScreeningForm.initial_for(screening)
    values["screened_at"] = screening.screened_at.isoformat()
    values["needs"] = list(screening.needs or [])
    values["risks"] = list(screening.risks or [])
    return values


# --- Representations --------------------------------------------------------------------
# Vocabularies that other resources already name in the schema (or whose field names other
# resources use for other vocabularies) are described here as codes, not as enums, so that
# this resource renames none of the schema's existing enums.


def _codes(text: str, choices) -> str:
    return f"{text}: {', '.join(str(code) for code, _label in choices)}."


STATUS_HELP = _codes("HTCDS vic_TraffickingStatus", v.TraffickingStatus.choices)
DECISION_MAKER_HELP = _codes(
    "HTCDS vic_TraffickingStatusDecisionMakingOrg", v.StatusDecisionMaker.choices
)
NEEDS_HELP = _codes("Services needed", v.ServiceType.choices)


class FoundIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    element = serializers.ChoiceField(choices=[(e.value, e.value) for e in indicators.Element])
    strength = serializers.ChoiceField(choices=[(s.value, s.value) for s in indicators.Strength])
    label = serializers.CharField(help_text="In the request's language.")


class CurrentDecisionSerializer(serializers.ModelSerializer):
    """The current decision as a list shows it: no justification (free text)."""

    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    suggested_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    decision_maker = serializers.CharField(read_only=True, help_text=DECISION_MAKER_HELP)
    against_suggestion = serializers.BooleanField(read_only=True)
    deciding_organisation_name = serializers.CharField(
        source="deciding_organisation.name", read_only=True
    )

    class Meta:
        model = StatusDecision
        fields = [
            "status",
            "suggested_status",
            "against_suggestion",
            "decided_at",
            "decision_maker",
            "deciding_organisation",
            "deciding_organisation_name",
        ]
        read_only_fields = fields


class DecisionSerializer(CurrentDecisionSerializer):
    """A decision of the history, as the screening's page shows it."""

    decided_by = serializers.SerializerMethodField()

    class Meta(CurrentDecisionSerializer.Meta):
        fields = [
            *CurrentDecisionSerializer.Meta.fields,
            "decided_by",
            "justification",
            "reason_against_suggestion",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str:
        return obj.decided_by.get_full_name() or obj.decided_by.username


ANSWERS_SCHEMA = {
    "type": "object",
    "description": (
        "Answers keyed by question code (screening-questions/): a code, a list of codes for "
        "a question of kind 'many', an ISO 3166-1 alpha-2 code for kind 'country'. "
        "Questions not answered are absent."
    ),
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}


@extend_schema_field(ANSWERS_SCHEMA)
class AnswersField(serializers.JSONField):
    pass


def _suggestion(screening: Screening) -> indicators.Suggestion:
    """The stored suggestion read from its codes, once per screening (its indicators and
    its reason are two fields of the answer)."""
    cached = screening.__dict__.get("_suggestion")
    if cached is None or cached[0] != (screening.indicators, screening.is_child):
        suggestion = indicators.from_codes(screening.indicators, child=screening.is_child)
        cached = screening.__dict__["_suggestion"] = (
            (screening.indicators, screening.is_child),
            suggestion,
        )
    return cached[1]


class ScreeningSerializer(serializers.ModelSerializer):
    """A screening as a list shows it: what statistics count, the answers, the suggestion
    and the current decision; never a name, the person's account or a justification."""

    identified_country = serializers.CharField(source="identified_country.code", read_only=True)
    identified_region_name = serializers.CharField(
        source="identified_region.name", read_only=True, allow_null=True, default=None
    )
    citizenship = serializers.CharField(source="citizenship.code", read_only=True)
    answers = AnswersField(read_only=True)
    indicators = serializers.SerializerMethodField()
    suggested_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status = serializers.CharField(
        read_only=True,
        help_text="The current decision's status; empty until decided. " + STATUS_HELP,
    )
    suggestion_reason = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = [
            "id",
            "code",
            "screened_at",
            "identified_country",
            "identified_region",
            "identified_region_name",
            "identified_locality",
            "place_type",
            "sex",
            "age_group",
            "is_child",
            "citizenship",
            "answers",
            "indicators",
            "suggested_status",
            "suggestion_reason",
            "rule_version",
            "status",
            "decision",
            "case",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(FoundIndicatorSerializer(many=True))
    def get_indicators(self, obj) -> list[dict[str, Any]]:
        return [
            {
                "code": i.code,
                "element": str(i.element),
                "strength": str(i.strength),
                "label": str(i.label),
            }
            for i in _suggestion(obj).indicators
        ]

    def get_suggestion_reason(self, obj) -> str:
        return _suggestion(obj).reason

    @extend_schema_field(CurrentDecisionSerializer(allow_null=True))
    def get_decision(self, obj) -> dict[str, Any] | None:
        # The decisions are prefetched newest first.
        current = next(iter(obj.decisions.all()), None)
        return CurrentDecisionSerializer(current).data if current else None

    def get_version(self, obj) -> str:
        return version_of(obj)


class ScreeningDetailSerializer(ScreeningSerializer):
    """One screening as its page shows it, with what the interview recorded of the person
    (a name only if they gave one, their account), the decisions newest first and what the
    reader may do. The case's number only for those who may open its case file."""

    anonymous = serializers.BooleanField(read_only=True)
    needs = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=NEEDS_HELP
    )
    risks = serializers.ListField(
        child=serializers.ChoiceField(choices=Risk.choices), read_only=True
    )
    screened_by = serializers.SerializerMethodField()
    case_number = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    can_change = serializers.SerializerMethodField()
    can_decide = serializers.SerializerMethodField()
    can_open_case = serializers.SerializerMethodField()

    class Meta(ScreeningSerializer.Meta):
        fields = [
            *ScreeningSerializer.Meta.fields,
            "first_name",
            "last_name",
            "anonymous",
            "estimated_age",
            "account",
            "needs",
            "risks",
            "risk_level",
            "risks_note",
            "screened_by",
            "case_number",
            "decisions",
            "can_change",
            "can_decide",
            "can_open_case",
        ]
        read_only_fields = fields

    @staticmethod
    def _reading(obj) -> selectors.Reading:
        return obj.api_reading

    def get_screened_by(self, obj) -> str:
        return obj.screened_by.get_full_name() or obj.screened_by.username

    @extend_schema_field({"type": "string", "nullable": True})
    def get_case_number(self, obj) -> str | None:
        return obj.case.case_number if self._reading(obj).case_visible else None

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, obj) -> list[dict[str, Any]]:
        return DecisionSerializer(self._reading(obj).decisions, many=True).data

    def get_can_change(self, obj) -> bool:
        return self._reading(obj).can_change

    def get_can_decide(self, obj) -> bool:
        return self._reading(obj).can_decide

    def get_can_open_case(self, obj) -> bool:
        return self._reading(obj).can_open_case


class ScreeningRequestSerializer(serializers.Serializer):
    """The body of POST, PUT and PATCH (for the schema: the page's form checks it)."""

    submission_token = serializers.UUIDField(
        required=False,
        help_text="POST only: a UUID made by the field app for this screening; sent again, "
        "it answers the screening first recorded.",
    )
    consented = serializers.BooleanField(
        required=False,
        help_text="POST only, required: the person was told what the interview is for and "
        "agreed to answer.",
    )
    screened_at = serializers.DateTimeField()
    identified_country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")
    identified_region = serializers.IntegerField(
        required=False, allow_null=True, help_text="A region of the country (screening-questions/)."
    )
    identified_locality = serializers.CharField(required=False, allow_blank=True, max_length=120)
    place_type = serializers.ChoiceField(choices=PlaceType.choices)
    first_name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Only if the person gives it."
    )
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sex = serializers.ChoiceField(choices=v.Sex.choices)
    age_group = serializers.ChoiceField(
        choices=AGE_GROUP_CHOICES,
        required=False,
        allow_blank=True,
        help_text="Required unless estimated_age is given.",
    )
    estimated_age = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=120
    )
    citizenship = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO 3166-1 alpha-2."
    )
    account = serializers.CharField(required=False, allow_blank=True)
    needs = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=NEEDS_HELP
    )
    risks = serializers.ListField(
        child=serializers.ChoiceField(choices=Risk.choices), required=False
    )
    risk_level = serializers.ChoiceField(
        choices=v.RiskLevel.choices, required=False, allow_blank=True
    )
    risks_note = serializers.CharField(required=False, allow_blank=True)
    answers = AnswersField(required=False)


class DecisionRequestSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=STATUS_HELP)
    justification = serializers.CharField(
        max_length=5000, help_text="What the decision rests on: the answers, documents, a check."
    )
    reason_against_suggestion = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Required when the status differs from the suggested one.",
    )


class CaseOpenRequestSerializer(serializers.Serializer):
    """What a case file needs beyond the screening, as on the page: the person's name (the
    screening's when left out) and their consent to data collection."""

    consent_confirmed = serializers.BooleanField()
    share_consent = serializers.BooleanField(required=False)
    consent_given_by = serializers.ChoiceField(choices=v.ConsentGiver.choices)
    consent_method = serializers.ChoiceField(choices=v.ConsentMethod.choices)
    consent_given_on = serializers.DateField(required=False, help_text="Today when left out.")
    submission_token = serializers.UUIDField(required=False)
    first_name = serializers.CharField(required=False, max_length=100)
    middle_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=120
    )


class OpenedCaseSerializer(serializers.Serializer):
    screening = serializers.IntegerField()
    case = serializers.IntegerField()
    case_number = serializers.CharField(
        allow_null=True, help_text="Null for a user who may not open the case file."
    )
    possible_duplicate = serializers.BooleanField(
        allow_null=True,
        help_text="The person may have been registered before: see the case file's warning.",
    )


# --- The interview's questions ----------------------------------------------------------


class ChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The key of its answer in a screening's answers.")
    label = serializers.CharField()
    kind = serializers.CharField(
        help_text="one: a code of its choices; many: a list of them; country: an ISO 3166-1 "
        "alpha-2 code (no choices listed)."
    )
    help_text = serializers.CharField(allow_blank=True)
    child_only = serializers.BooleanField(help_text="Asked of a child only.")
    choices = ChoiceSerializer(many=True)


class SectionSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[(s.value, s.value) for s in questions.Section])
    label = serializers.CharField()
    questions = QuestionSerializer(many=True)


class FieldChoicesSerializer(serializers.Serializer):
    """The choices of the interview's other fields."""

    place_type = ChoiceSerializer(many=True)
    sex = ChoiceSerializer(many=True)
    age_group = ChoiceSerializer(many=True)
    needs = ChoiceSerializer(many=True)
    risks = ChoiceSerializer(many=True)
    risk_level = ChoiceSerializer(many=True)


class RegionChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InterviewSerializer(serializers.Serializer):
    country = serializers.CharField()
    language = serializers.CharField(help_text="The language of the labels.")
    rule_version = serializers.CharField(
        help_text="The version of the indicator catalogue and of the rule the answers are "
        "read with; it changes whenever an indicator or the rule changes."
    )
    sections = SectionSerializer(many=True)
    choices = FieldChoicesSerializer()
    regions = RegionChoiceSerializer(many=True)
