import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.services import transfer
from partners.models import Organisation
from traffick_cm.tables import ImportFileError

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def operator_language() -> str:
    """The operator's language as the shell states it (LC_ALL, LC_MESSAGES, then LANG, as
    POSIX reads them), when it is one the app speaks; otherwise the site's."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(variable):
            language = value.split(".")[0].split("_")[0].lower()
            return language if language in LANGUAGES else settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


class Command(BaseCommand):
    help = (
        "Import case records from a CSV or XLSX file in the HTCDS layout (or the HTCDS "
        "toolkit's own spreadsheet) into an organisation. All rows or none; rows imported "
        "before (same external_id, or without one the same names, birth date and "
        "citizenships) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="name or acronym")
        parser.add_argument("--dry-run", action="store_true", help="validate only")
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            help="language of the messages and the report (default: the shell's LC_ALL, "
            "LC_MESSAGES or LANG when it is one of these, otherwise the site's)",
        )

    def handle(self, *args, **options):
        # Every message in one language: the report's, the command's own and Django's.
        with translation.override(options["language"] or operator_language()):
            self._import(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        name = options["organisation"].strip()
        matches = list(
            Organisation.objects.filter(name__iexact=name)
            or Organisation.objects.filter(acronym__iexact=name)
        )
        if len(matches) != 1:
            raise CommandError(_("No single organisation is named “%(name)s”.") % {"name": name})
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
            self.stdout.write(
                _("Ignored columns (not stored):") + " " + ", ".join(report.ignored_columns)
            )
        if not report.ok:
            for row, column, message in report.errors:
                self.stderr.write(
                    _("row %(row)s, column %(column)s: %(message)s")
                    % {"row": row, "column": column or "-", "message": message}
                )
            raise CommandError(
                ngettext(
                    "%(counter)s error: nothing was imported.",
                    "%(counter)s errors: nothing was imported.",
                    len(report.errors),
                )
                % {"counter": len(report.errors)}
            )
        for note in report.notes:
            self.stdout.write(note)
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(count)s row is valid (dry run).",
                        "%(count)s rows are valid (dry run).",
                        report.rows,
                    )
                    % {"count": report.rows}
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Rows read: %(rows)s. Cases created: %(created)s. Already imported: %(skipped)s.")
                % {
                    "rows": report.rows,
                    "created": report.created,
                    "skipped": report.already_imported,
                }
            )
        )
