"""Training and awareness sessions: who was reached, on what, by whom, where, with which
funding. Participant counts are not about victims and are never suppressed; the optional
participant register holds personal data, encrypted, for programme staff only."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Avg, F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.models import Organisation, Region
from programmes.models import Project
from traffick_cm.fields import LARGEST_INTEGER, ChoiceListField, EncryptedTextField
from trainings import vocabularies as v

User = settings.AUTH_USER_MODEL


class TrainingSession(models.Model):
    title = models.CharField(_("title"), max_length=300)
    session_type = models.CharField(_("type"), max_length=30, choices=v.SessionType.choices)
    topics = ChoiceListField(_("topics"), choices_list=v.Topic)
    audiences = ChoiceListField(_("target audiences"), choices_list=v.Audience)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="sessions_organised",
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("co-organising partners"),
        blank=True,
        related_name="sessions_co_organised",
    )
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)
    country = CountryField(_("country"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("funding project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    action_points = models.ManyToManyField(
        "reports.ActionPoint",
        verbose_name=_("action-plan action points served"),
        blank=True,
        related_name="sessions",
    )
    notes = models.TextField(_("notes"), blank=True)
    participants_female = models.PositiveIntegerField(_("women and girls"), default=0)
    participants_male = models.PositiveIntegerField(_("men and boys"), default=0)
    participants_other = models.PositiveIntegerField(_("other or not stated"), default=0)
    # Typed once: the total is always the sum of the counts by sex.
    participants_total = models.GeneratedField(
        expression=F("participants_female") + F("participants_male") + F("participants_other"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
        verbose_name=_("total participants"),
    )
    age_under_18 = models.PositiveIntegerField(_("under 18"), null=True, blank=True)
    age_18_24 = models.PositiveIntegerField(_("18 to 24"), null=True, blank=True)
    age_25_plus = models.PositiveIntegerField(_("25 and over"), null=True, blank=True)
    pre_test_average = models.DecimalField(
        _("pre-test average (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    post_test_average = models.DecimalField(
        _("post-test average (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("training or awareness session")
        verbose_name_plural = _("training and awareness sessions")
        indexes = [
            models.Index(fields=["country", "start_date"]),
            models.Index(fields=["organiser", "start_date"]),
            models.Index(fields=["project", "start_date"]),
        ]
        constraints = [
            # The same title, start date and organiser is the same session (imports rely on it).
            models.UniqueConstraint(
                fields=["title", "start_date", "organiser"], name="session_unique_identity"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date:%Y-%m-%d})"

    def clean(self) -> None:
        counts = (self.participants_female, self.participants_male, self.participants_other)
        if sum(count or 0 for count in counts) > LARGEST_INTEGER:  # participants_total's column
            raise ValidationError({"participants_other": _("The participants add up to too many.")})

    @cached_property
    def knowledge_gain(self):
        """Average post-test minus pre-test score, in points: from the session averages, or
        else from the participants' scores."""
        if self.pre_test_average is not None and self.post_test_average is not None:
            return self.post_test_average - self.pre_test_average
        if not self.pk:
            return None
        gains = self.participants.filter(pre_score__isnull=False, post_score__isnull=False)
        average = gains.aggregate(gain=Avg(F("post_score") - F("pre_score")))["gain"]
        return round(average, 1) if average is not None else None


class Participant(models.Model):
    """One line of a session's participant register: personal data, encrypted."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="participants"
    )
    name = EncryptedTextField(_("name"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=120, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=v.ParticipantSex.choices)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    pre_score = models.DecimalField(
        _("pre-test score (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    post_score = models.DecimalField(
        _("post-test score (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    # Keyed hash of the normalised name: a register imported twice adds no one twice.
    name_key = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "name_key"], name="participant_once"),
        ]


def _attachment_path(instance: SessionAttachment, filename: str) -> str:
    return f"training-attachments/{uuid.uuid4().hex}"


class SessionAttachment(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=v.AttachmentKind.choices)
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
