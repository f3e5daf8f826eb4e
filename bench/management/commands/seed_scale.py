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
    run_chunks,
    training_sessions,
)


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
        spans = list(scale.chunks(total, CHUNK))
        workers = max(1, min(options["workers"], len(spans)))
        parts = [spans[w::workers] for w in range(workers)]
        connection.close()
        if workers == 1:
            results = [run_chunks((context, parts[0]))]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(run_chunks, [(context, part) for part in parts])
        totals: dict[str, int] = {}
        for result in results:
            for table, n in result.items():
                totals[table] = totals.get(table, 0) + n
        count = options["sessions"] if options["sessions"] is not None else total // 10
        totals["trainings_trainingsession"] = training_sessions(rng, count, context)
        for model in TABLES:
            scale.reset_sequence(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
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
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {total:,} cases in {elapsed:.1f} s with {workers} workers; "
                f"peak RSS {peak:.0f} MB"
            )
        )
