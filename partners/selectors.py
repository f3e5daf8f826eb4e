from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, scope
from partners.models import Organisation


def organisation_list(
    *, actor: User, q: str = "", country: str = "", type: str = ""
) -> QuerySet[Organisation]:
    qs = scope(actor, "organisation", Action.LIST, Organisation.objects.all())
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(acronym__icontains=q))
    if country:
        qs = qs.filter(country=country)
    if type:
        qs = qs.filter(type=type)
    return qs.annotate(region_count=Count("regions")).order_by("-is_active", "name")
