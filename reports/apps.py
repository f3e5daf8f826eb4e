from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # In ready(): the apps are loaded; reports adds its section to project pages.
        from programmes.signals import project_sections
        from reports import views

        project_sections.connect(views.project_figures, dispatch_uid="reports.project_figures")
