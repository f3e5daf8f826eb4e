from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import ctdc
from reports.services import ctdc as ctdc_services
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
        output = Path(options["output"])
        try:
            release, made = ctdc_services.release_to_file(
                year=year, k=options["k"], today=today, output=output
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {release.records} records registered in {release.year}, "
                f"k={release.k}; {release.left_out} left out to keep every combination at k "
                f"or more. {'Released now.' if made else 'The release made before.'}"
            )
        )
