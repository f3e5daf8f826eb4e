import json

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from reports.services.aggregates import REFRESH_MINUTES


class Command(BaseCommand):
    help = (
        "Create the default periodic tasks (idempotent): referral reminders every 15 minutes, "
        "webhook retries every minute, the dashboard's figures every 5 minutes and all "
        "of them again nightly, "
        "operational statistics monthly, donor and NAP reports quarterly. Administrators "
        "change them afterwards in the admin."
    )

    def handle(self, *args, **options):
        every_15, _ = IntervalSchedule.objects.get_or_create(
            every=15, period=IntervalSchedule.MINUTES
        )
        PeriodicTask.objects.get_or_create(
            name="Referral reminders",
            defaults={"task": "referrals.tasks.send_overdue_reminders", "interval": every_15},
        )
        # Webhook deliveries whose retry is due (the retries of a worker that stopped, and
        # every retry on the embedded default, where tasks run in-process).
        every_minute, _ = IntervalSchedule.objects.get_or_create(
            every=1, period=IntervalSchedule.MINUTES
        )
        PeriodicTask.objects.get_or_create(
            name="Webhook retries",
            defaults={"task": "api.tasks.send_due_webhooks", "interval": every_minute},
        )
        # The dashboard's monthly figures: what changed, every few minutes (the page says
        # how often); everything, at night.
        every_few, _ = IntervalSchedule.objects.get_or_create(
            every=REFRESH_MINUTES, period=IntervalSchedule.MINUTES
        )
        PeriodicTask.objects.get_or_create(
            name="Dashboard figures",
            defaults={"task": "reports.tasks.aggregates_catch_up", "interval": every_few},
        )
        nightly, _ = CrontabSchedule.objects.get_or_create(
            minute="30", hour="1", day_of_month="*", month_of_year="*", day_of_week="*"
        )
        PeriodicTask.objects.get_or_create(
            name="Dashboard figures, full recount (nightly)",
            defaults={"task": "reports.tasks.aggregates_recount", "crontab": nightly},
        )
        monthly, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour="2", day_of_month="1", month_of_year="*", day_of_week="*"
        )
        quarterly, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour="3", day_of_month="1", month_of_year="1,4,7,10", day_of_week="*"
        )
        for name, kind, schedule in (
            ("Operational statistics (monthly)", "operational", monthly),
            ("Donor reports (quarterly)", "donor", quarterly),
            ("Action-plan progress reports (quarterly)", "nap", quarterly),
        ):
            PeriodicTask.objects.get_or_create(
                name=name,
                defaults={
                    "task": "reports.tasks.run_scheduled_reports",
                    "crontab": schedule,
                    "kwargs": json.dumps({"kind": kind}),
                },
            )
        self.stdout.write(self.style.SUCCESS("Periodic tasks are in place."))
