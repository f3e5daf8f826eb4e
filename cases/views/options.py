"""Choices a case form loads when it needs them, rather than on every page load."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import Action, require
from cases.countries import country_code
from cases.forms import regions_of


@require_GET
@require("case", Action.CREATE)
def region_options(request: HttpRequest) -> HttpResponse:
    """htmx, on the registration and edit forms: the <option>s of the region list for the
    country typed (by name or ISO code); only the empty choice for an unknown country."""
    code = country_code(request.GET.get("identified_country", "")[:100]) or ""
    return render(request, "cases/_region_options.html", {"regions": regions_of(code)})
