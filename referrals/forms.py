from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.models import Case
from partners.models import Organisation
from referrals.models import DEFAULT_PACKET, PacketField, ReferralStatus, Urgency
from traffick_cm.codebooks import ServiceType
from traffick_cm.forms import DateField


class ReferralForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    to_organisation = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("The pathway's suggestions are listed above."),
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
        self.fields["to_organisation"].queryset = (
            Organisation.objects.filter(is_active=True, receives_referrals=True)
            .exclude(pk=case.organisation_id)
            .order_by("country", "name")
        )
        self.fields["destination_country"].choices = [
            ("", _("Same as the partner's")),
            *list(countries),
        ]

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
