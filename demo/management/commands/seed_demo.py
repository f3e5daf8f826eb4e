from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.data.users import DEMO_PASSWORD
from demo.loaders import cases, plans, reference, referrals, screenings, trainings
from reports.services import aggregates


class Command(BaseCommand):
    help = "Load the demo organisations, donors, projects and one user per role (idempotent)."

    def handle(self, *args, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError(
                "seed_demo creates users with a published password: run it only on a demo "
                "system (DEMO=1)."
            )
        users = reference.load()
        created = cases.load(today=timezone.localdate())
        self.stdout.write(f"Demo cases created: {created}.")
        self.stdout.write(f"Demo referrals created: {referrals.load()}.")
        self.stdout.write(
            f"Demo screenings created: {screenings.load(today=timezone.localdate())}."
        )
        self.stdout.write(f"Demo training sessions created: {trainings.load()}.")
        plans.load()
        aggregates.refresh()  # the dashboard's figures, with the backdated referrals
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with:"))
        width = max(len(username) for username, _, _ in users)
        for username, roles, org in users:
            self.stdout.write(f"  {username:<{width}}  {DEMO_PASSWORD}  {roles} – {org}")
