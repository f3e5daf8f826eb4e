"""The victim case file.

Personal data lives on Person, encrypted at rest; what statistics and filters need (sex,
age at identification, citizenships, exploitation types, region) is stored in the clear,
without names. Every change goes through cases.services, which writes the audit entry.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.models import Organisation, Region
from programmes.models import Project
from traffick_cm import codebooks as v
from traffick_cm.choice_labels import ChoiceLabels
from traffick_cm.fields import (
    ChoiceListField,
    EncryptedDateField,
    EncryptedTextField,
)

User = settings.AUTH_USER_MODEL


class CaseNumberSequence(models.Model):
    """The last number given per prefix and year: numbers are allocated under a row lock."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_sequence_unique"),
        ]


class Case(ChoiceLabels, models.Model):
    case_number = models.CharField(_("case number"), max_length=32, unique=True)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    primary_caseworker = models.ForeignKey(
        User,
        verbose_name=_("caseworker in charge"),
        on_delete=models.PROTECT,
        related_name="primary_cases",
        null=True,
        blank=True,
    )
    caseworkers = models.ManyToManyField(
        User, verbose_name=_("assigned caseworkers"), related_name="assigned_cases", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=v.CaseStatus.choices, default=v.CaseStatus.SCREENING
    )
    identified_on = models.DateField(_("date of identification"))
    registered_on = models.DateField(_("date of registration"))
    closed_on = models.DateField(_("date of closure"), null=True, blank=True)
    identified_country = CountryField(_("country of identification"))
    identified_region = models.ForeignKey(
        Region,
        verbose_name=_("region or prefecture of identification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identified_locality = models.CharField(_("locality"), max_length=120, blank=True)
    identification_method = models.CharField(
        _("how identified"), max_length=30, choices=v.IdentificationMethod.choices
    )
    referring_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("referring organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trafficking_status = models.CharField(
        _("trafficking status"),
        max_length=40,
        choices=v.TraffickingStatus.choices,
        default=v.TraffickingStatus.POSSIBLE,
    )
    status_decided_by = models.CharField(
        _("status decided by"), max_length=40, choices=v.StatusDecisionMaker.choices, blank=True
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=v.RiskLevel.choices, default=v.RiskLevel.MEDIUM
    )
    is_child = models.BooleanField(_("child"), default=False)
    unaccompanied_child = models.BooleanField(_("unaccompanied or separated child"), default=False)
    urgent_medical_need = models.BooleanField(_("urgent medical need"), default=False)
    security_risk = models.BooleanField(_("security risk"), default=False)
    project = models.ForeignKey(
        Project,
        verbose_name=_("funding project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )

    # Exploitation (HTCDS vic_)
    exploitation_types = ChoiceListField(
        _("types of exploitation"), choices_list=v.ExploitationType
    )
    labour_industry = models.CharField(
        _("forced labour industry"), max_length=60, choices=v.LabourIndustry.choices, blank=True
    )
    sex_exploitation_types = ChoiceListField(
        _("types of sexual exploitation"), choices_list=v.SexExploitationType
    )
    methods_of_control = ChoiceListField(_("methods of control"), choices_list=v.MethodOfControl)
    recruitment_methods = ChoiceListField(
        _("methods of recruitment"), choices_list=v.RecruitmentMethod
    )
    relationship_to_trafficker = models.CharField(
        _("relationship to trafficker"),
        max_length=20,
        choices=v.RelationshipToTrafficker.choices,
        blank=True,
    )
    age_when_trafficked = models.PositiveSmallIntegerField(
        _("age when trafficked"), null=True, blank=True
    )
    exploitation_months = models.PositiveSmallIntegerField(
        _("duration of exploitation (months)"), null=True, blank=True
    )
    is_transnational = models.BooleanField(_("transnational"), default=False)

    # Clear copies of what statistics and filters need; no name or exact date.
    sex = models.CharField(_("sex"), max_length=10, choices=v.Sex.choices, blank=True)
    age_at_identification = models.PositiveSmallIntegerField(
        _("age at identification"), null=True, blank=True
    )
    citizenships = ChoiceListField(_("citizenships"))

    possible_duplicate = models.BooleanField(_("possible duplicate"), default=False)
    version = models.PositiveIntegerField(default=1)
    # Empty for cases imported from the command line.
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "-updated_at"]),
            models.Index(fields=["organisation", "-updated_at"]),
            models.Index(fields=["status", "identified_region", "-updated_at"]),
            models.Index(fields=["identified_country", "identified_on"]),
            models.Index(fields=["organisation", "external_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="case_external_id_unique_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def is_closed(self) -> bool:
        return self.status in v.TERMINAL_STATUSES

    @property
    def age_group(self) -> str:
        return v.age_group(self.age_at_identification)

    @property
    def htcds_status(self) -> str:
        return v.HTCDS_CASE_STATUS[v.CaseStatus(self.status)]


class Person(ChoiceLabels, models.Model):
    """The person a case is about. Every identifying value is encrypted at rest."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="person")
    first_name = EncryptedTextField(_("first name"))
    middle_name = EncryptedTextField(_("middle name"), blank=True)
    last_name = EncryptedTextField(_("last name"), blank=True)
    aliases = EncryptedTextField(_("aliases"), blank=True)
    gender = models.CharField(_("gender"), max_length=30, choices=v.Gender.choices, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), blank=True, null=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    languages = ChoiceListField(_("languages"), choices_list=v.Language)
    marital_status = models.CharField(
        _("marital status"), max_length=30, choices=v.MaritalStatus.choices, blank=True
    )
    number_of_children = models.PositiveSmallIntegerField(
        _("number of children"), null=True, blank=True
    )
    education = models.CharField(
        _("highest level of education"), max_length=40, choices=v.Education.choices, blank=True
    )
    identity_documents = EncryptedTextField(_("identity documents"), blank=True, multiline=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    displacement_status = models.CharField(
        _("displacement status"), max_length=20, choices=v.DisplacementStatus.choices, blank=True
    )
    has_disability = models.BooleanField(_("disability"), default=False)
    disability_details = EncryptedTextField(_("disability details"), blank=True, multiline=True)
    sogiesc_consent = models.BooleanField(
        _("the person explicitly agreed to record SOGIESC information"), default=False
    )
    sogiesc = EncryptedTextField(_("SOGIESC information"), blank=True, multiline=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        return str(self)


class PersonKey(models.Model):
    """Keyed hashes of a person's normalised identity, to search and find duplicates
    without decrypting: one per name token, one per whole name (first and last names, with
    and without the middle name: a search for a full name finds it in one index probe), one
    per citizenship for duplicates, and for a case imported from a file without
    external_id, the key that recognises its row when the file is imported again."""

    class Kind(models.TextChoices):
        NAME = "name"
        FULL_NAME = "full"
        DUPLICATE = "dup"
        IMPORT = "imp"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="keys")
    # The person's case and its organisation, which never change, copied here so that a
    # search for a common name in one organisation's cases reads only that organisation's
    # keys: the database carries the list's organisation over to them.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    key = models.CharField(max_length=40)

    class Meta:
        # Every look-up names its kind, and reads the index alone: grouped by person, or
        # narrowed to one organisation's cases.
        indexes = [
            models.Index(
                fields=["kind", "key", "organisation", "case", "person"],
                name="person_key_lookup",
            )
        ]


class TraffickingEvent(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=v.EventType.choices)
    country = CountryField(_("country"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    description = EncryptedTextField(_("description"), blank=True, multiline=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("trafficking event")
        verbose_name_plural = _("trafficking events")


class Consent(ChoiceLabels, models.Model):
    """One consent decision. The current state per scope is derived from these records."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("consent to"), max_length=30, choices=v.ConsentScope.choices)
    granted = models.BooleanField(_("granted"), default=True)
    given_by = models.CharField(_("given by"), max_length=20, choices=v.ConsentGiver.choices)
    method = models.CharField(_("how"), max_length=10, choices=v.ConsentMethod.choices)
    given_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Not stored: set by the consent services when this decision ended sharing, to the
    # referrals whose shared details it withdrew (the audit entry keeps their ids).
    referrals_withdrawn: tuple[Any, ...] = ()

    class Meta:
        ordering = ["-given_on", "-recorded_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")


class Assessment(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("date"))
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    needs = ChoiceListField(_("needs"), choices_list=v.ServiceType)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=v.RiskLevel.choices)
    risks = EncryptedTextField(_("risks"), blank=True, multiline=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")


class SupportPlan(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_plans")
    type = models.CharField(_("type"), max_length=40, choices=v.SupportPlanType.choices)
    objectives = EncryptedTextField(_("objectives"), multiline=True)
    action_plan = EncryptedTextField(_("actions"), blank=True, multiline=True)
    planned_services = ChoiceListField(_("planned services"), choices_list=v.ServiceType)
    planned_end_on = models.DateField(_("planned end date"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end date"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")


class ServiceDelivery(ChoiceLabels, models.Model):
    """A service delivered to the person: by the owning organisation, or by a partner
    through a completed referral."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=30, choices=v.ServiceType.choices)
    delivered_on = models.DateField(_("date"))
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+"
    )
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="XAF")
    project = models.ForeignKey(
        Project,
        verbose_name=_("funding project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    notes = EncryptedTextField(_("notes"), blank=True, multiline=True)
    # Set when a partner delivered the service through a completed referral.
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service",
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        indexes = [models.Index(fields=["project", "delivered_on"])]


class CaseNote(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(_("note"), multiline=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")


class FollowUp(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    assigned_to = models.ForeignKey(
        User,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
        null=True,
        blank=True,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["done_on", "due_on"])]


def _document_path(instance: CaseDocument, filename: str) -> str:
    # A random name: neither the person's name nor the original file name is on disk.
    return f"case-documents/{uuid.uuid4().hex}"


class CaseDocument(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=v.DocumentKind.choices)
    file = models.FileField(upload_to=_document_path)
    original_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class LegalProceeding(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_proceedings")
    stage = models.CharField(_("stage"), max_length=20, choices=v.LegalStage.choices)
    complaint_on = models.DateField(_("complaint filed on"), null=True, blank=True)
    investigation_on = models.DateField(_("investigation opened on"), null=True, blank=True)
    prosecution_on = models.DateField(_("prosecution started on"), null=True, blank=True)
    judgment_on = models.DateField(_("judgment on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=v.LegalOutcome.choices, default=v.LegalOutcome.PENDING
    )
    person_role = models.CharField(
        _("the person's role"), max_length=20, choices=v.LegalRole.choices
    )
    compensation_awarded = models.BooleanField(_("compensation awarded"), default=False)
    compensation_amount = models.DecimalField(
        _("compensation amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    notes = EncryptedTextField(_("notes"), blank=True, multiline=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("legal proceeding")
        verbose_name_plural = _("legal proceedings")


class StatusChange(ChoiceLabels, models.Model):
    """The workflow history: kept whole, also across reopening."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=v.CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=v.CaseStatus.choices)
    changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]


class ClosureRequest(ChoiceLabels, models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Returned")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    reason = models.CharField(
        _("reason for closure"), max_length=40, choices=v.ClosureReason.choices
    )
    details = EncryptedTextField(_("details"), blank=True, multiline=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(decision="pending"),
                name="one_pending_closure_request_per_case",
            ),
        ]


class DuplicateFlag(ChoiceLabels, models.Model):
    """A possible earlier registration of the same person. The caseworker learns only that
    one exists (and its number, when it is in their own organisation)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="duplicate_flags")
    # No foreign key in the database: a flag names an earlier case found by the same
    # transaction, and the key's check locks that case's row (FOR KEY SHARE), a write to a
    # page of the case table for each flag. An import flags several earlier cases per row
    # where names are common; those locks took a fifth of its time at 1M cases (issue 15).
    # Deleting a case still deletes the flags that name it (Django's cascade), and a flag
    # whose other case is gone is not shown (the case file joins the other case).
    other_case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    same_organisation = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "other_case"], name="duplicate_flag_unique"),
        ]


def _import_path(instance: ImportJob, filename: str) -> str:
    return f"case-imports/{uuid.uuid4().hex}"


class ImportJob(models.Model):
    """A case file imported from the browser in the background: the uploaded file (encrypted
    at rest, deleted when the job ends), how far the job got, and its report. The page that
    shows it polls the job, so it survives a reload; its address holds a random id only."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        CHECKING = "checking", _("checking the rows")
        WRITING = "writing", _("writing the cases")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused: nothing was imported")
        FAILED = "failed", _("failed: nothing was imported")

    FINISHED = frozenset({State.DONE, State.REFUSED, State.FAILED})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=_import_path, blank=True)
    original_name = EncryptedTextField(_("file name"))
    # The language of the page that started it: the report and the e-mail speak it.
    language = models.CharField(max_length=10, default="en")
    rows = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    already_imported = models.PositiveIntegerField(default=0)
    # The ImportReport as JSON (errors by row and column, notes); encrypted, since an error
    # may quote a cell.
    report = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED
