"""The roles a user can hold. Codes are stable; labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Case supervisor")
    PARTNER = "partner", _("Partner focal point")
    PROGRAMME = "programme", _("Programme officer")
    MNE = "mne", _("M&E officer")
    MINISTRY = "ministry", _("Ministry focal point")
    ADMIN = "admin", _("Administrator")


ALL_ROLES = frozenset(Role)
# Roles with case-level data: they work the case files.
CASE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
# Everyone but partner focal points, who see only referrals and the partner directory.
STAFF_ROLES = ALL_ROLES - {Role.PARTNER}
