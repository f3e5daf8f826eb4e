"""Donors, the projects they fund, and the SDG targets projects serve: the reference data
that cases, services, trainings and reports attribute work to.

These models lived in reports/ until the apps were layered; their tables keep the names
they had (reports_donor, reports_project, reports_project_organisations)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from traffick_cm.fields import ChoiceListField


class SDGTarget(models.TextChoices):
    T5_2 = "5.2", _("5.2 Violence against women and girls, including trafficking")
    T8_7 = "8.7", _("8.7 Forced labour, modern slavery, trafficking, child labour")
    T10_7 = "10.7", _("10.7 Orderly, safe and regular migration")
    T16_2 = "16.2", _("16.2 Abuse, exploitation and trafficking of children")


class Donor(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    country = CountryField(_("country"), blank=True)

    class Meta:
        db_table = "reports_donor"
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A funded project: cases, services, trainings and reports attribute work to it."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="projects"
    )
    countries = CountryField(_("countries"), multiple=True)
    organisations = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("implementing organisations"),
        related_name="projects",
        blank=True,
        db_table="reports_project_organisations",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    sdg_targets = ChoiceListField(_("SDG targets"), choices_list=SDGTarget)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "reports_project"
        ordering = ["-start_date", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="project_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"
