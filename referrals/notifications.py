"""E-mails about referrals. They carry a reference and a link, never the packet or a name:
an inbox is not a safe place for a victim's identity."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from referrals.models import Referral


def _partner_recipients(referral: Referral) -> list[str]:
    if referral.to_organisation_id is None:
        return []
    users = User.objects.filter(
        organisation=referral.to_organisation_id,
        is_active=True,
        role_assignments__role=Role.PARTNER,
    ).exclude(email="")
    emails = set(users.values_list("email", flat=True))
    emails |= set(
        referral.to_organisation.contacts.filter(is_focal_point=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(emails)


def _referrer_recipients(referral: Referral) -> list[str]:
    return [referral.created_by.email] if referral.created_by.email else []


# What the partner is told; the rest goes to the referrer, and "overdue" to both.
TO_PARTNER = frozenset({"sent", "cancelled", "consent_withdrawn"})


def send(referral: Referral, what: str) -> int:
    """what: sent, cancelled, consent_withdrawn (to the partner); accepted, declined,
    completed, closed_no_service (to the referrer); overdue (to both). An e-mail already
    sent cannot be recalled, so none ever holds more than the reference and the service."""
    if what in TO_PARTNER:
        recipients = _partner_recipients(referral)
    elif what == "overdue":
        recipients = _partner_recipients(referral) + _referrer_recipients(referral)
    else:
        recipients = _referrer_recipients(referral)
    if not recipients:
        return 0
    partner_side = what in TO_PARTNER or what == "overdue"
    path = reverse(
        "referrals:inbox_detail"
        if partner_side and referral.to_organisation_id
        else "referrals:referral_detail",
        kwargs={"pk": referral.pk},
    )
    context = {
        "referral": referral,
        "reference": f"R-{referral.pk:06d}",
        "what": what,
        "link": settings.SITE_URL.rstrip("/") + path,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/referral_subject.txt", context).strip()
        body = render_to_string("emails/referral.txt", context)
    return send_mail(subject, body, None, recipients)
