"""Sessions: idle timeout (SESSION_COOKIE_AGE with a save on every request), an absolute
lifetime from sign-in, and ending every session of a user at once (sign-out, deactivation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, UserSession

LOGIN_AT = "login_at"


def session_started(request: HttpRequest, user: User) -> None:
    """Called right after sign-in (the session key has just been changed by Django)."""
    request.session[LOGIN_AT] = timezone.now().isoformat()
    request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


def end_all_sessions(user: User) -> int:
    """Delete every server-side session of the user; returns how many."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return deleted


class AbsoluteSessionLifetimeMiddleware:
    """A session older than SESSION_ABSOLUTE_SECONDS since sign-in ends, active or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is None:
                # A session opened by another path (e.g. the admin): its clock starts now.
                request.session[LOGIN_AT] = timezone.now().isoformat()
                started = request.session[LOGIN_AT]
            limit = timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
            if timezone.now() - datetime.fromisoformat(started) > limit:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
