"""The referral list and the partner's inbox share one table and one pager: moving to
another page keeps the filters the user chose."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from referrals.models import Referral

from .steps import english_client

PAGE_LINK = re.compile(r'class="page-link" href="([^"]*)"')


def _copies(referral: Referral, n: int) -> None:
    """`n` more referrals like this one (same case, partner and status)."""
    Referral.objects.bulk_create(
        Referral(
            case_id=referral.case_id,
            from_organisation_id=referral.from_organisation_id,
            to_organisation_id=referral.to_organisation_id,
            service_type=referral.service_type,
            urgency=referral.urgency,
            reason=referral.reason,
            packet_fields=referral.packet_fields,
            status=referral.status,
            sent_at=referral.sent_at,
            respond_by=referral.respond_by,
            created_by_id=referral.created_by_id,
        )
        for _ in range(n)
    )


def _page_links(user, url_name: str, **params) -> list[str]:
    response = english_client(user).get(reverse(url_name), params)
    assert response.status_code == 200
    return PAGE_LINK.findall(response.content.decode())


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("caseworker", "referrals:referral_list"), ("focal_point", "referrals:inbox")],
)
def test_the_pages_of_a_filtered_list_keep_the_filter(request, referral, who, url_name):
    _copies(referral, 30)
    user = request.getfixturevalue(who)

    first = _page_links(user, url_name, status="sent", overdue="")
    second = _page_links(user, url_name, status="sent", overdue="", page="2")

    assert first == ["?status=sent&amp;overdue=&amp;page=2"]
    assert second == ["?status=sent&amp;overdue=&amp;page=1"]
