"""Two-factor sign-in with TOTP (django-otp) and one-time backup codes.

Required for the roles that hold case-level data or personal data (caseworkers, supervisors,
partner focal points) or manage users (administrators), and for superusers, whenever
TWO_FACTOR_REQUIRED is on (the default with DEBUG off). With DEMO=1, users created by the demo
seeding command sign in with their password alone; every other protection stays on."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role

ROLES_REQUIRING_2FA = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.ADMIN})
BACKUP_CODES = 10


def required_for(user: User) -> bool:
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    if settings.DEMO and user.is_demo:
        return False
    return user.is_superuser or bool(user.roles & ROLES_REQUIRING_2FA)


def pending_device(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def backup_codes_issue(user: User) -> list[str]:
    """New one-time backup codes (the old ones stop working); shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify(user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this token: a TOTP code is refused when reused (django-otp
    remembers the last time step), a backup code is deleted when used."""
    token = "".join(token.split())
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/healthz", "/static/")


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
                "accounts:two_factor_verify"
                if user_has_device(user, confirmed=True)
                else "accounts:two_factor_setup"
            )
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
