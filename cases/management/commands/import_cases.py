from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.services import transfer
from partners.models import Organisation
from traffick_cm.tables import ImportFileError


class Command(BaseCommand):
    help = (
        "Import case records from a CSV or XLSX file in the HTCDS layout into an organisation. "
        "All rows or none; rows already imported (same external_id) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="name or acronym")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        name = options["organisation"].strip()
        matches = list(
            Organisation.objects.filter(name__iexact=name)
            or Organisation.objects.filter(acronym__iexact=name)
        )
        if len(matches) != 1:
            raise CommandError(f"No single organisation is named {name!r}.")
        with path.open("rb") as stream:
            try:
                report = transfer.import_cases(
                    name=path.name,
                    stream=stream,
                    organisation=matches[0],
                    actor=None,
                    dry_run=options["dry_run"],
                )
            except ImportFileError as error:
                raise CommandError(str(error)) from error
        if report.ignored_columns:
            self.stdout.write("Ignored codebook columns: " + ", ".join(report.ignored_columns))
        if not report.ok:
            for row, column, message in report.errors:
                self.stderr.write(f"row {row}, column {column or '-'}: {message}")
            raise CommandError(f"{len(report.errors)} errors: nothing was imported.")
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"{report.rows} rows are valid (dry run)."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows} rows: {report.created} cases created, "
                f"{report.already_imported} already imported."
            )
        )
