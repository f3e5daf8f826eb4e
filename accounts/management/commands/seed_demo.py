from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import demo


class Command(BaseCommand):
    help = "Load the demo organisations, donors, projects and one user per role (idempotent)."

    def handle(self, *args, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError(
                "seed_demo creates users with a published password: run it only on a demo "
                "system (DEMO=1)."
            )
        users = demo.load()
        from django.utils import timezone

        from cases import demo as case_demo

        created = case_demo.load(today=timezone.localdate())
        self.stdout.write(f"Demo cases created: {created}.")
        from referrals import demo as referral_demo

        self.stdout.write(f"Demo referrals created: {referral_demo.load()}.")
        from trainings import demo as training_demo

        self.stdout.write(f"Demo training sessions created: {training_demo.load()}.")
        from reports import demo as report_demo

        report_demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with:"))
        width = max(len(u[0]) for u in users)
        for username, roles, org in users:
            self.stdout.write(f"  {username:<{width}}  {demo.DEMO_PASSWORD}  {roles} – {org}")
