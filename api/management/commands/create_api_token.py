"""`manage.py create_api_token USERNAME [--days N] [--read-only]`: a personal access token
for a user, made by an operator; the token alone on the last line (for scripts)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api import tokens


class Command(BaseCommand):
    help = "Create a personal access token for the API; prints the token on the last line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=tokens.DEFAULT_DAYS,
            help=f"Days the token lasts (1 to {tokens.MAX_DAYS}; default {tokens.DEFAULT_DAYS}).",
        )
        parser.add_argument("--read-only", action="store_true", help="A token that only reads.")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            token, text = tokens.token_create(
                actor=None,
                user=user,
                name=options["name"],
                days=options["days"],
                read_only=options["read_only"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        access = "read-only" if token.read_only else "read-write"
        self.stdout.write(
            f"Token {token.name!r} for {user.username}, {access}, expires "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC. Shown once:"
        )
        self.stdout.write(text)
