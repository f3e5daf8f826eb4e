from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.models import Organisation
from programmes.models import Project, SDGTarget
from traffick_cm.fields import ChoiceListField


class ActionPlan(models.Model):
    """A national action plan against trafficking (NAP)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    country = CountryField(_("country"))
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("start of the period"))
    period_end = models.DateField(_("end of the period"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    coordinating_body = models.ForeignKey(
        Organisation,
        verbose_name=_("coordinating body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
    )

    class Meta:
        ordering = ["country", "-period_start"]
        verbose_name = _("national action plan")
        verbose_name_plural = _("national action plans")

    def __str__(self) -> str:
        return self.title


class Pillar(models.Model):
    """A pillar of a plan: the 4P (prevention, protection, prosecution, partnership) by
    default; plans may define others."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="pillars")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="pillar_code_unique_per_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class ActionPointStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class ActionPoint(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="action_points")
    pillar = models.ForeignKey(
        Pillar, verbose_name=_("pillar"), on_delete=models.PROTECT, related_name="action_points"
    )
    number = models.CharField(_("number"), max_length=20)
    text = models.TextField(_("action"))
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supporting = models.ManyToManyField(
        Organisation, verbose_name=_("supporting institutions"), blank=True, related_name="+"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActionPointStatus.choices,
        default=ActionPointStatus.NOT_STARTED,
    )

    class Meta:
        ordering = ["plan", "pillar__order", "number"]
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="action_point_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"


def _evidence_path(instance: ProgressUpdate, filename: str) -> str:
    return f"nap-evidence/{uuid.uuid4().hex}"


class ProgressUpdate(models.Model):
    action_point = models.ForeignKey(ActionPoint, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=ActionPointStatus.choices)
    narrative = models.TextField(_("progress"))
    evidence = models.FileField(upload_to=_evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]


class Computation(models.TextChoices):
    """How an indicator's value is computed from the data; each has a documented definition
    (see reports/indicators.py)."""

    MANUAL = "manual", _("Entered by hand")
    PEOPLE_TRAINED = "people_trained", _("People trained or reached")
    PEOPLE_TRAINED_AUDIENCE = "people_trained_audience", _("People trained, one audience")
    SESSIONS_ON_TOPIC = "sessions_on_topic", _("Sessions on a topic")
    VICTIMS_IDENTIFIED = "victims_identified", _("Presumed victims identified")
    REFERRALS_COMPLETED = "referrals_completed", _("Referrals completed")
    SERVICES_DELIVERED = "services_delivered", _("Services delivered")
    ACTION_POINTS_COMPLETED = "action_points_completed", _("Action points completed")
    PERSONS_SCREENED = "persons_screened", _("Persons screened")
    SCREENING_IDENTIFIED = "screening_identified", _("Victims identified at screening")


class Indicator(models.Model):
    """An indicator of a plan or of a project's logframe."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    pillar = models.ForeignKey(
        Pillar, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, default="people")
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, default=0)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    computation = models.CharField(
        _("computation"), max_length=30, choices=Computation.choices, default=Computation.MANUAL
    )
    parameter = models.CharField(
        _("parameter"),
        max_length=60,
        blank=True,
        help_text=_("The audience, topic or service code the computation counts."),
    )
    sdg_targets = ChoiceListField(_("SDG targets"), choices_list=SDGTarget)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False) | Q(project__isnull=False),
                name="indicator_belongs_to_plan_or_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorTarget(models.Model):
    """A target for one period (a logframe's yearly or quarterly milestones)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    period_end = models.DateField()
    target = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["period_start"]


class IndicatorValue(models.Model):
    """A value entered by hand for a period (manual indicators)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end"]


class ReportKind(models.TextChoices):
    DONOR = "donor", _("Donor report")
    NAP = "nap", _("National action plan progress report")
    OPERATIONAL = "operational", _("Operational statistics")


class ReportRun(models.Model):
    """One production of a report for a kind, parameters and period: made exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        PERSON = "person", _("Person")

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    parameters = models.JSONField(default=dict)
    # The parameters as one canonical string, so that the unique constraint sees them.
    parameters_key = models.CharField(max_length=200)
    period_from = models.DateField()
    period_to = models.DateField()
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "parameters_key", "period_from", "period_to"],
                name="report_run_exactly_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.parameters_key} {self.period_from}–{self.period_to}"


def _report_path(instance: ReportFile, filename: str) -> str:
    return f"reports/{instance.run_id}/{filename}"


class ReportFile(models.Model):
    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=5)
    file = models.FileField(upload_to=_report_path, max_length=200)
    checksum = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "format"], name="report_file_once"),
        ]


