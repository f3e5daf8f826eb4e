from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports import builders
from reports.services import runs


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date as YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = (
        "Produce a report synchronously: donor --project CODE, nap --plan CODE or operational "
        "--country CC, for --from and --to, as json, xlsx or pdf, into --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["donor", "nap", "operational"])
        parser.add_argument("--project")
        parser.add_argument("--plan")
        parser.add_argument("--country")
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--format", choices=builders.FORMATS, default="json")
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        kind = options["kind"]
        needed = {"donor": "project", "nap": "plan", "operational": "country"}[kind]
        if not options[needed]:
            raise CommandError(f"A {kind} report needs --{needed}.")
        parameters = {needed: options[needed]}
        start, end = _date(options["date_from"]), _date(options["date_to"])
        output = Path(options["output"])
        try:
            size = runs.generate_to_file(
                kind=kind,
                parameters=parameters,
                start=start,
                end=end,
                fmt=options["format"],
                output=output,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({size} bytes)."))
