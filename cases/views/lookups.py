"""Name look-ups: the duplicate check while registering and the case list's name search.
Both are posted (names stay out of addresses and logs), counted against an hourly budget per
user and audited."""

from __future__ import annotations

import secrets
from datetime import date

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.policy import Action, require
from cases import forms as case_forms
from cases.countries import country_code
from cases.services import identity
from traffick_cm import crypto

# The name searches a session remembers (the oldest goes first): enough for the back button.
SEARCHES_KEPT = 20


def remember_search(request: HttpRequest, text: str) -> str:
    """Keep a name search server-side, encrypted, in the session; the page address carries
    only an opaque key, so pagination and the back button still work."""
    searches = dict(request.session.get("case_searches", {}))
    key = secrets.token_urlsafe(9)
    searches[key] = crypto.encrypt(text)
    request.session["case_searches"] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return key


def recall_search(request: HttpRequest, key: str) -> str | None:
    """The search kept under `key` in this session, or None (another session's key, an
    expired session, or a key ring that no longer opens it)."""
    token = request.session.get("case_searches", {}).get(key)
    try:
        return crypto.decrypt(token) if token else None
    except ValueError:
        return None


def list_address(query: QueryDict) -> str:
    address = reverse("cases:case_list")
    return f"{address}?{query.urlencode()}" if query else address


def case_search(request: HttpRequest) -> HttpResponse:
    """The case list's search and filter form, posted: the filters go to the address, a case
    number too; a name is kept server-side, counted and audited (never its text)."""
    query = QueryDict(mutable=True)
    for name in case_forms.CaseFilterForm.base_fields:
        values = [value for value in request.POST.getlist(name) if value]
        if name == "citizenship":
            # The country typed by name goes to the address as its code.
            values = [country_code(value) or value for value in values]
        if values and name != "number":  # the search box says which case number, if any
            query.setlist(name, values)
    search = case_forms.CaseSearchForm(request.POST)
    term = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if case_forms.is_case_number(term):
        query["number"] = term.upper()
    elif term:
        try:
            identity.name_search_record(actor=request.user, text=term)
        except identity.LookupLimitReached as limit:
            return _lookup_refused(request, limit, template="cases/lookup_limit.html")
        query["search"] = remember_search(request, term)
    return redirect(list_address(query))


def _lookup_refused(
    request: HttpRequest, limit: identity.LookupLimitReached, *, template: str
) -> HttpResponse:
    return render(request, template, {"limit": limit.limit}, status=429)


def _birth_year(data: QueryDict) -> int | None:
    try:
        dob = data.get("date_of_birth") or None
        age = data.get("estimated_age") or None
        return identity.birth_year(
            date_of_birth=date.fromisoformat(dob) if dob else None,
            estimated_age=int(age) if age else None,
            on=timezone.localdate(),
        )
    except ValueError:
        return None


@require_POST
@require("case", Action.CREATE)
@sensitive_post_parameters()
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """htmx, while registering: may this person be known already? Posted (names stay out
    of addresses and logs), counted against an hourly budget, audited. A caseworker learns
    only that a match exists and whom to ask; a supervisor which organisation; another
    organisation's case is never named."""
    names = [
        request.POST.get(f, "")[:100] for f in ("first_name", "middle_name", "last_name", "aliases")
    ]
    # Typed by name in the registration form's boxes (or sent as ISO codes).
    typed = request.POST.getlist("citizenships")[:5]
    citizenships = [code for text in typed if (code := country_code(text[:100]))]
    try:
        answer = identity.duplicate_lookup(
            actor=request.user,
            names=names,
            birth_year=_birth_year(request.POST),
            citizenships=citizenships,
        )
    except identity.LookupLimitReached as limit:
        return _lookup_refused(request, limit, template="cases/_lookup_limit.html")
    return render(request, "cases/_duplicate_check.html", {"answer": answer})
