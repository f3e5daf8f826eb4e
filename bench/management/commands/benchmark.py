"""python manage.py benchmark: one line per measure on the current (seed_scale) database.

Page measures go through the full Django stack (test client, every middleware) and report
p50/p95 over --requests requests, the SQL queries per request, the time of the hand-written
SQL floor that returns the same rows, and the ratio. Report, export and import measures run
the real commands in a subprocess and report wall time and peak RSS. Throughput runs gunicorn
with 4 workers against the case detail page."""

from __future__ import annotations

import csv
import http.client
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User, UserRole
from cases.models import Case
from partners.models import Organisation

GOALS = {
    "case list (status+region+type)": (50, 2.0),
    "case search by number": (50, None),
    "case search by name": (50, None),
    "case detail": (40, None),
    "partner inbox": (40, None),
    "ministry dashboard (country, 12 months)": (150, 1.5),
}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _client(user: User) -> Client:
    """A signed-in client that has passed the second factor, as a real user would have."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _user(username: str, org: Organisation, role: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"organisation": org, "first_name": "Bench"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    UserRole.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("roles", None)
    return user


class Command(BaseCommand):
    help = "Measure the main pages, reports, exports and imports on the seed_scale database."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--skip-throughput", action="store_true")
        parser.add_argument(
            "--skip-files",
            action="store_true",
            help="skip the report, CTDC export and import measures",
        )
        parser.add_argument(
            "--import-rows", type=int, default=10_000, help="rows of the HTCDS import measure"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="smoke mode for CI: fail when a page's query count is not "
            "constant or a page answers an error; times are not checked",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark needs the PostgreSQL database made by seed_scale.")
        org = Organisation.objects.filter(acronym="SCALE-CF").first()
        if org is None or not Case.objects.filter(organisation=org).exists():
            raise CommandError("No seed_scale data: run manage.py seed_scale first.")
        self.n = options["requests"]
        self.check_mode = options["check"]
        self.failures: list[str] = []
        cases = Case.objects.count()
        self.stdout.write(
            f"benchmark on {cases:,} cases, {self.n} requests per page measure, "
            f"{os.cpu_count()} CPUs, {timezone.localdate().isoformat()}"
        )
        supervisor = _user("bench-supervisor", org, "supervisor")
        partner_org = (
            Organisation.objects.filter(acronym__startswith="SCALE-P").order_by("pk").first()
        )
        partner = _user("bench-partner", partner_org, "partner")
        ministry = _user("bench-ministry", org, "ministry")
        sample = (
            Case.objects.filter(organisation=org)
            .select_related("identified_region")
            .order_by("-updated_at")
            .first()
        )
        region = sample.identified_region_id
        self._pages(supervisor, partner, ministry, org, sample, region)
        if not options["skip_files"]:
            self._files(options["import_rows"])
        if not options["skip_throughput"]:
            self._throughput(supervisor, sample)
        if self.failures:
            raise CommandError("; ".join(self.failures))

    # Pages through the full stack -------------------------------------------------------
    def _measure(
        self, name: str, client: Client, url: str, floor_sql: str, floor_params, expect: int = 200
    ) -> None:
        times, queries = [], []
        client.get(url)  # warm caches, as a user's second page would be
        for _ in range(self.n):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
            if response.status_code != expect:
                self.failures.append(f"{name}: status {response.status_code}")
                break
        floor = []
        with connection.cursor() as cursor:
            for _ in range(self.n):
                started = time.perf_counter()
                cursor.execute(floor_sql, floor_params)
                cursor.fetchall()
                floor.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(times), _percentile(times, 95)
        floor95 = _percentile(floor, 95)
        goal_ms, goal_ratio = GOALS.get(name, (None, None))
        verdict = []
        if goal_ms is not None:
            verdict.append("ok" if p95 <= goal_ms else f"MISS p95>{goal_ms}ms")
        if goal_ratio is not None:
            ratio_ok = p95 / floor95 <= goal_ratio if floor95 else True
            verdict.append("ok" if ratio_ok else f"MISS ratio>{goal_ratio}")
        self.stdout.write(
            f"{name:<42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  queries {max(queries):3d}  "
            f"floor p95 {floor95:7.2f} ms  ratio {p95 / floor95 if floor95 else 0:6.1f}  "
            f"{' '.join(verdict)}"
        )
        if len(set(queries)) > 1:
            self.failures.append(f"{name}: query count varies {sorted(set(queries))}")

    def _pages(self, supervisor, partner, ministry, org, sample, region) -> None:
        client = _client(supervisor)
        self._measure(
            "case list (status+region+type)",
            client,
            f"/cases/?status={sample.status}&region={region}&exploitation_type=ForcedLabour"
            "&sort=updated",
            "SELECT c.id, c.case_number, p.first_name, p.last_name FROM cases_case c "
            "JOIN cases_person p ON p.case_id = c.id WHERE c.organisation_id = %s AND "
            "c.status = %s AND c.identified_region_id = %s AND c.exploitation_types LIKE %s "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 25",
            [org.pk, sample.status, region, "%;ForcedLabour;%"],
        )
        self._measure(
            "case search by number",
            client,
            # A case number may stay in the address; the search box sends it there.
            f"/cases/?number={sample.case_number}",
            "SELECT id FROM cases_case WHERE organisation_id = %s AND case_number = %s",
            [org.pk, sample.case_number],
        )
        person = sample.person
        # A name never goes in an address: the search box posts it, the app keeps it in the
        # session (one look-up of the user's hourly budget) and lists under a key.
        posted = client.post("/cases/", {"q": f"{person.first_name} {person.last_name}"})
        self._measure(
            "case search by name",
            client,
            posted.url,
            "SELECT k.person_id FROM cases_personkey k WHERE k.kind = 'name' AND k.key = ANY(%s) "
            "GROUP BY k.person_id HAVING COUNT(DISTINCT k.key) = 2 LIMIT 25",
            [[k.key for k in person.keys.filter(kind="name")]],
        )
        self._measure(
            "case detail",
            client,
            f"/cases/{sample.pk}/",
            "SELECT * FROM cases_case c JOIN cases_person p ON p.case_id = c.id WHERE c.id = %s",
            [sample.pk],
        )
        partner_client = _client(partner)
        self._measure(
            "partner inbox",
            partner_client,
            "/referrals/inbox/",
            "SELECT id FROM referrals_referral WHERE to_organisation_id = %s AND sent_at IS NOT "
            "NULL ORDER BY sent_at DESC LIMIT 25",
            [partner.organisation_id],
        )
        ministry_client = _client(ministry)
        end = timezone.localdate()
        start = end - timedelta(days=365)
        self._measure(
            "ministry dashboard (country, 12 months)",
            ministry_client,
            "/reports/dashboard/",
            "SELECT sex, COUNT(*) FROM cases_case WHERE identified_country = %s AND "
            "identified_on BETWEEN %s AND %s AND trafficking_status IN "
            "('PossibleVictimOfTrafficking', 'ActualVictimOfTrafficking') GROUP BY sex",
            ["CF", start, end],
        )

    # Reports, exports and imports in subprocesses --------------------------------------
    def _command(self, name: str, args: list[str], goal_s: float, goal_mb: float | None) -> None:
        env = {**os.environ}
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=settings.BASE_DIR,
        )
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if result.returncode != 0:
            self.failures.append(f"{name}: exit {result.returncode}: {result.stderr[-300:]}")
        verdict = "ok" if elapsed <= goal_s else f"MISS >{goal_s}s"
        if goal_mb is not None:
            # ru_maxrss of children is the largest child so far: exact when this is the largest.
            verdict += " ok" if peak_mb <= goal_mb else f" MISS RSS>{goal_mb}MB"
        self.stdout.write(f"{name:<42} {elapsed:7.1f} s  peak RSS {peak_mb:6.0f} MB  {verdict}")

    def _files(self, import_rows: int) -> None:
        year = timezone.localdate().year - 1
        with tempfile.TemporaryDirectory() as folder:
            for fmt in ("xlsx", "pdf"):
                self._command(
                    f"donor report, one year ({fmt})",
                    [
                        "generate_report",
                        "donor",
                        "--project",
                        "SCALE-CF",
                        "--from",
                        f"{year}-01-01",
                        "--to",
                        f"{year}-12-31",
                        "--format",
                        fmt,
                        "--output",
                        str(Path(folder) / f"donor.{fmt}"),
                    ],
                    20,
                    300,
                )
            self._command(
                f"CTDC release of {year} (made, or the stored one)",
                [
                    "export_ctdc",
                    "--year",
                    str(year),
                    "--k",
                    "11",
                    "--output",
                    str(Path(folder) / "ctdc.csv"),
                ],
                60,
                300,
            )
            source = Path(folder) / "import.csv"
            self._write_import(source, import_rows)
            self._command(
                f"HTCDS import of {import_rows:,} rows",
                ["import_cases", str(source), "--organisation", "SCALE-GN"],
                20,
                None,
            )

    @staticmethod
    def _write_import(path: Path, rows: int) -> None:
        stamp = int(time.time())
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(
                [
                    "external_id",
                    "prs_FirstName",
                    "prs_SecondName",
                    "prs_Birthdate",
                    "prs_Gender",
                    "prs_Citizenship",
                    "vic_TraffickingStatus",
                    "vic_TypeOfExploitation",
                    "cas_Status",
                    "con_Consent",
                ]
            )
            for i in range(rows):
                writer.writerow(
                    [
                        f"BENCH-{stamp}-{i}",
                        "Aminata",
                        f"Bench{i % 500}",
                        f"{1990 + i % 20}-0{1 + i % 9}-1{i % 9}",
                        "Feminine",
                        "GN",
                        "PossibleVictimOfTrafficking",
                        "ForcedLabour",
                        "Active",
                        "yes",
                    ]
                )

    # Throughput with gunicorn ------------------------------------------------------------
    def _throughput(self, user: User, sample: Case, seconds: float = 10.0) -> None:
        client = _client(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost", "HTTPS": "0"}
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "traffick_cm.wsgi:application",
                "--workers",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            done, errors = [0], [0]
            stop = time.time() + seconds

            def hammer() -> None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                while time.time() < stop:
                    conn.request(
                        "GET",
                        f"/cases/{sample.pk}/",
                        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
                    )
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        done[0] += 1
                    else:
                        errors[0] += 1
                conn.close()

            threads = [threading.Thread(target=hammer) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rate = done[0] / seconds
            verdict = "ok" if rate >= 200 else "MISS <200/s"
            self.stdout.write(
                f"{'case detail throughput (gunicorn, 4 workers)':<42} "
                f"{rate:7.1f} req/s  errors {errors[0]}  {verdict}"
            )
            if errors[0] and not done[0]:
                self.failures.append("throughput: every request failed")
        finally:
            server.terminate()
            server.wait(timeout=10)
        reset_queries()
