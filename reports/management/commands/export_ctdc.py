from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import log_action
from reports import ctdc


class Command(BaseCommand):
    help = "Write the anonymised CTDC dataset (k-anonymous over all released columns) to a CSV."

    def add_arguments(self, parser):
        parser.add_argument("--k", type=int, default=11)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        k = options["k"]
        if k < 2:
            raise CommandError("k must be 2 or more.")
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(output.name + ".part")
        with temporary.open("w", newline="", encoding="utf-8") as stream:
            summary = ctdc.export(stream, k=k)
        temporary.replace(output)
        log_action("reports.ctdc.exported", actor=None, data={**summary, "via": "command line"})
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {summary['records']} records, k={k}; "
                f"{summary['left_out']} left out to keep every combination at k or more."
            )
        )
