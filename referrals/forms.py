from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.models import Case
from partners import selectors as partner_selectors
from partners.models import Organisation
from partners.selectors import Reach, Suggestion
from referrals.models import DEFAULT_PACKET, PacketField, ReferralStatus, Urgency
from traffick_cm.codebooks import Language, ServiceType
from traffick_cm.forms import DateField

# The groups of the partner list, in the finder's order (partners/selectors.py).
REACH_GROUPS = {
    Reach.PATHWAY: _("Referral pathway"),
    Reach.PATHWAY_COUNTRY: _("Referral pathway"),
    Reach.REGION: _("Covers the case's region"),
    Reach.COUNTRY: _("In the case's country"),
    Reach.NEIGHBOUR: _("Neighbouring regions"),
    Reach.OTHER_REGION: _("Other regions of the country"),
    Reach.NATIONAL: _("National coverage"),
    Reach.CROSS_BORDER: _("Cross-border"),
}


def partner_label(suggestion: Suggestion, service: str) -> str:
    """One option of the partner list: the name, where it works when that is not the
    case's region, its free shelter beds for shelter, and the languages it speaks."""
    org = suggestion.organisation
    parts = [str(org)]
    if suggestion.reach in (Reach.NEIGHBOUR, Reach.OTHER_REGION):
        parts.append(", ".join(suggestion.regions))
    elif suggestion.reach == Reach.CROSS_BORDER:
        parts.append(str(org.country.name))
    if service == ServiceType.SHELTER and org.beds_free is not None:
        parts.append(
            gettext("full")
            if org.beds_free == 0
            else ngettext("%(n)d bed free", "%(n)d beds free", org.beds_free) % {"n": org.beds_free}
        )
    names = dict(Language.choices)
    if org.languages:
        parts.append(", ".join(str(names.get(code, code)) for code in org.languages))
    return " – ".join(parts)


class ReferralForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    to_organisation = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "The partners in this system that offer the chosen service, nearest first, with "
            "their free shelter beds and the languages they speak."
        ),
    )
    external_organisation = forms.CharField(
        label=_("Or an organisation outside the system"), required=False, max_length=200
    )
    destination_country = forms.ChoiceField(
        label=_("Destination country"),
        choices=countries,
        required=False,
        help_text=_("For a cross-border referral, e.g. a return from Mali to Nigeria."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    packet_fields = forms.MultipleChoiceField(
        label=_("What the partner may see"),
        choices=PacketField.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_PACKET),
        help_text=_("Share only what the partner needs to deliver this service."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any active partner answering referrals here may be posted; the list offers those
        # the finder picks for the chosen service and the case's region. A partner that
        # does not offer the service is refused by referral_create (the API posts here too).
        self.fields["to_organisation"].queryset = Organisation.objects.filter(
            is_active=True, receives_referrals=True
        ).exclude(pk=case.organisation_id)
        self.service = self._chosen_service()
        self.partner_suggestions = partner_selectors.partner_finder(
            service=self.service,
            country=case.identified_country.code,
            region=case.identified_region,
            exclude=case.organisation_id,
            receiving_only=True,
            with_directory=True,
        )
        self.fields["to_organisation"].choices = self._partner_choices()
        # A new service, a new list: htmx asks for it alone (the service code only, by GET).
        self.fields["service_type"].widget.attrs.update(
            {
                "hx-get": reverse("referrals:referral_create", kwargs={"case_pk": case.pk}),
                "hx-target": "#partner-choice",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
            }
        )
        self.fields["destination_country"].choices = [
            ("", _("Same as the partner's")),
            *list(countries),
        ]

    def _chosen_service(self) -> str:
        """The service the partner list is for: the one posted, else the initial one, else
        the first of the list (what the select shows)."""
        field = self["service_type"]
        value = field.data if self.is_bound else field.initial
        return value if value in ServiceType.values else ServiceType.values[0]

    def _partner_choices(self) -> list:
        if not self.partner_suggestions:
            return [("", gettext("No partner in this system offers this service"))]
        groups: dict[str, list[tuple[int, str]]] = {}
        for suggestion in self.partner_suggestions:
            group = str(REACH_GROUPS[suggestion.reach])
            groups.setdefault(group, []).append(
                (suggestion.organisation.pk, partner_label(suggestion, self.service))
            )
        return [("", "---------"), *groups.items()]

    @property
    def fallback(self) -> bool:
        """No partner covers the case's region for this service: the list offers others."""
        return bool(self.partner_suggestions) and self.partner_suggestions[0].is_fallback

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        to_org, external = cleaned.get("to_organisation"), cleaned.get("external_organisation", "")
        if bool(to_org) == bool(external.strip()):
            self.add_error(
                "to_organisation",
                _("Choose a partner, or name an organisation outside the system (not both)."),
            )
        return cleaned


class SendForm(forms.Form):
    override_justification = forms.CharField(
        label=_("Emergency: why must this referral go without consent?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RespondForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Decline"))], coerce=lambda x: x == "1"
    )
    reason = forms.CharField(
        label=_("Reason (required to decline)"), max_length=300, required=False
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=300)
    feedback = forms.CharField(
        label=_("Feedback to the referring caseworker"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    delivered_on = DateField(label=_("Service delivered on"), required=False)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("Why was no service given?"), max_length=300)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *list(ReferralStatus.choices)]
