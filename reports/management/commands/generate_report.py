from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.audit import log_action
from reports import builders


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
        try:
            data = builders.build(kind, parameters, start, end)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        content = builders.RENDERERS[options["format"]](data)
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(output.name + ".part")
        temporary.write_bytes(content)
        temporary.replace(output)  # never a half-written file under the final name
        log_action(
            "reports.report.generated",
            actor=None,
            data={
                "kind": kind,
                "parameters": builders.parameters_key(kind, parameters),
                "period": [start.isoformat(), end.isoformat()],
                "via": "command line",
                "format": options["format"],
            },
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(content)} bytes)."))
