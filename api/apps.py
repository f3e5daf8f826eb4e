from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # Registers the schema extension of the token authentication.
        from api import (
            schema,  # noqa: F401
            webhooks,
        )
        from traffick_cm import events

        # Events published by the apps (after commit) become signed webhook deliveries.
        events.published.connect(webhooks.on_published, dispatch_uid="api.webhooks")
