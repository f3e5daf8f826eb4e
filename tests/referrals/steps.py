"""Helpers of the referrals tests (plain functions; the fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.services import records
from partners.models import Organisation
from referrals import services
from referrals.models import Referral


def english_client(user=None) -> Client:
    """A separate signed-in client, for tests that need two browsers at once."""
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def consent_to_referral(case, actor, *, granted: bool = True):
    return records.consent_record(
        actor=actor,
        case=case,
        scope="referral_sharing",
        granted=granted,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )


def draft(case, actor, to: Organisation | None = None, **overrides) -> Referral:
    fields = {
        "service_type": "shelter",
        "urgency": "normal",
        "reason": "Needs a safe place to stay tonight",
        "packet_fields": ["case_number", "first_name", "sex", "age_group"],
        "to_organisation": to,
        **overrides,
    }
    return services.referral_create(actor=actor, case=case, **fields)


def send(case, actor, to: Organisation | None = None, **overrides) -> Referral:
    return services.referral_send(actor=actor, referral=draft(case, actor, to, **overrides))


def grant_override(user):
    """The emergency override permission; a fresh user object, so no permission cache."""
    user.user_permissions.add(
        Permission.objects.get(
            codename="override_referral_consent", content_type__app_label="referrals"
        )
    )
    return type(user).objects.get(pk=user.pk)


def make_overdue(referral: Referral, hours: int = 1) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - timedelta(hours=hours)
    )
    referral.refresh_from_db()
    return referral


def answer(client, referral, **data):
    """A focal point's answer posted from the inbox page, following the redirect."""
    return client.post(
        reverse("referrals:inbox_answer", kwargs={"pk": referral.pk}), data, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
