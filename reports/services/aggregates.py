"""The monthly figures (reports/models.py: MonthlyCaseFigure and the others) counted from
the records, so that the dashboard and the country reports read a few hundred rows instead
of every case and referral.

Counting is set-based: one grouped query per family of figures, inserted as it comes out
of the database (INSERT ... SELECT); nothing goes through Python a record at a time. A
recount deletes the rows of the months it counts and inserts them again, so running it
twice gives the same rows.

How the figures stay current:
- a change of a case, referral or service delivery notes the country's month it touches
  (`note`, from reports/receivers.py), in the transaction of the change; the month is
  recounted (`refresh_pending`) by a task queued when that transaction commits, at most one
  every DEBOUNCE_SECONDS whatever the number of changes. With no broker (tasks run in the
  process), the month is recounted at once, in the transaction of the change
  (`refresh_now`);
- every REFRESH_MINUTES, `catch_up` recounts what is noted (a lost task leaves its notes)
  and the months of records written without a note (bulk imports write without saving each
  row): those whose rows were written since its previous pass;
- every night, `refresh` recounts everything (what no note and no timestamp says: an
  organisation that moved country, a row changed by hand).
Every pass records its time (AggregateRefresh), which the dashboard shows."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import reduce

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Floor, Round, TruncDate, TruncMonth
from django.utils import timezone

from cases.models import Case, ServiceDelivery
from referrals.models import Referral, ReferralStatus
from referrals.selectors import sent_between
from reports.models import (
    AggregateRefresh,
    CaseDimension,
    FigureFamily,
    MonthlyCaseFigure,
    MonthlyReferralFigure,
    MonthlyResponseTime,
    MonthlyServiceFigure,
    PendingFigures,
)
from reports.statistics import IDENTIFIED, UNKNOWN
from traffick_cm import codebooks as cv
from traffick_cm import periods

REFRESH_MINUTES = 5
DEBOUNCE_SECONDS = 10
# A transaction that wrote rows stamped before a pass but committed after it is caught by
# the next pass when it committed within this margin, by the nightly recount otherwise.
CATCH_UP_MARGIN = timedelta(minutes=15)
QUEUED_KEY = "reports:figures:refresh-queued"


# (family, country, first day of the month); country None: every country.
Unit = tuple[str, str | None, date]
# The buckets of answer delays (MonthlyResponseTime): (under so many seconds, this wide).
DELAY_BUCKETS = ((2 * 86400, 360), (30 * 86400, 3600), (None, 86400))


def month_of(day: date | datetime) -> date:
    """The first day of the month of a day, or of a moment in the current time zone."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return periods.containing(month, periods.Unit.MONTH).end


# Noting changes


def note(units: Iterable[Unit]) -> None:
    """Mark country months as stale, in the caller's transaction."""
    PendingFigures.objects.bulk_create(
        PendingFigures(family=family, country=country or "", month=month)
        for family, country, month in set(units)
    )


def queue_claim() -> bool:
    """Whether the caller should queue a refresh: no other is queued for the next
    DEBOUNCE_SECONDS (the refresh, when it starts, lets the next change queue one again)."""
    return cache.add(QUEUED_KEY, True, timeout=DEBOUNCE_SECONDS)


# Counting


def refresh(*, months: Iterable[date] | None = None) -> None:
    """Recount the given months of every country, or everything (months None)."""
    with transaction.atomic():
        state = _lock()
        now = timezone.now()
        if months is None:
            for family in FigureFamily.values:
                _recount(family, None)
            state.recounted_at = now
        else:
            firsts = {month_of(m) for m in months}
            _recount_units({(family, None, m) for family in FigureFamily.values for m in firsts})
        state.refreshed_at = now
        state.save()


def refresh_now(units: Iterable[Unit]) -> None:
    """Recount these country months now, in the caller's transaction: with no broker, a
    change is counted where it is made, and rolls back with it."""
    with transaction.atomic(savepoint=False):
        state = _lock()
        _recount_units(set(units))
        state.refreshed_at = timezone.now()
        state.save(update_fields=["refreshed_at"])


def refresh_pending() -> int:
    """Recount the months noted as stale; returns how many country months it counted."""
    cache.delete(QUEUED_KEY)
    with transaction.atomic():
        state = _lock()
        now = timezone.now()
        units = _claim_pending()
        state.refreshed_at = now
        state.save(update_fields=["refreshed_at"])
    return len(units)


