"""python manage.py seed_scale --cases N [--seed S] [--workers W]: synthetic data at scale
on PostgreSQL, loaded with COPY in chunks (see bench/generate.py and bench/scale.py)."""

from __future__ import annotations

import multiprocessing
import random
import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import scale
from bench.generate import (
    CHUNK,
    TABLES,
    Context,
    make_reference_data,
    prepare,
    run_chunks,
    training_sessions,
)
from cases.models import Person
from cases.services import identity
from reports.services import aggregates


class Command(BaseCommand):
    help = "Generate N synthetic cases (default 1,000,000) with everything attached, on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--sessions", type=int, default=None, help="training sessions (default: cases / 10)"
        )
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (COPY): set DATABASE_URL.")
        total = options["cases"]
        if total <= 0:
            raise CommandError("--cases must be positive.")
        began = time.monotonic()
        rng = random.Random(options["seed"])
        make_reference_data(rng)
        context = Context(options["seed"], total)
        prepare(context)
        spans = list(scale.chunks(total, CHUNK))
        workers = max(1, min(options["workers"], len(spans)))
        parts = [spans[w::workers] for w in range(workers)]
        laps = [("prepare", time.monotonic())]
        dropped = scale.bare_tables([model._meta.db_table for model in TABLES])
        try:
            connection.close()
            if workers == 1:
                results = [run_chunks(parts[0])]
            else:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    results = pool.map(run_chunks, parts)
            totals: dict[str, int] = {}
            for result in results:
                for table, n in result.items():
                    totals[table] = totals.get(table, 0) + n
            count = options["sessions"] if options["sessions"] is not None else total // 10
            totals["trainings_trainingsession"] = training_sessions(rng, count, context)
            laps.append(("load", time.monotonic()))
        finally:
            # The schema comes back even when the load failed half-way.
            scale.rebuild(dropped, workers=max(2, workers))
        laps.append(("indexes and constraints", time.monotonic()))
        for model in TABLES:
            scale.reset_sequence(model._meta.db_table)
        with connection.cursor() as cursor:
            # The loaded tables were analysed with their indexes; the reference tables now.
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE NOT relname = ANY(%s)",
                [[model._meta.db_table for model in TABLES]],
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f'ANALYZE "{table}"')
        laps.append(("analyze", time.monotonic()))
        # Loaded without the application, so the dashboard's monthly figures are counted here.
        aggregates.refresh()
        laps.append(("dashboard figures", time.monotonic()))
        self._check_keys()
        elapsed = time.monotonic() - began
        peak = (
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024
        )
        for table, n in sorted(totals.items()):
            self.stdout.write(f"  {table:<32} {n:>10,}")
        previous = began
        for name, moment in laps:
            self.stdout.write(f"  {name:<32} {moment - previous:>9.1f} s")
            previous = moment
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {total:,} cases in {elapsed:.1f} s with {workers} workers; "
                f"peak RSS {peak:.0f} MB"
            )
        )

    @staticmethod
    def _check_keys() -> None:
        """The stored keys of a few persons are those the app computes for them: the
        generator calls the app's key functions, but which keys a person has is the app's
        rule, and a change to it must not leave the benchmark searching stale keys."""
        for person in Person.objects.select_related("case").order_by("?")[:20]:
            stored = set(person.keys.values_list("kind", "key"))
            expected = {
                (k.kind, k.key)
                for k in identity.person_keys(person, citizenships=person.case.citizenships)
            }
            if stored != expected:
                raise CommandError(
                    f"Person {person.pk}: seed_scale's keys differ from the app's "
                    f"({len(stored)} stored, {len(expected)} expected): update bench/generate.py."
                )
