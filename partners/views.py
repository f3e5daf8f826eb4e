from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import Action, can, can_on, get_child_or_404, get_for_user_or_404, require
from partners import selectors, services
from partners.forms import (
    ContactForm,
    DirectoryProfileForm,
    OrganisationFilterForm,
    OrganisationForm,
    PathwayStepForm,
    RegionChoiceForm,
)
from partners.models import Contact, Organisation, PathwayStep
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of


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
        service=criteria.get("service", ""),
        region=criteria.get("region"),
        serves=criteria.get("serves", ""),
        language=criteria.get("language", ""),
    )
    return render(
        request,
        "partners/organisation_list.html",
        {
            "page": page_of(qs, request.GET.get("page")),
            "filters": filters,
            "region": criteria.get("region"),
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
            "contacts": org.contacts.all(),
            "can_change": can_on(request.user, "organisation", Action.CHANGE, org),
        },
    )


@require("organisation", Action.CREATE)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        regions = data.pop("regions")
        try:
            org = services.organisation_create(actor=request.user, regions=regions, **data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Organisation %(name)s created.") % {"name": org})
            return redirect("partners:organisation_detail", pk=org.pk)
    return render(request, "partners/organisation_form.html", {"form": form})


@require("organisation", Action.CHANGE)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _get_organisation_for_user(request, pk, Action.CHANGE)
    # A partner focal point edits its directory entry; an administrator the whole record
    # (its country only as a superuser).
    if services.may_change_whole_record(request.user):
        form = OrganisationForm(request.POST or None, instance=org, actor=request.user)
    else:
        form = DirectoryProfileForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        regions = data.pop("regions", None)
        try:
            services.organisation_update(
                actor=request.user, organisation=org, regions=regions, **data
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Changes to %(name)s saved.") % {"name": org})
            return redirect("partners:organisation_detail", pk=org.pk)
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": org})


@require("organisation", Action.CHANGE)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = _get_organisation_for_user(request, pk, Action.CHANGE)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_add(actor=request.user, organisation=org, **form.cleaned_data)
        messages.success(
            request,
            _("%(contact)s added to the contacts of %(name)s.")
            % {"contact": contact.name, "name": org},
        )
        return redirect("partners:organisation_detail", pk=org.pk)
    return render(request, "partners/contact_form.html", {"form": form, "organisation": org})


@require_POST
@require("organisation", Action.CHANGE)
def contact_remove(request: HttpRequest, contact_pk: int) -> HttpResponse:
    contact = get_child_or_404(
        request.user,
        "organisation",
        Action.CHANGE,
        Contact.objects.select_related("organisation"),
        via="organisation",
        pk=contact_pk,
    )
    services.contact_remove(actor=request.user, contact=contact)
    messages.success(
        request,
        _("%(contact)s removed from the contacts of %(name)s.")
        % {"contact": contact.name, "name": contact.organisation},
    )
    return redirect("partners:organisation_detail", pk=contact.organisation_id)


@require("organisation", Action.LIST)
def directory_pdf(request: HttpRequest) -> HttpResponse:
    """The referral directory of one region, printable, as NRMs and SOPs publish it."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded when a PDF is asked for

    choice = RegionChoiceForm(request.GET)
    if not choice.is_valid():
        if request.GET.get("region"):
            raise Http404  # no such region (or not a region number at all)
        messages.error(request, _("Choose a region to print its directory."))
        return redirect("partners:organisation_list")
    region = choice.cleaned_data["region"]
    html = render_to_string(
        "partners/pdf/directory.html",
        {
            "region": region,
            "organisations": selectors.directory_for_region(region=region),
            "today": timezone.localdate(),
        },
        request=request,
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="directory-{region.country.code}-{region.pk}.pdf"'
    )
    return response


def _step_words(step: PathwayStep) -> dict[str, str]:
    """A pathway step in words, for the confirmations: "shelter in Bangui"."""
    place = step.region.name if step.region_id else _("the whole country")
    return {
        "partner": str(step.partner),
        "step": _("%(service)s in %(place)s")
        % {"service": step.get_service_type_display().lower(), "place": place},
    }


@require("pathway", Action.LIST)
def pathway_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = None
    if can(user, "pathway", Action.CREATE) and user.organisation_id:
        form = PathwayStepForm(request.POST or None, country=user.organisation.country.code)
        if request.method == "POST" and form.is_valid():
            try:
                step = services.pathway_step_add(
                    actor=user, country=user.organisation.country.code, **form.cleaned_data
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(partner)s added to the pathway for %(step)s.") % _step_words(step)
                )
                return redirect("partners:pathway_list")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "partners/pathway_list.html",
        {"steps": selectors.pathway_list(actor=user), "form": form},
    )


@require_POST
@require("pathway", Action.CHANGE)
def pathway_remove(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_for_user_or_404(
        request.user, "pathway", Action.CHANGE, PathwayStep.objects.all(), pk=pk
    )
    words = _step_words(step)
    services.pathway_step_remove(actor=request.user, step=step)
    messages.success(request, _("%(partner)s removed from the pathway for %(step)s.") % words)
    return redirect("partners:pathway_list")