class ReportSubscription(models.Model):
    """Who gets an email (with a link, never the file) when a scheduled report is ready."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    parameters_key = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "parameters_key"], name="report_subscription_unique"
            ),
        ]


def _ctdc_path(instance: CtdcRelease, filename: str) -> str:
    return f"ctdc/{instance.year}-{filename}"


class CtdcRelease(models.Model):
    """The anonymised CTDC dataset of one calendar year of registration, made once.

    Two k-anonymous files of the same people made at different k (or on different days) can
    be set side by side to single people out; so each year is released once, at one k, and
    every later request gets the same file."""

    year = models.PositiveSmallIntegerField(_("year of registration"), unique=True)
    k = models.PositiveSmallIntegerField("k")
    file = models.FileField(upload_to=_ctdc_path, max_length=200)
    checksum = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    records = models.PositiveIntegerField(_("records released"))
    left_out = models.PositiveIntegerField(_("records left out"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("CTDC release")
        verbose_name_plural = _("CTDC releases")
        constraints = [
            # CTDC's own threshold: the database refuses a release under it, whoever asks.
            models.CheckConstraint(condition=Q(k__gte=11), name="ctdc_release_k_at_least_11"),
        ]

    def __str__(self) -> str:
        return f"CTDC {self.year} (k={self.k})"


# Monthly figures: what the dashboard and the country reports count, counted ahead
# (reports/services/aggregates.py) so that a page reads a few hundred rows, not every case.


class CaseDimension(models.TextChoices):
    """The breakdowns of victims identified. A list field (types of exploitation,
    citizenships) is kept as stored, whole: a person counts once in "other citizenship"
    however many of theirs are not named, which counts per code could not say. The region
    is a breakdown too (its id, blank when not stated): the breakdowns are a country's,
    never one region's (statistics.cases)."""

    SEX = "sex"
    AGE = "age"
    EXPLOITATION = "exploitation"
    CITIZENSHIPS = "citizenships"
    REGION = "region"


class MonthlyCaseFigure(models.Model):
    """Victims (possible or actual) identified in a month in a country, by one breakdown:
    each breakdown's rows add up to the month's total."""

    month = models.DateField()
    country = models.CharField(max_length=2, blank=True)
    dimension = models.CharField(max_length=20, choices=CaseDimension.choices)
    value = models.TextField(blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["country", "month", "dimension"])]


class MonthlyReferralFigure(models.Model):
    """Referrals sent (not drafts) in a month, by the sender's country, the case's region,
    status, and whether they went abroad."""

    month = models.DateField()
    country = models.CharField(max_length=2, blank=True)
    region = models.ForeignKey(
        "partners.Region",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    status = models.CharField(max_length=20)
    cross_border = models.BooleanField()
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["country", "month"])]


class MonthlyResponseTime(models.Model):
    """The answers to the referrals sent in a month, by how long they took, in buckets: 6
    minutes wide under two days, an hour under 30 days, a day beyond. `minutes` is the
    bucket's lower bound; `seconds` the sum of the answers' delays, so that a bucket's mean
    is known. A median read from them is the mean of the bucket holding the middle answer:
    exact when the answers in it took the same time, and never further off than the
    bucket's width (statistics.median_response_hours)."""

    month = models.DateField()
    country = models.CharField(max_length=2, blank=True)
    minutes = models.IntegerField()
    answered = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["country", "month"])]


class MonthlyServiceFigure(models.Model):
    """Services delivered in a month, by the case's country and region, and type."""

    month = models.DateField()
    country = models.CharField(max_length=2, blank=True)
    region = models.ForeignKey(
        "partners.Region",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    service_type = models.CharField(max_length=30)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["country", "month"])]


class FigureFamily(models.TextChoices):
    CASES = "cases"
    REFERRALS = "referrals"
    SERVICES = "services"


class PendingFigures(models.Model):
    """A country's month whose figures a change has made stale, written in the transaction
    of the change: if the task that recounts it is lost (no broker, a worker killed), the
    next periodic pass still finds it."""

    family = models.CharField(max_length=10, choices=FigureFamily.choices)
    country = models.CharField(max_length=2, blank=True)
    month = models.DateField()


class AggregateRefresh(models.Model):
    """One row: when the monthly figures were last brought up to date. Its lock also makes
    two recounts wait for each other, so that neither deletes rows the other inserts."""

    refreshed_at = models.DateTimeField(null=True)
    # The last periodic look for records written without a note (bulk imports).
    checked_at = models.DateTimeField(null=True)
    # The last recount of everything.
    recounted_at = models.DateTimeField(null=True)
