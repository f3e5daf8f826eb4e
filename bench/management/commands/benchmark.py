"""python manage.py benchmark: one line per measure on the current (seed_scale) database,
each with its goal and "ok" or "MISS".

Pages go through the full Django stack (test client, every middleware) and report p50/p95
over --requests requests and the SQL queries per request, beside two floors: the SQL floor
(the hand-written query that returns the same rows) and the framework floor (a page through
the same middleware, session, second factor and access-policy check that renders an empty
template, bench/views.py). The ratio is the page's p95 over the sum of the two floors' p95:
what the page costs beyond what any page and its data must cost. Reports and the CTDC export
run the real commands in a subprocess (wall time, peak RSS); the HTCDS import runs the
import service in this process on a generated file of realistic names (rows a second, RSS
growth). Throughput runs gunicorn with 2 workers and compares the case detail with the
framework floor page, same server, same client."""

from __future__ import annotations

import http.client
import io
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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
from bench.generate import write_import_file
from cases.models import Case, Person, PersonKey
from cases.services.transfer import import_cases
from partners.models import Organisation
from traffick_cm.db import custom_plans


@dataclass(frozen=True)
class Goal:
    p95_ms: float | None = None
    ratio: float | None = None  # page p95 / (framework floor p95 + SQL floor p95)
    queries: int | None = None


GOALS = {
    "case list (status+region+type)": Goal(50, 2),
    "case search by number": Goal(50, 2),
    "case search by name (this case's name)": Goal(50),
    "case search by name (most common name)": Goal(50),
    "case detail": Goal(50, 2, 15),
    "partner inbox": Goal(40),
    "ministry dashboard (country, 12 months)": Goal(150),
}
IMPORT_ROWS_PER_SECOND = 1000
IMPORT_SECONDS_FOR_10000 = 10
# "Flat memory": the import's RSS growth may not grow by more than this from 2,000 rows to
# the measured file (the file itself, some 100 bytes a row, is read whole).
IMPORT_MEMORY_GROWTH_MB = 20
THROUGHPUT_SHARE = 0.5
WARM_UP = 12
GUNICORN_WORKERS = 2
CLIENT_THREADS = 4


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


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


