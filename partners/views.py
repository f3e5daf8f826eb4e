from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.policy import Action, can, can_on, get_for_user_or_404, require
from partners import selectors, services
from partners.forms import OrganisationFilterForm, OrganisationForm
from partners.models import Organisation


def _get_organisation_for_user(request: HttpRequest, pk: int, action: Action) -> Organisation:
    return get_for_user_or_404(
        request.user, "organisation", action, Organisation.objects.all(), pk=pk
    )


@require("organisation", Action.LIST)
def organisation_list(request: HttpRequest) -> HttpResponse:
    filters = OrganisationFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.organisation_list(
        actor=request.user,
        q=criteria.get("q", "").strip(),
        country=criteria.get("country", ""),
        type=criteria.get("type", ""),
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/organisation_list.html",
        {
            "page": page,
            "filters": filters,
            "can_create": can(request.user, "organisation", Action.CREATE),
        },
    )


@require("organisation", Action.VIEW)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = _get_organisation_for_user(request, pk, Action.VIEW)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": org,
            "regions": org.regions.all(),
            "can_change": can_on(request.user, "organisation", Action.CHANGE, org),
        },
    )


@require("organisation", Action.CREATE)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        regions = data.pop("regions")
        org = services.organisation_create(actor=request.user, regions=regions, **data)
        messages.success(request, _("Organisation created."))
        return redirect("partners:organisation_detail", pk=org.pk)
    return render(request, "partners/organisation_form.html", {"form": form})


@require("organisation", Action.CHANGE)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _get_organisation_for_user(request, pk, Action.CHANGE)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        regions = data.pop("regions")
        services.organisation_update(actor=request.user, organisation=org, regions=regions, **data)
        messages.success(request, _("Changes saved."))
        return redirect("partners:organisation_detail", pk=org.pk)
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": org})
