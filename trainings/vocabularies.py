"""Training vocabularies. The codes are contracts (imports, exports, reports): stable;
the labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from traffick_cm import codebooks


class SessionType(models.TextChoices):
    TRAINING = "training", _("Training")
    TRAINING_OF_TRAINERS = "training_of_trainers", _("Training of trainers")
    AWARENESS = "awareness", _("Awareness-raising session")
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    COMMUNITY_DIALOGUE = "community_dialogue", _("Community dialogue")
    MEDIA = "media", _("Media campaign")


class Topic(models.TextChoices):
    TIP_BASICS = "tip_basics", _("Trafficking in persons: the basics")
    VICTIM_IDENTIFICATION = "victim_identification", _("Identifying victims and vulnerable people")
    TRAFFICKING_SMUGGLING_GBV = (
        "trafficking_smuggling_gbv",
        _("Trafficking, smuggling and gender-based violence"),
    )
    INTERVIEW_TECHNIQUES = "interview_techniques", _("Interview and listening techniques")
    LEGAL_FRAMEWORK = "legal_framework", _("Legal and institutional framework")
    REFERRAL_MECHANISMS = "referral_mechanisms", _("Referral and protection mechanisms")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    SGBV = "sgbv", _("Sexual and gender-based violence")
    HUMAN_SECURITY = "human_security", _("Human security approach")
    VICTIM_ASSISTANCE = "victim_assistance", _("Victim assistance")
    DATA_PROTECTION = "data_protection", _("Data protection")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    COMMUNITY_LEADERS = "community_leaders", _("Community leaders")
    GOVERNMENT_FOCAL_POINTS = "government_focal_points", _("Government focal points")
    POLICE = "police", _("Police")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    MAGISTRATES = "magistrates", _("Magistrates")
    LABOUR_INSPECTORS = "labour_inspectors", _("Labour inspectors")
    SOCIAL_WORKERS = "social_workers", _("Social workers")
    JOURNALISTS = "journalists", _("Journalists")
    HUMANITARIAN_WORKERS = "humanitarian_workers", _("Humanitarian workers")
    HEALTH_WORKERS = "health_workers", _("Health workers")
    TEACHERS = "teachers", _("Teachers")
    RELIGIOUS_LEADERS = "religious_leaders", _("Religious leaders")
    PEER_EDUCATORS = "peer_educators", _("Peer educators")
    MIGRANTS_RETURNEES = "migrants_returnees", _("Migrants and returnees")
    BORDER_OFFICIALS = "border_officials", _("Border officials")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    GENERAL_PUBLIC = "general_public", _("General public")
    OTHER = "other", _("Other")


class ParticipantSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or not stated")


class AttachmentKind(models.TextChoices):
    ATTENDANCE = "attendance_sheet", _("Attendance sheet")
    AGENDA = "agenda", _("Agenda")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


for _vocabulary in (Audience, Topic, SessionType, ParticipantSex, AttachmentKind):
    codebooks.register(f"trainings.{_vocabulary.__name__}", _vocabulary)
