from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.services import aggregates


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise CommandError(f"Not a month (YYYY-MM): {value}") from error


class Command(BaseCommand):
    help = (
        "Count the dashboard's monthly figures again from the records: every month, or the "
        "months given (after loading data without the application, e.g. by COPY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("months", nargs="*", type=_month, help="YYYY-MM (default: all)")

    def handle(self, *args, months, **options):
        aggregates.refresh(months=months or None)
        self.stdout.write(self.style.SUCCESS("Monthly figures counted."))
