from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Region(models.Model):
    """A first-level administrative area (region, prefecture, state) of a country."""

    country = CountryField(_("country"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="region_unique_per_country"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    # HTCDS org_Type values first, then the types this field needs on top of them.
    NGO = "NGO", _("NGO")
    LAW_ENFORCEMENT = "LawEnforcement", _("Police or gendarmerie unit")
    HEALTH = "HealthServiceOrganisation", _("Health facility")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Ministry or central government")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government")
    IMMIGRATION = "ImmigrationService", _("Immigration service")
    LEGAL = "LegalService", _("Legal aid service")
    BUSINESS = "CorporateBusiness", _("Business")
    SCHOOL = "SchoolOrCollege", _("School or college")
    IOM_MISSION = "IOMMission", _("IOM mission")
    UN_AGENCY = "UNAgency", _("UN agency or mission")
    NATIONAL_COMMITTEE = "NationalCommittee", _("National anti-trafficking committee")
    CSO = "CivilSocietyOrganisation", _("Civil society or community organisation")
    SHELTER = "Shelter", _("Shelter")
    LABOUR_INSPECTION = "LabourInspection", _("Labour inspection")
    JUDICIARY = "Judiciary", _("Judiciary or prosecution")
    OTHER = "Other", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    country = CountryField(_("country"))
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions covered"), blank=True, related_name="organisations"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["country", "type"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name
