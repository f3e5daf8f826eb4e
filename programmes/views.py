"""Donors and the projects they fund: lists, pages and forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import Action, can, can_on, get_for_user_or_404, require
from programmes import selectors, services
from programmes.forms import DonorForm, ProjectFilterForm, ProjectForm
from programmes.models import Donor, Project
from programmes.signals import project_sections
from traffick_cm.pagination import page_of


def _get_project_for_user(request: HttpRequest, pk: int, action: Action) -> Project:
    return get_for_user_or_404(
        request.user, "project", action, Project.objects.select_related("donor"), pk=pk
    )


@require("project", Action.LIST)
def project_list(request: HttpRequest) -> HttpResponse:
    filters = ProjectFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.project_list(
        actor=request.user,
        q=criteria.get("q", "").strip(),
        country=criteria.get("country", ""),
        donor=criteria.get("donor"),
        running_on=timezone.localdate() if criteria.get("current") else None,
    )
    page = page_of(qs, request.GET.get("page"))
    return render(
        request,
        "programmes/project_list.html",
        {
            "page": page,
            "filters": filters,
            "can_create": can(request.user, "project", Action.CREATE),
        },
    )


@require("project", Action.VIEW)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk, Action.VIEW)
    # Apps above this one add their sections (the logframe and figures of reports/).
    sections = [
        html
        for _receiver, html in project_sections.send(
            sender=Project, request=request, project=project
        )
        if html
    ]
    return render(
        request,
        "programmes/project_detail.html",
        {
            "project": project,
            "organisations": project.organisations.all(),
            "can_change": can_on(request.user, "project", Action.CHANGE, project),
            "can_list": can(request.user, "project", Action.LIST),
            "sections": sections,
        },
    )


@require("project", Action.CREATE)
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisations = data.pop("organisations")
        if not request.user.is_superuser and request.user.organisation not in organisations:
            # The creator's organisation implements what it registers, so it can edit it.
            organisations = [*organisations, request.user.organisation]
        project = services.project_create(actor=request.user, organisations=organisations, **data)
        messages.success(
            request,
            _("Project %(code)s – %(title)s created.")
            % {"code": project.code, "title": project.title},
        )
        return redirect("programmes:project_detail", pk=project.pk)
    return render(request, "programmes/project_form.html", {"form": form})


@require("project", Action.CHANGE)
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk, Action.CHANGE)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisations = data.pop("organisations")
        services.project_update(
            actor=request.user, project=project, organisations=organisations, **data
        )
        messages.success(
            request, _("Changes to the project %(code)s saved.") % {"code": project.code}
        )
        return redirect("programmes:project_detail", pk=project.pk)
    return render(request, "programmes/project_form.html", {"form": form, "project": project})


@require("donor", Action.LIST)
def donor_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/donor_list.html",
        {
            "donors": selectors.donor_list(actor=request.user),
            "can_create": can(request.user, "donor", Action.CREATE),
            "can_change": can(request.user, "donor", Action.CHANGE),
        },
    )


@require("donor", Action.CREATE)
def donor_create(request: HttpRequest) -> HttpResponse:
    form = DonorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donor = services.donor_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Donor %(name)s created.") % {"name": donor})
        return redirect("programmes:donor_list")
    return render(request, "programmes/donor_form.html", {"form": form})


@require("donor", Action.CHANGE)
def donor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    donor = get_for_user_or_404(request.user, "donor", Action.CHANGE, Donor.objects.all(), pk=pk)
    form = DonorForm(request.POST or None, instance=donor)
    if request.method == "POST" and form.is_valid():
        services.donor_update(actor=request.user, donor=donor, **form.cleaned_data)
        messages.success(request, _("Changes to the donor %(name)s saved.") % {"name": donor})
        return redirect("programmes:donor_list")
    return render(request, "programmes/donor_form.html", {"form": form, "donor": donor})
