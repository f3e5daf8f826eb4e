from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        # The `labels` template filter shows the screening's own vocabularies.
        from screening import models
        from traffick_cm import codebooks

        codebooks.register("screening.PlaceType", models.PlaceType)
        codebooks.register("screening.Risk", models.Risk)
