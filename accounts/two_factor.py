"""Two-factor sign-in with TOTP (django-otp) and one-time backup codes.

Required, whenever TWO_FACTOR_REQUIRED is on (the default with DEBUG off), for superusers and
for every role the access policy lets read personal data (a case-level kind, the training
register), export microdata or manage users. With DEMO=1, users created by the demo seeding
command sign in with their password alone; every other protection stays on.

Devices change only through the services below, each audited and told to the owner by email:
the first authenticator is set up by a user who has none; adding or replacing one later needs
a verified session and the password again; an administrator of the user's organisation may
remove a user's devices (never their own, never a superuser's), which ends the user's
sessions, so the user must sign in with the password again before setting up a new one."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import guards, notices, sessions
from accounts.audit import log_action
from accounts.models import User
from accounts.policy import CASE_LEVEL_KINDS, RULES, Action
from accounts.roles import Role

# Exports of records about people, one row each (the CTDC microdata, case exports).
MICRODATA_EXPORTS = ("ctdc", "case")


def _roles_requiring_2fa() -> frozenset[Role]:
    roles: set[Role] = set()
    for kind, actions in RULES.items():
        for action, allowed in actions.items():
            if (
                kind in CASE_LEVEL_KINDS
                or kind == "user"
                or (kind in MICRODATA_EXPORTS and action == Action.EXPORT)
            ):
                roles |= allowed
    return frozenset(roles)


# Derived from the policy, so that a role given personal data later needs a second factor
# without anyone remembering to add it here.
ROLES_REQUIRING_2FA = _roles_requiring_2fa()
BACKUP_CODES = 10
DEFAULT_DEVICE_NAME = "authenticator"


def required_for(user: User) -> bool:
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    if settings.DEMO and user.is_demo:
        return False
    return user.is_superuser or bool(user.roles & ROLES_REQUIRING_2FA)


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def enrolment_device(*, user: User, device_id: int | None) -> TOTPDevice:
    """The unconfirmed device of one enrolment (its id kept in that session), or a new one.
    Never another session's: a key shown to whoever opened the page first must not be the
    one the owner later confirms."""
    if device_id is not None:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
        if device is not None:
            return device
    return TOTPDevice.objects.create(user=user, name=DEFAULT_DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    # Loaded when a QR code is drawn (enrolment), not on every request.
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def backup_codes_issue(user: User) -> list[str]:
    """New one-time backup codes (the old ones stop working); shown once. A building block:
    people get new codes through backup_codes_renew or their first set-up."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The second step of a sign-in: the device that accepts this token, or None; either way
    audited, so repeated failures show in the user's history."""
    device = _accepting_device(user, token)
    log_action(
        "accounts.two_factor.verified" if device is not None else "accounts.two_factor.failed",
        actor=user,
        target=user,
    )
    return device


