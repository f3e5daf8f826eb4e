from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.audit import log_action
from reports import ctdc
from traffick_cm import periods


class Command(BaseCommand):
    help = (
        "Write the anonymised CTDC dataset of one calendar year of registration (k-anonymous "
        "over all released columns, k of 11 or more) to a CSV: the year's stored release, "
        "made now if it does not exist yet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="default: the last complete calendar year"
        )
        parser.add_argument("--k", type=int, default=ctdc.MIN_K)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        today = timezone.localdate()
        year = options["year"] or periods.last_complete(periods.Unit.YEAR, today).year
        try:
            release, made = ctdc.release(year=year, k=options["k"], actor=None, today=today)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(output.name + ".part")
        with release.file.open("rb") as source:
            temporary.write_bytes(source.read())
        temporary.replace(output)  # never a half-written file under the final name
        log_action(
            "reports.ctdc.exported",
            actor=None,
            target=release,
            data={
                "year": release.year,
                "k": release.k,
                "records": release.records,
                "made_now": made,
                "via": "command line",
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {release.records} records registered in {release.year}, "
                f"k={release.k}; {release.left_out} left out to keep every combination at k "
                f"or more. {'Released now.' if made else 'The release made before.'}"
            )
        )
