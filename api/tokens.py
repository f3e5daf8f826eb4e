"""Personal access tokens: created by their user (the "API tokens" page) or an operator
(`manage.py create_api_token`), revoked by their user, checked on every API request.

A token is `tcm_<prefix>_<secret>`: the prefix finds the row, the secret is compared by its
SHA-256 (a 256-bit random secret needs no slow hash: nobody can guess it from the hash).
Deactivating the user or revoking the token ends it at the next request: nothing is cached."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can
from accounts.two_factor import required_for
from api.models import ApiToken

PREFIX = "tcm"
MAX_DAYS = 90
DEFAULT_DAYS = 30
# How often the "last used" time is written: not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    days: int = DEFAULT_DAYS,
    read_only: bool = True,
    verified: bool = False,
) -> tuple[ApiToken, str]:
    """A new token for `user`, and its text (shown once, never stored). `actor` None is an
    operator at the command line; otherwise the actor is the user, who for a role that needs
    two-factor must have passed it in this session (`verified`)."""
    if actor is not None:
        if actor.pk != user.pk or not can(actor, "api_token", Action.CREATE):
            raise PermissionDenied
        if required_for(actor) and not verified:
            raise PermissionDenied(_("Confirm your sign-in with your authenticator first."))
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            _("A token lasts from 1 to %(max)s days.") % {"max": MAX_DAYS}, code="days"
        )
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name."), code="name")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            secret_hash=_hash(secret),
            read_only=read_only,
            expires_at=timezone.now() + timedelta(days=days),
        )
        log_action(
            "api.token.created",
            actor=actor,
            target=token,
            data={"user": user.pk, "days": days, "read_only": read_only},
        )
    return token, f"{PREFIX}_{prefix}_{secret}"


def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        log_action("api.token.revoked", actor=actor, target=locked)


def authenticate(text: str) -> ApiToken | None:
    """The usable token this text is, or None: malformed, unknown, revoked, expired, or its
    user deactivated."""
    parts = text.split("_", 2)  # the secret may hold "_" itself
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