def _accepting_device(user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """A TOTP code is refused when reused (django-otp remembers the last time step), a backup
    code is deleted when used."""
    token = "".join(token.split())
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


def _check_code(device: TOTPDevice, token: str) -> None:
    # Outside any transaction that the refusal rolls back: django-otp records the time step
    # used and the failures (its throttle) on the device.
    if not (device.verify_is_allowed()[0] and device.verify_token("".join(token.split()))):
        raise ValidationError(
            _("This code is not valid. Check the time on your phone and enter the current code."),
            code="wrong_code",
        )


def _locked_enrolment(user: User, device: TOTPDevice) -> TOTPDevice:
    """Lock the user's row (two confirmations at once are serialised) and fetch the device
    again: it must still be this user's and unconfirmed."""
    User.objects.select_for_update().get(pk=user.pk)
    device = TOTPDevice.objects.filter(pk=device.pk, user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("This set-up has expired. Start again."), code="enrolment_expired")
    return device


def _confirm(device: TOTPDevice, name: str) -> None:
    device.confirmed = True
    device.name = name or DEFAULT_DEVICE_NAME
    device.save(update_fields=["confirmed", "name"])
    TOTPDevice.objects.filter(user=device.user_id, confirmed=False).delete()


def first_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """The first authenticator of a user who has no confirmed device; returns the backup
    codes (shown once). Refused once any device is confirmed: from then on only a verified
    session adds one (authenticator_add)."""
    if has_device(user):
        raise ValidationError(
            _("Two-step sign-in is already set up on this account."), code="already_set_up"
        )
    _check_code(device, token)
    with transaction.atomic():
        device = _locked_enrolment(user, device)
        if has_device(user):
            raise ValidationError(
                _("Two-step sign-in is already set up on this account."), code="already_set_up"
            )
        _confirm(device, DEFAULT_DEVICE_NAME)
        codes = backup_codes_issue(user)
        entry = log_action(
            "accounts.two_factor.enabled", actor=user, target=user, data={"device": device.pk}
        )
        notices.queue(entry)
    return codes


def authenticator_add(
    *, user: User, device: TOTPDevice, password: str, token: str, replace: bool, name: str = ""
) -> TOTPDevice:
    """Another authenticator, or one that replaces the others once it works (the old ones
    stay until the new one is confirmed). The caller's session must be verified."""
    if not has_device(user):
        raise ValidationError(_("Set up two-step sign-in first."), code="no_device")
    guards.password_confirm(user=user, password=password)
    _check_code(device, token)
    with transaction.atomic():
        device = _locked_enrolment(user, device)
        _confirm(device, name.strip()[:64])
        removed = []
        if replace:
            old = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
            removed = list(old.values_list("pk", flat=True))
            old.delete()
        entry = log_action(
            "accounts.two_factor.device_replaced"
            if replace
            else "accounts.two_factor.device_added",
            actor=user,
            target=user,
            data={"device": device.pk, "removed": removed},
        )
        notices.queue(entry)
    return device


def authenticator_remove(*, user: User, device_id: int, password: str) -> str:
    """Remove one of several authenticators; the last one is replaced, not removed. Returns
    the removed one's name."""
    guards.password_confirm(user=user, password=password)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        device = devices.filter(pk=device_id).first()
        if device is None:
            raise ValidationError(_("This authenticator does not exist."), code="no_device")
        if devices.count() < 2:
            raise ValidationError(
                _("This is your only authenticator: replace it instead of removing it."),
                code="last_device",
            )
        device.delete()
        entry = log_action(
            "accounts.two_factor.device_removed",
            actor=user,
            target=user,
            data={"device": device_id},
        )
        notices.queue(entry)
    return device.name


def backup_codes_renew(*, user: User, password: str) -> list[str]:
    """New backup codes for a verified session, behind the password."""
    if not has_device(user):
        raise ValidationError(_("Set up two-step sign-in first."), code="no_device")
    guards.password_confirm(user=user, password=password)
    with transaction.atomic():
        codes = backup_codes_issue(user)
        entry = log_action("accounts.two_factor.backup_codes_issued", actor=user, target=user)
        notices.queue(entry)
    return codes


def two_factor_reset(*, actor: User, user: User, password: str) -> int:
    """An administrator removes a user's lost devices. The user's sessions end, so the next
    set-up needs the password again; never one's own devices, never a superuser's."""
    if user.pk == actor.pk:
        raise ValidationError(
            _("You cannot reset your own two-step sign-in. Ask another administrator."),
            code="own_account",
        )
    if user.is_superuser:
        raise ValidationError(
            _("A superuser's two-step sign-in cannot be reset here."), code="superuser"
        )
    guards.ensure_may_manage(actor, user)
    guards.password_confirm(user=actor, password=password)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        sessions.end_all_sessions(user)
        entry = log_action(
            "accounts.two_factor.reset", actor=actor, target=user, data={"removed": removed}
        )
        notices.queue(entry)
    return removed


OPEN_PATHS = (
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/i18n/",
    "/healthz",
    "/static/",
    "/favicon.ico",
)


class RequireTwoFactorMiddleware:
    """Signed in with a password but without the second factor: only the two-factor pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and required_for(user)
            and not request.path.startswith(OPEN_PATHS)
        ):
            target = (
                "accounts:two_factor_verify" if has_device(user) else "accounts:two_factor_setup"
            )
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
