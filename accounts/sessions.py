"""Sessions: idle timeout (SESSION_COOKIE_AGE, renewed by the requests: see SessionStore),
an absolute lifetime from sign-in, and ending every session of a user at once (sign-out,
deactivation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, UserSession

LOGIN_AT = "login_at"
# How far the idle deadline may lag behind the last request before a request writes it.
RENEWAL = timedelta(minutes=1)


class SessionStore(db.SessionStore):
    """The database sessions (SESSION_ENGINE = "accounts.sessions"), written when their data
    changed or when a request would push the idle deadline back by a minute or more.

    SESSION_SAVE_EVERY_REQUEST renews the deadline on every request; written every time, it
    cost every page an UPDATE and a commit, more than the reads of most pages. A session
    thus ends 29 to 30 minutes after its last request."""

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._stored_expiry: datetime | None = None

    def _get_session_from_db(self) -> Session | None:
        stored = super()._get_session_from_db()
        self._stored_expiry = stored.expire_date if stored else None
        return stored

    def save(self, must_create: bool = False) -> None:
        if not must_create and not self.modified and self._renewed_lately():
            return
        super().save(must_create=must_create)
        self._stored_expiry = self.get_expiry_date()

    def _renewed_lately(self) -> bool:
        stored = self._stored_expiry
        return stored is not None and self.get_expiry_date() - stored < RENEWAL


def session_started(request: HttpRequest, user: User) -> None:
    """Called right after sign-in (the session key has just been changed by Django)."""
    request.session[LOGIN_AT] = timezone.now().isoformat()
    request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


def session_renewed(request: HttpRequest, user: User) -> None:
    """Django gave this session a new key (after a password change): record it, so that
    ending the user's sessions still reaches it."""
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


def end_all_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete every server-side session of the user but `keep` (the session key of the
    request that changed the password, say); returns how many."""
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    keys = list(sessions.values_list("session_key", flat=True))
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    sessions.delete()
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
                # A session opened by another path (e.g. the admin's sign-in form): its clock
                # starts now, and it is recorded, so that signing out, deactivation, a new
                # password or a two-factor reset end it like any other.
                request.session[LOGIN_AT] = timezone.now().isoformat()
                started = request.session[LOGIN_AT]
                if request.session.session_key:
                    UserSession.objects.get_or_create(
                        session_key=request.session.session_key, defaults={"user": user}
                    )
            limit = timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
            if timezone.now() - datetime.fromisoformat(started) > limit:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
