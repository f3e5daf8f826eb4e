from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.countries import LIST_PATH, datalist_options


def list_file(language: str) -> Path:
    """Where the country names of `language` live among the static files."""
    return Path(settings.BASE_DIR) / "static" / LIST_PATH.format(language=language)


class Command(BaseCommand):
    help = (
        "Write the country names the country boxes suggest, one static file per language "
        "(static/lists/countries.<lang>.html). Run after upgrading django-countries or "
        "adding a language; collectstatic then publishes them."
    )

    def handle(self, *args, **options):
        for language, _name in settings.LANGUAGES:
            path = list_file(language)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(datalist_options(language), encoding="utf-8")
            self.stdout.write(f"{path.relative_to(settings.BASE_DIR)}")
