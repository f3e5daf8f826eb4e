"""The demo screenings (demo/loaders/screenings.py): a realistic set at the Beloko flow
monitoring point and the Kourémalé border post, loaded once however often seed_demo runs."""

from __future__ import annotations

from django.utils import timezone

from demo.loaders import cases as cases_demo
from demo.loaders import reference
from demo.loaders import screenings as screenings_demo
from screening.models import Screening, StatusDecision
from traffick_cm.codebooks import TraffickingStatus as T


def test_the_demo_screenings_load_once_with_decisions_and_one_case(db):
    reference.load()
    cases_demo.load(today=timezone.localdate())

    created = screenings_demo.load(today=timezone.localdate())
    again = screenings_demo.load(today=timezone.localdate())

    assert created == Screening.objects.count() >= 24
    assert again == 0
    places = set(Screening.objects.values_list("identified_locality", "identified_country"))
    assert places == {("Beloko", "CF"), ("Kourémalé", "GN")}
    assert Screening.objects.filter(case__isnull=False).count() == 1
    anonymous_negatives = [
        s for s in Screening.objects.filter(suggested_status=T.NOT_A_VICTIM) if s.anonymous
    ]
    assert len(anonymous_negatives) >= 8
    assert Screening.objects.exclude(status="").count() >= 15
    assert Screening.objects.filter(status="").exists()
    against = [d for d in StatusDecision.objects.all() if d.against_suggestion]
    assert len(against) == 1 and against[0].reason_against_suggestion