def _rss_mb(field: str) -> float:
    """VmRSS or VmHWM (peak) of this process, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak_rss() -> None:
    """Start VmHWM again from the current RSS (Linux), so a peak is measured per step."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass


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
        parser.add_argument("--seconds", type=float, default=10.0, help="per throughput measure")
        parser.add_argument(
            "--check",
            action="store_true",
            help="smoke mode for CI: fail when a page's query count is not "
            "constant, a page answers an error or the import fails; times are not checked",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark needs the PostgreSQL database made by seed_scale.")
        if "bench" not in settings.INSTALLED_APPS:
            raise CommandError("benchmark needs BENCHMARK_TOOLS=1 (the framework floor page).")
        org = Organisation.objects.filter(acronym="SCALE-CF").first()
        if org is None or not Case.objects.filter(organisation=org).exists():
            raise CommandError("No seed_scale data: run manage.py seed_scale first.")
        self.n = options["requests"]
        self.check_mode = options["check"]
        self.failures: list[str] = []
        self.floors: dict[tuple[int, str], float] = {}
        cases = Case.objects.count()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(
            f"benchmark on {cases:,} cases, {self.n} requests per page measure, "
            f"{os.cpu_count()} CPUs, load average {load}, {timezone.localdate().isoformat()}"
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
        self._pages(supervisor, partner, ministry, org, sample)
        if not options["skip_files"]:
            self._files(options["import_rows"])
        if not options["skip_throughput"]:
            self._throughput(supervisor, sample, options["seconds"])
        self.stdout.write(
            f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        if self.failures:
            raise CommandError("; ".join(self.failures))

    # Pages through the full stack -------------------------------------------------------
    def _times(self, name: str, client: Client, url: str, expect: int = 200):
        """p50, p95 and the query counts of N requests, on a warm server: after WARM_UP
        requests, by which the connection's prepared statements have their generic plans
        (psycopg prepares a query on its fifth run, PostgreSQL plans it afresh for five more
        before it keeps a plan)."""
        times, queries = [], []
        for _ in range(WARM_UP):
            client.get(url)
        for _ in range(self.n):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
            if response.status_code != expect:
                self.failures.append(f"{name}: status {response.status_code}")
                break
        if len(set(queries)) > 1:
            self.failures.append(f"{name}: query count varies {sorted(set(queries))}")
        return statistics.median(times), _percentile(times, 95), queries

    def _framework_floor(self, user: User, client: Client, kind: str, action: str) -> float:
        """p95 of the empty page behind the same policy check, once per user and check."""
        if (user.pk, kind) not in self.floors:
            name = f"framework floor ({user.username}, {kind})"
            p50, p95, queries = self._times(name, client, f"/bench/floor/{kind}/{action}/")
            self.stdout.write(
                f"{name:<48} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  queries {max(queries):3d}"
            )
            self.floors[user.pk, kind] = p95
        return self.floors[user.pk, kind]

    def _sql_floor(self, sql: str, params) -> float:
        """p95 of the hand-written query, planned for its values as the lists are (every
        floor here is a list or a look-up by key, for which the two plans are the same)."""
        floor = []
        with custom_plans(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
            for _ in range(self.n):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                floor.append((time.perf_counter() - started) * 1000)
        return _percentile(floor, 95)

    def _measure(
        self,
        name: str,
        user: User,
        client: Client,
        url: str,
        policy: tuple[str, str],
        floor_sql: str,
        floor_params,
    ) -> None:
        framework = self._framework_floor(user, client, *policy)
        p50, p95, queries = self._times(name, client, url)
        sql = self._sql_floor(floor_sql, floor_params)
        ratio = p95 / (framework + sql)
        goal = GOALS[name]
        verdicts = []
        if goal.p95_ms is not None:
            verdicts.append(f"p95 <= {goal.p95_ms:g} ms {_verdict(p95 <= goal.p95_ms)}")
        if goal.ratio is not None:
            verdicts.append(f"ratio <= {goal.ratio:g} {_verdict(ratio <= goal.ratio)}")
        if goal.queries is not None:
            constant = "constant" if len(set(queries)) == 1 else "VARIES"
            verdicts.append(
                f"queries <= {goal.queries} {_verdict(max(queries) <= goal.queries)}, {constant}"
            )
        self.stdout.write(
            f"{name:<48} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  queries {max(queries):3d}  "
            f"SQL floor {sql:6.2f} ms  framework floor {framework:5.1f} ms  "
            f"ratio {ratio:5.2f}  | {'; '.join(verdicts)}"
        )

    def _name_search(self, user, client, org, label: str, person: Person) -> None:
        # A name never goes in an address: the search box posts it, the app keeps it in the
        # session (one look-up of the user's hourly budget) and lists under a key.
        posted = client.post("/cases/", {"q": f"{person.first_name} {person.last_name}"})
        if posted.status_code != 302:
            self.failures.append(f"{label}: the search answered {posted.status_code}")
            return
        keys = list(person.keys.filter(kind=PersonKey.Kind.FULL_NAME).values_list("key", flat=True))
        self._measure(
            label,
            user,
            client,
            posted.url,
            ("case", "list"),
            "SELECT c.id, c.case_number FROM cases_personkey k "
            "JOIN cases_case c ON c.id = k.case_id "
            "WHERE k.kind = 'full' AND k.key = ANY(%s) AND k.organisation_id = %s "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 25",
            [keys, org.pk],
        )

    @staticmethod
    def _most_common_name(org: Organisation) -> Person | None:
        """A person of the organisation who goes by its most frequent whole name."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT k.key FROM cases_personkey k WHERE k.kind = 'full' "
                "AND k.organisation_id = %s GROUP BY k.key ORDER BY COUNT(*) DESC LIMIT 1",
                [org.pk],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return (
            Person.objects.filter(keys__kind="full", keys__key=row[0], case__organisation=org)
            .order_by("pk")
            .first()
        )

    def _pages(self, supervisor, partner, ministry, org, sample) -> None:
        client = _client(supervisor)
        region = sample.identified_region_id
        self._measure(
            "case list (status+region+type)",
            supervisor,
            client,
            f"/cases/?status={sample.status}&region={region}&exploitation_type=ForcedLabour"
            "&sort=updated",
            ("case", "list"),
            "SELECT c.id, c.case_number, p.first_name, p.last_name FROM cases_case c "
            "JOIN cases_person p ON p.case_id = c.id WHERE c.organisation_id = %s AND "
            "c.status = %s AND c.identified_region_id = %s AND c.exploitation_types LIKE %s "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 25",
            [org.pk, sample.status, region, "%;ForcedLabour;%"],
        )
        self._measure(
            "case search by number",
            supervisor,
            client,
            # A case number may stay in the address; the search box sends it there.
            f"/cases/?number={sample.case_number}",
            ("case", "list"),
            "SELECT id FROM cases_case WHERE organisation_id = %s AND case_number = %s",
            [org.pk, sample.case_number],
        )
        self._name_search(
            supervisor, client, org, "case search by name (this case's name)", sample.person
        )
        common = self._most_common_name(org)
        if common is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM cases_personkey WHERE kind = 'full' AND key IN "
                    "(SELECT key FROM cases_personkey WHERE person_id = %s AND kind = 'full')",
                    [common.pk],
                )
                bearers = cursor.fetchone()[0]
            self.stdout.write(
                f"  (the most common whole name of {org.acronym} is borne by {bearers:,} "
                "persons in all organisations)"
            )
            self._name_search(
                supervisor, client, org, "case search by name (most common name)", common
            )
        self._measure(
            "case detail",
            supervisor,
            client,
            f"/cases/{sample.pk}/",
            ("case", "view"),
            "SELECT * FROM cases_case c JOIN cases_person p ON p.case_id = c.id WHERE c.id = %s",
            [sample.pk],
        )
        partner_client = _client(partner)
        self._measure(
            "partner inbox",
            partner,
            partner_client,
            "/referrals/inbox/",
            ("referral_inbox", "list"),
            "SELECT id FROM referrals_referral WHERE to_organisation_id = %s AND sent_at IS NOT "
            "NULL ORDER BY sent_at DESC LIMIT 25",
            [partner.organisation_id],
        )
        ministry_client = _client(ministry)
        end = timezone.localdate()
        start = end - timedelta(days=365)
        self._measure(
            "ministry dashboard (country, 12 months)",
            ministry,
            ministry_client,
            "/reports/dashboard/",
            ("dashboard", "view"),
            # The page reads the monthly figures (reports.services.aggregates), not the cases.
            "SELECT dimension, value, SUM(count) FROM reports_monthlycasefigure "
            "WHERE country = %s AND month BETWEEN %s AND %s GROUP BY dimension, value",
            ["CF", start.replace(day=1), end],
        )

    # Reports and exports in subprocesses, the import in this process ---------------------
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
        verdicts = [f"<= {goal_s:g} s {_verdict(elapsed <= goal_s)}"]
        if goal_mb is not None:
            # ru_maxrss of children is the largest child so far: exact when this is the largest.
            verdicts.append(f"RSS <= {goal_mb:g} MB {_verdict(peak_mb <= goal_mb)}")
        self.stdout.write(
            f"{name:<48} {elapsed:7.1f} s  peak RSS {peak_mb:6.0f} MB  | {'; '.join(verdicts)}"
        )

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
        self._imports(import_rows)

    def _import(self, rows: int, seed: int) -> tuple[float, float, object]:
        """Import a generated file of `rows` rows: (seconds, RSS growth in MB, report)."""
        text = io.StringIO()
        write_import_file(text, rows, seed=seed)
        data = io.BytesIO(text.getvalue().encode())
        del text
        organisation = Organisation.objects.get(acronym="SCALE-GN")
        _reset_peak_rss()
        before = _rss_mb("VmRSS")
        started = time.perf_counter()
        report = import_cases(name="bench.csv", stream=data, organisation=organisation, actor=None)
        elapsed = time.perf_counter() - started
        growth = _rss_mb("VmHWM") - before
        if not report.ok or report.created != rows:
            self.failures.append(
                f"import of {rows} rows: {report.created} created, errors {report.errors[:3]}"
            )
        return elapsed, growth, report

    def _imports(self, rows: int) -> None:
        """The HTCDS import of `rows` rows of realistic names through the import service,
        after a small one (warm caches) and one of 2,000 rows (memory growth to compare)."""
        seed = int(time.time())
        small = 2_000
        verdicts = []
        if rows > small:
            self._import(200, seed)
            _, growth_small, _ = self._import(small, seed + 1)
        elapsed, growth, report = self._import(rows, seed + 2)
        rate = rows / elapsed
        verdicts.append(
            f">= {IMPORT_ROWS_PER_SECOND:,} rows/s {_verdict(rate >= IMPORT_ROWS_PER_SECOND)}"
        )
        if rows >= 10_000:
            verdicts.append(
                f"10,000 rows <= {IMPORT_SECONDS_FOR_10000} s "
                f"{_verdict(elapsed * 10_000 / rows <= IMPORT_SECONDS_FOR_10000)}"
            )
        memory = f"RSS +{growth:.0f} MB"
        if rows > small:
            memory += f" (+{growth_small:.0f} MB for {small:,})"
            verdicts.append(
                f"RSS growth {small:,} -> {rows:,} rows <= {IMPORT_MEMORY_GROWTH_MB} MB "
                f"{_verdict(growth - growth_small <= IMPORT_MEMORY_GROWTH_MB)}"
            )
        label = f"HTCDS import of {rows:,} rows (import_cases)"
        self.stdout.write(
            f"{label:<48} {elapsed:7.1f} s  {rate:7.0f} rows/s  {memory}  "
            f"created {report.created:,}  | {'; '.join(verdicts)}"
        )

    # Throughput with gunicorn ------------------------------------------------------------
    def _throughput(self, user: User, sample: Case, seconds: float) -> None:
        """Requests a second of the framework floor page and of the case detail on the same
        gunicorn (2 workers) and the same client (4 threads on this machine)."""
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
                str(GUNICORN_WORKERS),
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
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
            floor = self._hammer(port, "/bench/floor/case/view/", headers, seconds)
            detail = self._hammer(port, f"/cases/{sample.pk}/", headers, seconds)
            share = detail / floor if floor else 0.0
            label = f"throughput, gunicorn {GUNICORN_WORKERS} workers, {CLIENT_THREADS} threads"
            self.stdout.write(
                f"{label:<48} framework floor {floor:6.1f} req/s  case detail {detail:6.1f} req/s"
                f"  = {share:.0%} of the floor  | >= {THROUGHPUT_SHARE:.0%} "
                f"{_verdict(share >= THROUGHPUT_SHARE)}"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
        reset_queries()

    def _hammer(self, port: int, path: str, headers: dict, seconds: float) -> float:
        """Requests a second answered 200 over `seconds` (after a second of warm-up)."""
        done, errors = [0], [0]
        begin = time.time() + 1
        stop = begin + seconds

        def hammer() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while (now := time.time()) < stop:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if now < begin:
                    continue
                if response.status == 200:
                    done[0] += 1
                else:
                    errors[0] += 1
            conn.close()

        threads = [threading.Thread(target=hammer) for _ in range(CLIENT_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors[0]:
            self.failures.append(f"throughput of {path}: {errors[0]} errors")
        return done[0] / seconds
