from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from traffick_cm.codebooks import Language, ServiceType
from traffick_cm.fields import ChoiceListField


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
    # The partner directory: what the organisation offers, to whom, where and when.
    services = ChoiceListField(_("services offered"), choices_list=ServiceType)
    serves_children = models.BooleanField(_("serves children"), default=True)
    serves_adults = models.BooleanField(_("serves adults"), default=True)
    serves_sex = models.CharField(
        _("serves"),
        max_length=10,
        choices=[
            ("all", _("Women and men")),
            ("female", _("Women and girls only")),
            ("male", _("Men and boys only")),
        ],
        default="all",
    )
    languages = ChoiceListField(_("languages spoken"), choices_list=Language)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    capacity_note = models.CharField(
        _("capacity"),
        max_length=200,
        blank=True,
        help_text=_("For example: 12 shelter beds, 4 free on 1 March."),
    )
    beds_free = models.PositiveSmallIntegerField(_("shelter beds free"), null=True, blank=True)
    receives_referrals = models.BooleanField(
        _("receives referrals in this system"),
        default=True,
        help_text=_("Its focal points answer referrals here."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["country", "type"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Contact(models.Model):
    """A focal point or contact of an organisation, for the printed directory."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    function = models.CharField(_("function"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_focal_point = models.BooleanField(_("focal point for referrals"), default=True)

    class Meta:
        ordering = ["-is_focal_point", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class PathwayStep(models.Model):
    """The referral pathway of the SOP: for a service in a region (or the whole country),
    the partners to refer to, in order."""

    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    country = CountryField(_("country"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole country."),
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="pathway_steps",
    )
    rank = models.PositiveSmallIntegerField(_("order"), default=1)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    # For the API's incremental sync (`?updated_since=`).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "service_type", "region", "rank"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "country", "region", "partner"], name="pathway_step_unique"
            ),
            # NULL regions are distinct to the constraint above: whole-country steps need this.
            models.UniqueConstraint(
                fields=["service_type", "country", "partner"],
                condition=models.Q(region__isnull=True),
                name="pathway_step_unique_whole_country",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} – {self.partner}"
