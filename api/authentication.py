"""`Authorization: Bearer <token>`: the only way into the API (no session, so no CSRF)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import tokens


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _space, text = header.partition(" ")
        if keyword != self.keyword or not text.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”.")
            )
        token = tokens.authenticate(text.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: unknown, expired, revoked, or its user deactivated.")
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
