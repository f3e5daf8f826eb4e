"""`referrals/`: the referrals a user reaches, as on the pages. The case team reads the
referrals of its cases (the referral list), creates them and sends them behind the consent
gate; a partner focal point reads its inbox and answers: `accept`, `decline`, `start`,
`complete`. Each referral is shown as its side sees it (`side`): the partner never sees the
case, only the packet that was shared, under the inbox page's rules.

A step the referral's status does not allow (accepting an answered referral, sending a
referral that is not a draft) is a 409 Conflict problem; a refused input (a missing reason
or outcome, no consent) is a 400 with field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.policy import Action, can, scope
from api import forms as api_forms
from api.base import ResourceViewSet
from api.mixins import CreateMixin, version_of
from api.permissions import Policy, TokenRequired
from api.problems import Conflict
from cases import selectors as case_selectors
from referrals import selectors, services
from referrals.forms import CompleteForm, ReasonForm, ReferralFilterForm, ReferralForm, SendForm
from referrals.models import PacketField, PacketWithdrawal, Referral, ReferralStatus, Urgency
from traffick_cm.codebooks import ServiceType

S = ReferralStatus
REFERRER = "referrer"
PARTNER = "partner"

# Left out (null) when the partner reads a referral: the case is the referring team's.
REFERRER_ONLY = (
    "case",
    "case_number",
    "external_organisation",
    "destination_country",
    "consent_override",
)
REFERRER_ONLY_DETAIL = ("override_justification", "feedback", "consented", "can_override_consent")


# --- Serializers -------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as a list shows it (and as a create or an action answers it): its
    metadata, never the reason nor the packet. Fields of the referring side are null for
    the partner."""

    reference = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()
    from_organisation_name = serializers.CharField(source="from_organisation.name", read_only=True)
    recipient_name = serializers.CharField(read_only=True)
    packet_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=PacketField.choices), read_only=True
    )
    packet_withdrawn_because = serializers.ChoiceField(
        choices=PacketWithdrawal.choices, allow_blank=True, read_only=True
    )
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)
    case_number = serializers.SerializerMethodField()
    external_organisation = serializers.CharField(read_only=True, allow_null=True)
    destination_country = serializers.CharField(
        source="destination_country.code", read_only=True, allow_null=True
    )
    consent_override = serializers.BooleanField(read_only=True, allow_null=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "side",
            "status",
            "service_type",
            "urgency",
            "from_organisation",
            "from_organisation_name",
            "to_organisation",
            "recipient_name",
            "packet_fields",
            "created_at",
            "sent_at",
            "respond_by",
            "responded_at",
            "closed_at",
            "decline_reason",
            "outcome",
            "packet_withdrawn_at",
            "packet_withdrawn_because",
            "case",
            "case_number",
            "external_organisation",
            "destination_country",
            "consent_override",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_reference(self, obj) -> str:
        return f"R-{obj.pk:06d}"

    @extend_schema_field({"type": "string", "enum": [REFERRER, PARTNER]})
    def get_side(self, obj) -> str:
        return _side(obj, self.context)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_case_number(self, obj) -> str | None:
        return obj.case.case_number if _side(obj, self.context) == REFERRER else None

    def get_version(self, obj) -> str:
        return version_of(obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if _side(instance, self.context) == PARTNER:
            for name in (*REFERRER_ONLY, *REFERRER_ONLY_DETAIL):
                if name in data:
                    data[name] = None
        return data


def _side(obj, context: dict[str, Any]) -> str:
    return getattr(obj, "api_side", None) or context.get("side") or REFERRER


class ReferralEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField(help_text="A status of the referral.")
    by = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_by(self, obj) -> str:
        if obj.by is None:
            return ""
        return obj.by.get_full_name() or obj.by.username


class ReferralDetailSerializer(ReferralSerializer):
    """One referral as its page shows it: for the referring team, the reason, what was
    shared (a draft previews what sending would share), the consent state; for the partner,
    the packet while it may be seen (never once withdrawn, nor after the retention period
    of a closed referral: then `packet` is null and `packet_expired` true) and the reason
    with it."""

    reason = serializers.SerializerMethodField()
    packet = serializers.SerializerMethodField()
    packet_expired = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    events = ReferralEventSerializer(many=True, read_only=True)
    override_justification = serializers.CharField(read_only=True, allow_null=True)
    feedback = serializers.CharField(read_only=True, allow_null=True)
    consented = serializers.SerializerMethodField()
    can_override_consent = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [
            *ReferralSerializer.Meta.fields,
            "reason",
            "packet",
            "packet_expired",
            "created_by",
            "events",
            "override_justification",
            "feedback",
            "consented",
            "can_override_consent",
        ]
        read_only_fields = fields

    def _visible(self, obj) -> bool:
        return selectors.packet_visible(obj, now=self.context.get("now") or timezone.now())

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reason(self, obj) -> str | None:
        if _side(obj, self.context) == PARTNER and not self._visible(obj):
            return None
        return obj.reason

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "additionalProperties": True,
            "description": "The fields shared (see packet_fields); null when not visible.",
        }
    )
    def get_packet(self, obj) -> dict[str, Any] | None:
        if _side(obj, self.context) == PARTNER:
            return selectors.packet(obj) if self._visible(obj) else None
        if obj.status == S.DRAFT:
            return services.packet_build(obj.case, list(obj.packet_fields), obj.service_type)
        return selectors.packet(obj)

    def get_packet_expired(self, obj) -> bool:
        return _side(obj, self.context) == PARTNER and not self._visible(obj)

    def get_created_by(self, obj) -> str:
        return obj.created_by.get_full_name() or obj.created_by.username

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_consented(self, obj) -> bool | None:
        if _side(obj, self.context) == PARTNER:
            return None
        return case_selectors.has_current_consent(obj.case, "referral_sharing")

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_can_override_consent(self, obj) -> bool | None:
        if _side(obj, self.context) == PARTNER:
            return None
        return services.can_override_consent(self.context["request"].user)


