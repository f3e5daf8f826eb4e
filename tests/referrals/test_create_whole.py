"""A referral is created whole or not at all: the draft, its first event and its audit entry
are written in one transaction, whoever calls the service (the page, the API, the demo)."""

from __future__ import annotations

import pytest

from referrals import services
from referrals.models import Referral, ReferralEvent

from .steps import draft

pytestmark = pytest.mark.django_db


def test_a_failure_after_the_draft_is_written_leaves_no_referral(
    case, caseworker, partner_org, monkeypatch
):
    def audit_fails(*args, **kwargs):
        raise RuntimeError("the audit store is unreachable")

    monkeypatch.setattr(services, "_audit", audit_fails)

    with pytest.raises(RuntimeError):
        draft(case, caseworker, partner_org)

    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()
