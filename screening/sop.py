"""Who may decide a screening's trafficking status: each country's standard operating
procedures (SOP) of its national referral mechanism.

By default the staff of the organisation that screened the person decide (a caseworker or a
supervisor: accounts/policy.py, kind "screening_decision"), whatever the status. Some
national SOPs keep the formal identification, the status "actual victim", for designated
authorities (a police unit, the national committee, a ministry's social services), while
the other front-line organisations record a presumed ("possible") victim and refer the
person. Such a country gets an entry in `SOPS` naming the organisation types that may decide
"actual"; a country without an entry keeps the default. Adding a country is a code change,
reviewed like the indicator catalogue, because it changes who may say that someone is a
victim of trafficking.

The deciding organisation's HTCDS type (vic_TraffickingStatusDecisionMakingOrg) is derived
from its type in the partner directory (`DECISION_MAKERS`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries

from partners.models import Organisation
from partners.models import OrganisationType as T
from traffick_cm.codebooks import StatusDecisionMaker, TraffickingStatus

DECISION_MAKERS: dict[str, StatusDecisionMaker] = {
    T.LAW_ENFORCEMENT: StatusDecisionMaker.POLICE,
    T.IMMIGRATION: StatusDecisionMaker.GOVERNMENT,
    T.CENTRAL_GOVERNMENT: StatusDecisionMaker.GOVERNMENT,
    T.LOCAL_GOVERNMENT: StatusDecisionMaker.GOVERNMENT,
    T.NATIONAL_COMMITTEE: StatusDecisionMaker.GOVERNMENT,
    T.NGO: StatusDecisionMaker.NGO,
    T.CSO: StatusDecisionMaker.NGO,
    T.SHELTER: StatusDecisionMaker.NGO,
    # IOM and the UN record their decisions as "NGO", as the HTCDS toolkit's examples do.
    T.IOM_MISSION: StatusDecisionMaker.NGO,
    T.UN_AGENCY: StatusDecisionMaker.NGO,
}


def decision_maker(organisation: Organisation) -> StatusDecisionMaker:
    return DECISION_MAKERS.get(organisation.type, StatusDecisionMaker.OTHER)


@dataclass(frozen=True)
class CountrySop:
    """A country's rule: the organisation types that may decide "actual victim"."""

    actual_by: frozenset[str]


# No country's SOP in this system reserves the status yet: add one when its SOP is adopted,
# e.g. "XX": CountrySop(actual_by=frozenset({T.LAW_ENFORCEMENT, T.NATIONAL_COMMITTEE})).
SOPS: dict[str, CountrySop] = {}


def check_decider(*, organisation: Organisation, country: str, status: str) -> None:
    """ValidationError when the country's SOP keeps this status for other organisations."""
    sop = SOPS.get(str(country))
    if sop is None or status != TraffickingStatus.ACTUAL:
        return
    if organisation.type in sop.actual_by:
        return
    allowed = ", ".join(sorted(str(T(code).label) for code in sop.actual_by))
    raise ValidationError(
        {
            "status": _(
                "In %(country)s the national referral mechanism reserves the status “actual "
                "victim” to: %(allowed)s. Record a possible victim and refer the person to them."
            )
            % {"country": countries.name(str(country)), "allowed": allowed}
        }
    )
