"""Screenings: an identification interview, possibly anonymous, and the status decisions
taken on it.

A screening holds no identity unless the person gives a name (encrypted); it is known by a
code that says nothing about the person (SCR-CF-2026-00012). What statistics need (place,
month, sex, age group, citizenship, indicators found, statuses) is stored in the clear; the
person's own account and the details of needs and risks are encrypted. Every change goes
through screening.services, which writes the audit entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cases.models import Case
from partners.models import Organisation, Region
from traffick_cm import codebooks as v
from traffick_cm.fields import ChoiceListField, EncryptedTextField

User = settings.AUTH_USER_MODEL

AGE_GROUP_CHOICES = [(code, label) for code, label, _low, _high in v.AGE_GROUPS]
CHILD_AGE_GROUPS = frozenset(code for code, _label, _low, high in v.AGE_GROUPS if high < 18)


class PlaceType(models.TextChoices):
    FLOW_MONITORING = "flow_monitoring_point", _("Flow monitoring point")
    TRANSIT_CENTRE = "transit_centre", _("Transit centre")
    BORDER_POST = "border_post", _("Border post")
    POLICE_STATION = "police_station", _("Police or gendarmerie station")
    SHELTER = "shelter", _("Shelter")
    OTHER = "other", _("Other place")


class Risk(models.TextChoices):
    EXPLOITER_NEARBY = "exploiter_nearby", _("The recruiter or exploiter is nearby")
    THREATS = "threats", _("Threats against the person or their family")
    URGENT_MEDICAL = "urgent_medical", _("Urgent medical need")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    NO_SAFE_PLACE = "no_safe_place", _("No safe place to sleep")
    SELF_HARM = "self_harm", _("Risk of self-harm")
    DETENTION = "detention", _("Risk of detention or removal")


class Screening(models.Model):
    code = models.CharField(_("screening code"), max_length=32, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    screened_by = models.ForeignKey(
        User, verbose_name=_("screened by"), on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(_("date and time of the screening"))
    # The place of the screening is the place of identification (named as on a case).
    identified_country = CountryField(_("country"))
    identified_region = models.ForeignKey(
        Region,
        verbose_name=_("region or prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identified_locality = models.CharField(_("locality or site"), max_length=120, blank=True)
    place_type = models.CharField(_("type of place"), max_length=30, choices=PlaceType.choices)

    # The person: a name only if they gave one, encrypted.
    first_name = EncryptedTextField(_("first name"), blank=True)
    last_name = EncryptedTextField(_("last name"), blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=v.Sex.choices)
    age_group = models.CharField(_("age group"), max_length=8, choices=AGE_GROUP_CHOICES)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    is_child = models.BooleanField(_("child"), default=False)
    citizenship = CountryField(_("citizenship"), blank=True)

    # The interview: structured answers keyed by question code (screening/questions.py).
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    account = EncryptedTextField(_("the person's own account"), blank=True, multiline=True)
    needs = ChoiceListField(_("immediate needs"), choices_list=v.ServiceType)
    risks = ChoiceListField(_("risks"), choices_list=Risk)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=v.RiskLevel.choices, blank=True
    )
    risks_note = EncryptedTextField(_("needs and risks: details"), blank=True, multiline=True)

    # What the answers show (screening/indicators.py), computed at each save.
    indicators = ChoiceListField(_("indicators found"))
    suggested_status = models.CharField(
        _("suggested status"), max_length=40, choices=v.TraffickingStatus.choices
    )
    rule_version = models.CharField(max_length=20)
    # The current decision's status (its StatusDecision rows are the history); empty until
    # someone decides.
    status = models.CharField(
        _("decided status"), max_length=40, choices=v.TraffickingStatus.choices, blank=True
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screening",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-screened_at"]),
            models.Index(fields=["identified_country", "screened_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def anonymous(self) -> bool:
        return not (self.first_name or self.last_name)


class StatusDecision(models.Model):
    """One decision on a screening's trafficking status (HTCDS vic_TraffickingStatus, and
    vic_TraffickingStatusDecisionMakingOrg for who decided). Never changed: a revision is a
    new row, the newest is the current one."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    status = models.CharField(_("status"), max_length=40, choices=v.TraffickingStatus.choices)
    suggested_status = models.CharField(
        _("suggested status"), max_length=40, choices=v.TraffickingStatus.choices
    )
    # The suggestion as the rule made it when deciding (indicators.Suggestion.as_json).
    suggestion = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    deciding_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("deciding organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_maker = models.CharField(
        _("type of deciding organisation"),
        max_length=40,
        choices=v.StatusDecisionMaker.choices,
    )
    justification = EncryptedTextField(_("justification"), multiline=True)
    reason_against_suggestion = EncryptedTextField(
        _("reason for deciding against the suggestion"), blank=True, multiline=True
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("status decision")
        verbose_name_plural = _("status decisions")
        ordering = ["-decided_at", "-pk"]

    @property
    def against_suggestion(self) -> bool:
        return self.status != self.suggested_status