def catch_up() -> int:
    """The periodic pass: what is noted, and the months of rows written since the previous
    pass without a note. The first pass ever recounts everything. Returns how many country
    months it counted (-1: everything)."""
    with transaction.atomic():
        state = _lock()
        now = timezone.now()
        since = state.checked_at or state.recounted_at
        if since is None:
            for family in FigureFamily.values:
                _recount(family, None)
            state.recounted_at = now
            counted = -1
        else:
            units = _claim_pending(extra=_written_since(since - CATCH_UP_MARGIN))
            counted = len(units)
        state.refreshed_at = state.checked_at = now
        state.save()
    return counted


def _lock() -> AggregateRefresh:
    state, _created = AggregateRefresh.objects.select_for_update().get_or_create(pk=1)
    return state


def _claim_pending(extra: Iterable[Unit] = ()) -> set[Unit]:
    """Recount the noted months (and `extra`), then delete exactly the notes read: a note
    committed meanwhile, whose change this count may not have seen, stays for the next."""
    pending = list(PendingFigures.objects.values_list("pk", "family", "country", "month"))
    units = {(family, country, month) for _pk, family, country, month in pending}
    units |= set(extra)
    _recount_units(units)
    PendingFigures.objects.filter(pk__in=[row[0] for row in pending]).delete()
    return units


def _written_since(since: datetime) -> set[Unit]:
    """The country months of cases, referrals and service deliveries written since then."""
    cases = (
        Case.objects.filter(updated_at__gte=since)
        .annotate(m=TruncMonth("identified_on", output_field=DateField()))
        .values_list("identified_country", "m")
        .distinct()
        .order_by()
    )
    sent = (
        Referral.objects.filter(updated_at__gte=since, sent_at__isnull=False)
        .annotate(m=_sent_month())
        .values_list("from_organisation__country", "m")
        .distinct()
        .order_by()
    )
    delivered = (
        ServiceDelivery.objects.filter(created_at__gte=since)
        .annotate(m=TruncMonth("delivered_on", output_field=DateField()))
        .values_list("case__identified_country", "m")
        .distinct()
        .order_by()
    )
    return (
        {(FigureFamily.CASES.value, country, m) for country, m in cases}
        | {(FigureFamily.REFERRALS.value, country, m) for country, m in sent}
        | {(FigureFamily.SERVICES.value, country, m) for country, m in delivered}
    )


def _recount_units(units: Iterable[Unit]) -> None:
    by_family: dict[str, list[tuple[str | None, date]]] = {}
    for family, country, month in units:
        by_family.setdefault(family, []).append((country, month))
    for family, where in sorted(by_family.items()):
        _recount(family, where)


def _recount(family: str, where: list[tuple[str | None, date]] | None) -> None:
    """Delete and count again the figures of one family in these country months (None:
    all of them)."""
    for model, source, columns in TARGETS[family](where):
        stale = model.objects.all()
        if where is not None:
            stale = stale.filter(
                reduce(
                    operator.or_,
                    (Q(month=m, **({"country": c} if c is not None else {})) for c, m in where),
                )
            )
        stale.delete()
        _insert(model, source, columns)


def _days(field: str):
    return lambda first, last: {f"{field}__gte": first, f"{field}__lte": last}


def _within(where: list[tuple[str | None, date]] | None, country_field: str, dates) -> Q | None:
    """The records of the country months, `dates(first, last)` giving a month's filter."""
    if where is None:
        return None
    return reduce(
        operator.or_,
        (
            Q(**dates(month, _month_end(month)), **({country_field: c} if c is not None else {}))
            for c, month in where
        ),
    )


def _insert(model: type[Model], source: QuerySet, columns: list[str]) -> None:
    """INSERT INTO the model's table the rows of the grouped query, whose columns are
    named f_<column>, in the order pages read them: a country's months then lie together
    on disk, and a page reads few blocks."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, params = source.query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    targets = ", ".join(quote(field.column) for field in fields)
    picked = ", ".join(f"grouped.{quote('f_' + name)}" for name in columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({targets}) SELECT {picked} FROM ({sql}) grouped "  # noqa: S608
            f"ORDER BY grouped.{quote('f_country')}, grouped.{quote('f_month')}",
            params,
        )


class _DelaySeconds(Func):
    """Seconds from the second moment to the first."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _sent_month() -> TruncMonth:
    """The month a referral was sent in, in the current time zone, as a date."""
    return TruncMonth(TruncDate("sent_at"), output_field=DateField())


