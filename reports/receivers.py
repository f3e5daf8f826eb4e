"""What reports hears of changes below it (connected in reports/apps.py): a case, referral
or service delivery saved or deleted makes the monthly figures of its country's month
stale. The receivers say which country months (reports/services/aggregates.py counts them
again); cases and referrals know nothing of it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from cases.models import Case, ServiceDelivery
from referrals.models import Referral
from reports import tasks
from reports.models import FigureFamily
from reports.services import aggregates
from reports.services.aggregates import Unit, month_of

CASES, REFERRALS, SERVICES = FigureFamily.CASES, FigureFamily.REFERRALS, FigureFamily.SERVICES
# The fields of a case the figures count by; the first three place it.
CASE_FIELDS = (
    "identified_country",
    "identified_on",
    "identified_region",
    "trafficking_status",
    "sex",
    "age_at_identification",
    "citizenships",
    "exploitation_types",
)


def _counted(update_fields) -> bool:
    return update_fields is None or bool(set(CASE_FIELDS) & set(update_fields))


def _code(country) -> str:
    return getattr(country, "code", country) or ""


def _as_counted(case: Case) -> tuple:
    values = {name: getattr(case, name) for name in CASE_FIELDS if name != "identified_region"}
    values["identified_country"] = _code(values["identified_country"])
    values["identified_region"] = case.identified_region_id
    return tuple(values[name] for name in CASE_FIELDS)


def case_before_save(sender, instance: Case, raw=False, update_fields=None, **kwargs) -> None:
    """How the case was counted before this save: an edit may move it to another month,
    country or region, or change nothing the figures count."""
    if raw or instance._state.adding or not _counted(update_fields):
        return
    cases = Case.objects.using(kwargs.get("using")).only(*CASE_FIELDS)
    before = cases.filter(pk=instance.pk).first()
    instance._counted_before = None if before is None else _as_counted(before)


def case_saved(sender, instance: Case, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not _counted(update_fields):
        return
    before = instance.__dict__.pop("_counted_before", None)
    if before is not None and before == _as_counted(instance):
        return
    country = _code(instance.identified_country)
    units: set[Unit] = {(CASES, country, month_of(instance.identified_on))}
    if before is not None:
        old_country, old_day, old_region = before[:3]
        units.add((CASES, old_country, month_of(old_day)))
        if (old_country, old_region) != (country, instance.identified_region_id):
            # Its referrals and services are counted in its country and region too.
            units |= _linked(instance, {old_country, country})
    _changed(units)


def cases_created(sender, identified: set[tuple[str, date]], **kwargs) -> None:
    """Cases written in bulk (an import): the months of their (country, identification
    date), once each."""
    _changed({(CASES, country, month_of(day)) for country, day in identified})


def case_deleted(sender, instance: Case, **kwargs) -> None:
    _changed({(CASES, _code(instance.identified_country), month_of(instance.identified_on))})


def _linked(case: Case, countries: set[str]) -> set[Unit]:
    units: set[Unit] = set()
    for country, sent_at in Referral.objects.filter(case=case, sent_at__isnull=False).values_list(
        "from_organisation__country", "sent_at"
    ):
        units.add((REFERRALS, country, month_of(sent_at)))
    for delivered_on in ServiceDelivery.objects.filter(case=case).values_list(
        "delivered_on", flat=True
    ):
        units |= {(SERVICES, country, month_of(delivered_on)) for country in countries}
    return units


def referral_changed(sender, instance: Referral, raw=False, **kwargs) -> None:
    """A referral is counted from when it is sent, in the month it was sent (once sent, a
    referral keeps its sending time: its status changes, its month does not)."""
    if raw or instance.sent_at is None:
        return
    country = _code(instance.from_organisation.country)
    _changed({(REFERRALS, country, month_of(instance.sent_at))})


def service_changed(sender, instance: ServiceDelivery, raw=False, **kwargs) -> None:
    if raw:
        return
    country = _code(instance.case.identified_country)
    _changed({(SERVICES, country, month_of(instance.delivered_on))})


def _changed(units: set[Unit]) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker: tasks run in this process. Counted now, in the transaction of the
        # change, the figures change with the records and roll back with them (queued on
        # commit, they would wait for a commit that an enclosing transaction may never make).
        aggregates.refresh_now(units)
    else:
        aggregates.note(units)
        transaction.on_commit(_queue, robust=True)


def _queue() -> None:
    if aggregates.queue_claim():
        tasks.aggregates_refresh.apply_async(countdown=aggregates.DEBOUNCE_SECONDS)
