""" "Safe accommodation" was a near-duplicate of shelter: one service type now. The demo data
names it no more, and the migrations move what existing deployments stored under the old
code (the directory, the pathways, needs, plans, services delivered, referrals and the
needs listed in their encrypted packets, the indicators counting it) to shelter."""

from __future__ import annotations

import importlib
import json
from datetime import date

from django.apps import apps

from accounts.roles import Role
from cases.models import Assessment, ServiceDelivery, SupportPlan
from demo.data import organisations
from partners.models import Organisation, PathwayStep
from referrals.models import Referral
from reports.models import ActionPlan, Indicator
from tests import factories
from traffick_cm.codebooks import ServiceType


def _merge(app: str, migration: str) -> None:
    module = importlib.import_module(f"{app}.migrations.{migration}")
    module.merge(apps, None)


def test_there_is_one_shelter_service_type():
    assert "accommodation" not in ServiceType.values
    assert [label for code, label in ServiceType.choices if "shelter" in str(label).lower()] == [
        "Shelter and safe accommodation"
    ]


def test_the_demo_data_names_no_retired_service():
    named = [s for entry in organisations.DIRECTORY.values() for s in entry["services"]]
    named += [row["service"] for row in organisations.PATHWAYS]

    assert set(named) <= set(ServiceType.values)
    assert organisations.DIRECTORY["MAE"]["services"] == ["shelter", "mhpss"]


def test_the_directory_and_pathways_move_to_shelter_without_duplicates(db):
    both = factories.organisation(services=["shelter", "accommodation", "mhpss"])
    only_old = factories.organisation(services=["accommodation"])
    untouched = factories.organisation(services=["medical"])
    bangui = factories.region("CF", "Bangui")
    for service in ("shelter", "accommodation"):
        PathwayStep.objects.create(service_type=service, country="CF", region=bangui, partner=both)
    PathwayStep.objects.create(service_type="accommodation", country="CF", partner=only_old)

    _merge("partners", "0006_merge_accommodation_into_shelter")

    assert Organisation.objects.get(pk=both.pk).services == ["shelter", "mhpss"]
    assert Organisation.objects.get(pk=only_old.pk).services == ["shelter"]
    assert Organisation.objects.get(pk=untouched.pk).services == ["medical"]
    steps = PathwayStep.objects.order_by("partner_id")
    assert [(s.partner_id, s.service_type, s.region_id) for s in steps] == [
        (both.pk, "shelter", bangui.pk),
        (only_old.pk, "shelter", None),
    ]


def test_case_records_move_to_shelter(users):
    caseworker = users[Role.CASEWORKER]
    case = factories.case(caseworker=caseworker)
    assessment = Assessment.objects.create(
        case=case,
        assessed_on=case.identified_on,
        assessed_by=caseworker,
        needs=["accommodation", "medical", "shelter"],
        risk_level="low",
    )
    plan = SupportPlan.objects.create(
        case=case,
        type="Health",
        objectives="Recover",
        planned_services=["accommodation"],
        created_by=caseworker,
    )
    delivery = ServiceDelivery.objects.create(
        case=case,
        service_type="accommodation",
        delivered_on=case.identified_on,
        provider=case.organisation,
    )

    _merge("cases", "0006_merge_accommodation_into_shelter")

    assert Assessment.objects.get(pk=assessment.pk).needs == ["shelter", "medical"]
    assert SupportPlan.objects.get(pk=plan.pk).planned_services == ["shelter"]
    assert ServiceDelivery.objects.get(pk=delivery.pk).service_type == "shelter"


def test_referrals_and_their_shared_needs_move_to_shelter(users):
    caseworker = users[Role.CASEWORKER]
    case = factories.case(caseworker=caseworker)
    fields = {
        "case": case,
        "from_organisation": case.organisation,
        "external_organisation": "Barreau de Bangui",
        "reason": "Safe place",
        "destination_country": "CF",
        "created_by": caseworker,
    }
    old = Referral.objects.create(
        service_type="accommodation",
        packet=json.dumps({"case_number": "X", "needs": ["accommodation", "shelter", "legal"]}),
        **fields,
    )
    other = Referral.objects.create(
        service_type="legal", packet=json.dumps({"needs": ["legal"]}), **fields
    )

    _merge("referrals", "0005_merge_accommodation_into_shelter")

    old.refresh_from_db()
    other.refresh_from_db()
    assert old.service_type == "shelter"
    assert json.loads(old.packet) == {"case_number": "X", "needs": ["shelter", "legal"]}
    assert json.loads(other.packet) == {"needs": ["legal"]}


def test_an_indicator_counting_the_old_service_counts_shelter(db):
    plan = ActionPlan.objects.create(
        code="NAP-CF",
        country="CF",
        title="National action plan",
        period_start=date(2020, 3, 13),
        period_end=date(2025, 12, 31),
    )
    counting = {"plan": plan, "target": 10, "computation": "services_delivered"}
    old = Indicator.objects.create(code="P1", name="Shelter", parameter="accommodation", **counting)
    manual = Indicator.objects.create(
        code="P2", name="Other", plan=plan, target=1, parameter="accommodation"
    )

    _merge("reports", "0005_merge_accommodation_into_shelter")

    assert Indicator.objects.get(pk=old.pk).parameter == "shelter"
    # A parameter means a service code only for an indicator counting services.
    assert Indicator.objects.get(pk=manual.pk).parameter == "accommodation"