def _case_sources(where) -> list[tuple[type[Model], QuerySet, list[str]]]:
    within = _within(where, "identified_country", _days("identified_on"))
    qs = Case.objects.filter(trafficking_status__in=IDENTIFIED)
    if within is not None:
        qs = qs.filter(within)
    qs = qs.annotate(
        f_month=TruncMonth("identified_on", output_field=DateField()),
        f_country=F("identified_country"),
    ).order_by()
    age = CaseWhen(
        *[
            When(age_at_identification__gte=low, age_at_identification__lte=high, then=Value(code))
            for code, _label, low, high in cv.AGE_GROUPS
        ],
        When(age_at_identification__isnull=True, then=Value(UNKNOWN)),
        default=Value(""),
        output_field=CharField(),
    )
    parts = [
        qs.annotate(f_dimension=Value(dimension.value, output_field=CharField()), f_value=value)
        .values("f_month", "f_country", "f_dimension", "f_value")
        .annotate(f_count=Count("pk"))
        for dimension, value in (
            (CaseDimension.SEX, F("sex")),
            (CaseDimension.AGE, age),
            (CaseDimension.EXPLOITATION, F("exploitation_types")),
            (CaseDimension.CITIZENSHIPS, F("citizenships")),
            (
                CaseDimension.REGION,
                Coalesce(Cast("identified_region", CharField()), Value("")),
            ),
        )
    ]
    columns = ["month", "country", "dimension", "value", "count"]
    return [(MonthlyCaseFigure, parts[0].union(*parts[1:], all=True), columns)]


def _referral_sources(where) -> list[tuple[type[Model], QuerySet, list[str]]]:
    within = _within(where, "from_organisation__country", sent_between)
    qs = Referral.objects.exclude(status=ReferralStatus.DRAFT).filter(sent_at__isnull=False)
    if within is not None:
        qs = qs.filter(within)
    qs = qs.annotate(f_month=_sent_month(), f_country=F("from_organisation__country")).order_by()
    made = (
        qs.annotate(
            f_region=F("case__identified_region"),
            f_status=F("status"),
            f_cross_border=CaseWhen(
                When(destination_country=F("from_organisation__country"), then=Value(False)),
                default=Value(True),
            ),
        )
        .values("f_month", "f_country", "f_region", "f_status", "f_cross_border")
        .annotate(f_count=Count("pk"))
    )
    # Whole seconds: a bucket of answers that took the same time has that time as its mean,
    # not a float a hair off it that rounds the other way.
    delay = Round(_DelaySeconds("responded_at", "sent_at"))
    answered = (
        qs.filter(responded_at__isnull=False)
        .annotate(f_delay=delay)
        .annotate(
            f_minutes=CaseWhen(
                *[
                    When(f_delay__lt=under, then=Floor(F("f_delay") / width) * (width // 60))
                    for under, width in DELAY_BUCKETS[:-1]
                ],
                default=Floor(F("f_delay") / DELAY_BUCKETS[-1][1]) * (DELAY_BUCKETS[-1][1] // 60),
                output_field=FloatField(),
            )
        )
        .values("f_month", "f_country", "f_minutes")
        .annotate(f_answered=Count("pk"), f_seconds=Sum("f_delay"))
    )
    return [
        (
            MonthlyReferralFigure,
            made,
            ["month", "country", "region", "status", "cross_border", "count"],
        ),
        (MonthlyResponseTime, answered, ["month", "country", "minutes", "answered", "seconds"]),
    ]


def _service_sources(where) -> list[tuple[type[Model], QuerySet, list[str]]]:
    within = _within(where, "case__identified_country", _days("delivered_on"))
    qs = ServiceDelivery.objects.all()
    if within is not None:
        qs = qs.filter(within)
    delivered = (
        qs.annotate(
            f_month=TruncMonth("delivered_on", output_field=DateField()),
            f_country=F("case__identified_country"),
            f_region=F("case__identified_region"),
            f_service_type=F("service_type"),
        )
        .values("f_month", "f_country", "f_region", "f_service_type")
        .annotate(f_count=Count("pk"))
        .order_by()
    )
    return [
        (MonthlyServiceFigure, delivered, ["month", "country", "region", "service_type", "count"])
    ]


TARGETS = {
    FigureFamily.CASES: _case_sources,
    FigureFamily.REFERRALS: _referral_sources,
    FigureFamily.SERVICES: _service_sources,
}
