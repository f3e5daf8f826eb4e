from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # In ready(): the apps are loaded. A consent that ends erases the shared packets.
        from cases.signals import consent_ended
        from referrals import services

        consent_ended.connect(services.packets_withdraw_on_consent_end, dispatch_uid="referrals")
