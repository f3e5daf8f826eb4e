from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from traffick_cm.tables import ImportFileError
from trainings.services import transfer


class Command(BaseCommand):
    help = (
        "Import training and awareness sessions from a CSV or XLSX file with the columns: "
        + ", ".join(transfer.COLUMNS)
        + ". All rows or none; a session already recorded (same title, start date and "
        "organiser) is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown organisations, projects and regions instead of refusing",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as stream:
            try:
                report = transfer.import_sessions(
                    name=path.name,
                    stream=stream,
                    actor=None,
                    create_missing=options["create_missing"],
                )
            except ImportFileError as error:
                raise CommandError(str(error)) from error
        if not report.ok:
            for row, column, message in report.errors:
                self.stderr.write(f"row {row}, column {column or '-'}: {message}")
            raise CommandError(f"{len(report.errors)} errors: nothing was imported.")
        for label, items in (
            ("Organisations created", report.created_organisations),
            ("Projects created", report.created_projects),
            ("Regions created", report.created_regions),
        ):
            if items:
                self.stdout.write(f"{label}: {', '.join(items)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows} rows: {report.created} sessions created, "
                f"{report.already_imported} already recorded."
            )
        )
