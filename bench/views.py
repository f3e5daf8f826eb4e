"""The benchmark's framework floor: a page that goes through every middleware, the session,
the second factor and the same access-policy check as the page it is compared with, and then
renders a template with nothing in it. What a page costs beyond this floor and its SQL is
the page's own work (`manage.py benchmark` prints the ratio)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.policy import RULES, Action, require


def _empty(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/floor.html")


def floor(request: HttpRequest, kind: str, action: str) -> HttpResponse:
    """The floor of a page guarded by `require(kind, action)`."""
    if kind not in RULES or action not in {a.value for a in Action}:
        raise Http404
    return require(kind, Action(action))(_empty)(request)
