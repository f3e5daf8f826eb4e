from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.audit import log_action
from accounts.models import User
from partners.models import Organisation
from programmes.models import Donor, Project

DONOR_FIELDS = ("name", "acronym", "country")
PROJECT_FIELDS = ("code", "title", "donor", "countries", "start_date", "end_date")


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}


def _project_snapshot(project: Project) -> dict[str, Any]:
    data = {field: str(getattr(project, field)) for field in PROJECT_FIELDS}
    data["countries"] = ",".join(c.code for c in project.countries)
    data["organisations"] = (
        sorted(project.organisations.values_list("pk", flat=True)) if project.pk else []
    )
    return data


@transaction.atomic
def donor_create(*, actor: User, **fields: Any) -> Donor:
    donor = Donor(**{k: v for k, v in fields.items() if k in DONOR_FIELDS})
    donor.full_clean()
    donor.save()
    log_action("reports.donor.created", actor=actor, target=donor, data={"name": donor.name})
    return donor


@transaction.atomic
def donor_update(*, actor: User, donor: Donor, **fields: Any) -> Donor:
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    before = {f: str(getattr(donor, f)) for f in DONOR_FIELDS}
    for key, value in fields.items():
        if key in DONOR_FIELDS:
            setattr(donor, key, value)
    donor.full_clean()
    donor.save()
    changed = _changes(before, {f: str(getattr(donor, f)) for f in DONOR_FIELDS})
    if changed:
        log_action("reports.donor.changed", actor=actor, target=donor, data=changed)
    return donor


@transaction.atomic
def project_create(
    *, actor: User, organisations: Iterable[Organisation] = (), **fields: Any
) -> Project:
    project = Project(**{k: v for k, v in fields.items() if k in PROJECT_FIELDS})
    project.full_clean()
    project.save()
    project.organisations.set(organisations)
    log_action(
        "reports.project.created", actor=actor, target=project, data=_project_snapshot(project)
    )
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: Project, organisations: Iterable[Organisation], **fields: Any
) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = _project_snapshot(project)
    for key, value in fields.items():
        if key in PROJECT_FIELDS:
            setattr(project, key, value)
    project.full_clean()
    project.save()
    project.organisations.set(organisations)
    changed = _changes(before, _project_snapshot(project))
    if changed:
        log_action("reports.project.changed", actor=actor, target=project, data=changed)
    return project
