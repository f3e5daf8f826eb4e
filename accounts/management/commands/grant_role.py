from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts import grants
from accounts.models import User
from accounts.roles import Role


class Command(BaseCommand):
    help = (
        "Give a user a role at once, as an operator at the server (audited). In the app, roles "
        "that reach case files or user management need a second administrator's approval; "
        "use this to appoint an organisation's first administrator."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if user.organisation_id is None:
            raise CommandError("This user belongs to no organisation: roles need one.")
        if grants.grant_by_operator(user=user, role=Role(options["role"])):
            self.stdout.write(f"{user.username} now has the role {options['role']}.")
        else:
            self.stdout.write(f"{user.username} already had the role {options['role']}.")
