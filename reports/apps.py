from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # In ready(): the apps are loaded; reports adds its section to project pages, and
        # hears of the changes that make its monthly figures stale.
        from cases.models import Case, ServiceDelivery
        from cases.signals import cases_created
        from programmes.signals import project_sections
        from referrals.models import Referral
        from reports import receivers, views

        project_sections.connect(views.project_figures, dispatch_uid="reports.project_figures")
        for signal, model, receiver in (
            (pre_save, Case, receivers.case_before_save),
            (post_save, Case, receivers.case_saved),
            (post_delete, Case, receivers.case_deleted),
            (post_save, Referral, receivers.referral_changed),
            (post_delete, Referral, receivers.referral_changed),
            (post_save, ServiceDelivery, receivers.service_changed),
            (post_delete, ServiceDelivery, receivers.service_changed),
        ):
            signal.connect(receiver, sender=model, dispatch_uid=f"reports.{receiver.__name__}")
        cases_created.connect(receivers.cases_created, dispatch_uid="reports.cases_created")
