"""Referrals: a case sent, with consent, to a partner for one service; followed to its end."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cases.models import Case
from partners.models import Organisation
from traffick_cm import codebooks
from traffick_cm.choice_labels import ChoiceLabels
from traffick_cm.codebooks import ServiceType
from traffick_cm.fields import ChoiceListField, EncryptedTextField

User = settings.AUTH_USER_MODEL


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED_NO_SERVICE = "closed_no_service", _("Closed without service")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}
)
CLOSED_STATUSES = frozenset(
    {
        ReferralStatus.DECLINED,
        ReferralStatus.COMPLETED,
        ReferralStatus.CLOSED_NO_SERVICE,
        ReferralStatus.CANCELLED,
    }
)


class PacketField(models.TextChoices):
    """What a referral may share. The default packet is the minimum for the service."""

    CASE_NUMBER = "case_number", _("Case number")
    FIRST_NAME = "first_name", _("First name or alias")
    SEX = "sex", _("Sex")
    AGE_GROUP = "age_group", _("Age group")
    LANGUAGE = "language", _("Language")
    NEEDS = "needs", _("Needs for this service")
    CONTACT = "contact", _("How to make contact")
    LAST_NAME = "last_name", _("Last name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    CITIZENSHIP = "citizenship", _("Citizenship")
    CHILD_FLAGS = "child_flags", _("Child and unaccompanied status")
    MEDICAL_URGENCY = "medical_urgency", _("Urgent medical need")


codebooks.register("referrals.PacketField", PacketField)


class PacketWithdrawal(models.TextChoices):
    """Why the shared details of a referral were erased (the referral's metadata stays)."""

    CONSENT_WITHDRAWN = "consent_withdrawn", _("the person withdrew their consent")
    CANCELLED = "cancelled", _("the referral was cancelled")


DEFAULT_PACKET = [
    PacketField.CASE_NUMBER,
    PacketField.FIRST_NAME,
    PacketField.SEX,
    PacketField.AGE_GROUP,
    PacketField.LANGUAGE,
    PacketField.NEEDS,
    PacketField.CONTACT,
]


class Referral(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
        null=True,
        blank=True,
    )
    # An organisation outside the system: recorded, followed up by the referrer.
    external_organisation = models.CharField(
        _("organisation outside the system"), max_length=200, blank=True
    )
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    reason = EncryptedTextField(_("reason for referral"), multiline=True)
    destination_country = CountryField(_("destination country"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    packet_fields = ChoiceListField(_("information shared"), choices_list=PacketField)
    # The packet as sent: a frozen, encrypted copy of the chosen fields. A copy, never the
    # source of truth: erased when consent ends or the referral is cancelled, and never
    # restored (sharing again takes a new referral, sent behind the consent gate).
    packet = EncryptedTextField(blank=True)
    packet_withdrawn_at = models.DateTimeField(
        _("shared details withdrawn at"), null=True, blank=True
    )
    packet_withdrawn_because = models.CharField(
        max_length=20, choices=PacketWithdrawal.choices, blank=True
    )
    consent_override = models.BooleanField(_("sent without consent (emergency)"), default=False)
    override_justification = EncryptedTextField(_("justification"), blank=True, multiline=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(_("response deadline"), null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    feedback = EncryptedTextField(_("feedback to the referrer"), blank=True, multiline=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The deadline a reminder was sent for: one reminder per deadline, never two.
    reminder_sent_for = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The partner's inbox order, computed by the database so that one index serves it: the
    # open referrals first, an emergency before a high urgency before the others, then
    # the closed ones; among them, those awaiting an answer by their deadline.
    inbox_rank = models.GeneratedField(
        expression=models.Case(
            models.When(Q(status__in=OPEN_STATUSES, urgency=Urgency.EMERGENCY), then=0),
            models.When(Q(status__in=OPEN_STATUSES, urgency=Urgency.HIGH), then=1),
            models.When(status__in=OPEN_STATUSES, then=2),
            default=3,
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    inbox_deadline = models.GeneratedField(
        expression=models.Case(
            models.When(status=ReferralStatus.SENT, then=models.F("respond_by")),
            default=None,
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [
            ("override_referral_consent", "May send a referral without consent in an emergency"),
        ]
        indexes = [
            models.Index(fields=["to_organisation", "status", "-sent_at"]),
            models.Index(fields=["to_organisation", "-sent_at"]),
            models.Index(fields=["from_organisation", "sent_at"]),
            models.Index(fields=["from_organisation", "status", "-created_at"]),
            models.Index(fields=["status", "respond_by"]),
            models.Index(
                "to_organisation",
                "inbox_rank",
                # Ascending puts nulls last on PostgreSQL, as the inbox orders them.
                "inbox_deadline",
                models.F("sent_at").desc(),
                models.F("id").desc(),
                name="referral_inbox_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_organisation__isnull=False) | ~Q(external_organisation=""),
                name="referral_has_a_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} → {self.recipient_name}"

    @property
    def reference(self) -> str:
        """The number people quote: R-000015."""
        return f"R-{self.pk:06d}"

    @property
    def recipient_name(self) -> str:
        return str(self.to_organisation) if self.to_organisation else self.external_organisation

    @property
    def is_external(self) -> bool:
        return self.to_organisation_id is None

    @property
    def packet_withdrawn(self) -> bool:
        return self.packet_withdrawn_at is not None


class ReferralEvent(ChoiceLabels, models.Model):
    """Every change of a referral: who, when, from which status to which."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