class ReferralCreateSerializer(serializers.Serializer):
    """The body of POST /referrals/ (for the schema: the referral page's form checks it)."""

    case = serializers.IntegerField(help_text="The case referred: one you work on.")
    service_type = serializers.ChoiceField(choices=ServiceType.choices)
    to_organisation = serializers.IntegerField(
        required=False, allow_null=True, help_text="A partner of the directory, or…"
    )
    external_organisation = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="…an organisation outside."
    )
    destination_country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        help_text="ISO 3166 code, for a cross-border referral; the partner's when left out.",
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, help_text="Normal when left out."
    )
    reason = serializers.CharField(max_length=2000)
    packet_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=PacketField.choices), min_length=1
    )
    draft = serializers.BooleanField(
        required=False, help_text="True: keep it as a draft, send it later (send/)."
    )
    override_justification = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Emergency only, without consent, for those designated to override it.",
    )


class SendSerializer(serializers.Serializer):
    override_justification = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Required to decline.")


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=300)
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    delivered_on = serializers.DateField(required=False, allow_null=True)


class _NoFields(forms.Form):
    """A step that takes no input: any field sent is refused."""


# --- The policy of a resource read from two sides ----------------------------------------

EITHER_SIDE = {"list": Action.LIST, "retrieve": Action.VIEW}


class ReferralPolicy(Policy):
    """Lists and reads: the case team (kind "referral") or a partner focal point (kind
    "referral_inbox"); every other step names its own kind."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) in EITHER_SIDE:
            wanted = EITHER_SIDE[view.action]
            return can(request.user, "referral", wanted) or can(
                request.user, "referral_inbox", wanted
            )
        return super().has_permission(request, view)


ACTION_RESPONSES = {200: ReferralSerializer}
STATE_RULES = "A step the referral's status does not allow answers 409; a refused input 400."


@extend_schema_view(
    list=extend_schema(
        summary="The referrals you reach",
        description=(
            "The case team's referrals (those of the cases it works on) and, for a partner "
            "focal point, its inbox (referrals sent to its organisation), most recently "
            "changed first. Filters as on the pages."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=list(S.values), description="A status."),
            OpenApiParameter(
                "overdue", bool, description="Only the referrals still waiting past their deadline."
            ),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Only those changed at or after this time (ISO 8601).",
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="One referral, as your side sees it",
        description="Audited as a read of personal data.",
        responses=ReferralDetailSerializer,
    ),
    create=extend_schema(
        summary="Refer a case (case team)",
        description=(
            "Creates the referral with the referral page's form and sends it at once behind "
            "the consent gate, unless `draft` is true. Without a current consent to referral "
            "and data sharing the request is refused (400) and nothing is created, except an "
            "emergency referral sent with `override_justification` by a user designated to "
            "override. A case you do not work on answers 404."
        ),
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer},
    ),
)
class ReferralViewSet(CreateMixin, ResourceViewSet):
    policy_kind = "referral"
    policy_actions = {
        "send": ("referral", Action.CHANGE),
        "accept": ("referral_inbox", Action.CHANGE),
        "decline": ("referral_inbox", Action.CHANGE),
        "start": ("referral_inbox", Action.CHANGE),
        "complete": ("referral_inbox", Action.CHANGE),
    }
    permission_classes = [TokenRequired, ReferralPolicy]
    queryset = Referral.objects.none()

    def get_serializer_class(self):
        return ReferralDetailSerializer if self.action == "retrieve" else ReferralSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        if self.action in ("create", "send"):
            context["side"] = REFERRER
        elif self.action in self.policy_actions:
            context["side"] = PARTNER
        return context

    # --- Reads ---

    def get_queryset(self):
        user = self.request.user
        criteria = api_forms.query_filters(ReferralFilterForm, self.request)
        filters = {
            "actor": user,
            "status": criteria.get("status") or "",
            "overdue_only": bool(criteria.get("overdue")),
            "now": timezone.now(),
        }
        # The referral list and the inbox, with the pages' selectors and filters.
        sent_by_team = selectors.outgoing(**filters).values("pk")
        received = selectors.inbox(**filters).values("pk")
        return Referral.objects.filter(Q(pk__in=sent_by_team) | Q(pk__in=received)).select_related(
            "case", "from_organisation", "to_organisation"
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self._mark_sides(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _mark_sides(self, referrals: list[Referral]) -> None:
        """Each referral as the user's side sees it: the case team's view wherever the user
        is of the case's team, the partner's otherwise."""
        own = set(
            scope(
                self.request.user,
                "referral",
                Action.VIEW,
                Referral.objects.filter(pk__in=[r.pk for r in referrals]),
            ).values_list("pk", flat=True)
        )
        for referral in referrals:
            referral.api_side = REFERRER if referral.pk in own else PARTNER

    def _pk(self) -> int:
        try:
            return int(self.kwargs["pk"])
        except (TypeError, ValueError):
            raise Http404 from None

    def get_object(self):
        """The referral as the referring team reaches it (the referral page), or else as
        the partner does (the inbox page); 404 outside both."""
        user, pk = self.request.user, self._pk()
        if can(user, "referral", Action.VIEW):
            try:
                referral = selectors.referral_for_referrer(actor=user, pk=pk)
            except Http404:
                pass
            else:
                referral.api_side = REFERRER
                return referral
        referral = selectors.referral_for_partner(actor=user, pk=pk)
        referral.api_side = PARTNER
        return referral

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        selectors.referral_read_log(actor=request.user, referral=referral, side=referral.api_side)
        response = Response(self.get_serializer(referral).data)
        response["ETag"] = f'"{version_of(referral)}"'
        return response

    # --- The case team ---

    def add(self, data):
        user = self.request.user
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        fields = dict(data)
        case_pk = fields.pop("case", None)
        draft = fields.pop("draft", False)
        sending = {name: fields.pop(name) for name in ("override_justification",) if name in fields}
        if not isinstance(case_pk, int) or isinstance(case_pk, bool):
            raise exceptions.ValidationError({"case": [_("Give the id of a case you work on.")]})
        if not isinstance(draft, bool):
            raise exceptions.ValidationError({"draft": [_("Send true or false.")]})
        if draft and sending:
            raise exceptions.ValidationError(
                {"override_justification": [_("Only when the referral is sent.")]}
            )
        case = case_selectors.case_for_change(actor=user, pk=case_pk)
        # The page's form starts at a normal urgency.
        fields.setdefault("urgency", Urgency.NORMAL)
        cleaned = api_forms.clean(ReferralForm, fields, case=case)
        justification = api_forms.clean(SendForm, sending)["override_justification"]
        try:
            with transaction.atomic():
                referral = services.referral_create(
                    actor=user,
                    case=case,
                    service_type=cleaned["service_type"],
                    urgency=cleaned["urgency"],
                    reason=cleaned["reason"],
                    packet_fields=cleaned["packet_fields"],
                    to_organisation=cleaned["to_organisation"],
                    external_organisation=cleaned["external_organisation"],
                    destination_country=cleaned["destination_country"],
                )
                if not draft:
                    # Refused at the gate: nothing is created.
                    referral = self._send(referral, justification)
        except ValidationError as error:
            raise api_forms.service_errors(error) from None
        return referral

    def _send(self, referral: Referral, justification: str) -> Referral:
        try:
            return services.referral_send(
                actor=self.request.user, referral=referral, override_justification=justification
            )
        except PermissionDenied:
            # As the page says it: only a designated user may send without consent.
            raise exceptions.ValidationError(
                {
                    "override_justification": [
                        _("You may not send a referral without the person's consent.")
                    ]
                }
            ) from None

    @extend_schema(
        summary="Send a draft (case team)",
        description="Behind the consent gate, as on the referral page. " + STATE_RULES,
        request=SendSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="send", url_name="send")
    def send(self, request, pk=None):
        referral = selectors.referral_for_referrer(
            actor=request.user, pk=self._pk(), action=Action.CHANGE
        )
        justification = api_forms.clean(SendForm, request.data)["override_justification"]
        return self._step(
            referral,
            {S.DRAFT},
            _("Only a draft can be sent."),
            lambda: self._send(referral, justification),
        )

    # --- The receiving partner ---

    def _step(self, referral: Referral, allowed: set, refused: str, run) -> Response:
        """Run a step of the workflow through its service: a status that does not allow it
        is a conflict (409), checked again when the service finds it changed meanwhile."""
        if referral.status not in allowed:
            raise Conflict(refused)
        try:
            referral = run()
        except ValidationError as error:
            referral.refresh_from_db(fields=["status"])
            if referral.status not in allowed:
                raise Conflict(refused) from None
            raise api_forms.service_errors(error) from None
        return Response(self.get_serializer(referral).data)

    def _received(self) -> Referral:
        return selectors.referral_for_partner(
            actor=self.request.user, pk=self._pk(), action=Action.CHANGE
        )

    @staticmethod
    def _answered(referral: Referral) -> str:
        return _("This referral was already answered (%(status)s).") % {
            "status": S(referral.status).label
        }

    @extend_schema(
        summary="Accept a referral (receiving partner)",
        description=STATE_RULES,
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="accept", url_name="accept")
    def accept(self, request, pk=None):
        referral = self._received()
        api_forms.clean(_NoFields, request.data)
        return self._step(
            referral,
            {S.SENT},
            self._answered(referral),
            lambda: services.referral_respond(actor=request.user, referral=referral, accept=True),
        )

    @extend_schema(
        summary="Decline a referral, with the reason (receiving partner)",
        description=STATE_RULES,
        request=DeclineSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="decline", url_name="decline")
    def decline(self, request, pk=None):
        referral = self._received()
        reason = api_forms.clean(ReasonForm, request.data)["reason"]
        return self._step(
            referral,
            {S.SENT},
            self._answered(referral),
            lambda: services.referral_respond(
                actor=request.user, referral=referral, accept=False, reason=reason
            ),
        )

    @extend_schema(
        summary="Start the service of an accepted referral (receiving partner)",
        description=STATE_RULES,
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="start", url_name="start")
    def start(self, request, pk=None):
        referral = self._received()
        api_forms.clean(_NoFields, request.data)
        return self._step(
            referral,
            {S.ACCEPTED},
            _("Only an accepted referral can start."),
            lambda: services.referral_start(actor=request.user, referral=referral),
        )

    @extend_schema(
        summary="The service was delivered (receiving partner)",
        description="It returns to the case as a service delivered. " + STATE_RULES,
        request=CompleteSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="complete", url_name="complete")
    def complete(self, request, pk=None):
        referral = self._received()
        cleaned = api_forms.clean(CompleteForm, request.data)
        return self._step(
            referral,
            {S.ACCEPTED, S.IN_PROGRESS},
            _("Only an accepted referral can be completed."),
            lambda: services.referral_complete(
                actor=request.user,
                referral=referral,
                outcome=cleaned["outcome"],
                feedback=cleaned["feedback"],
                delivered_on=cleaned["delivered_on"],
            ),
        )


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("referrals", ReferralViewSet, basename="referral")
