"""Case records in and out, in the HTCDS v2.0 layout: the codebook's prefixed field names
(prs_, vic_, cas_, con_) plus a few columns of ours that the codebook has no field for
(external_id, sex, identified_on, identified_country, identified_region). Multi-values are
separated by ";".

Import is all or nothing: every row and column is validated first; one error and nothing
is written. Rows are matched on (organisation, external_id), so importing a file again
creates nothing new. A person importing (not an operator at the command line) imports into
their own organisation only; the cases are assigned to nobody but the importer (when a
caseworker) and to no project, so a file reaches no further than the registration form.

Export goes through traffick_cm.tables, which neutralises formula injection."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can
from cases.models import Case
from cases.services.case import _case_create
from partners.models import Organisation, Region
from partners.selectors import organisation_choices
from traffick_cm import codebooks as v
from traffick_cm import tables
from traffick_cm.forms import EARLIEST
from traffick_cm.tables import read_table

MULTI = ";"
# Our extension columns first, then the codebook's.
EXPORT_COLUMNS = [
    "external_id",
    "sex",
    "identified_on",
    "identified_country",
    "identified_region",
    "prs_FirstName",
    "prs_MiddleName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_MaritalStatus",
    "prs_NumberOfChildren",
    "prs_PrimaryLanguage",
    "prs_SecondaryLanguage",
    "prs_HighestLevelOfEducation",
    "prs_Citizenship",
    "prs_IdentityNumber",
    "prs_MobilePhone",
    "prs_MailingStreet",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_RelationshipToTrafficker",
    "vic_AgeWhenTrafficked",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "cas_Status",
    "cas_ReferringOrganisation",
    "con_Consent",
]
# Codebook fields we do not store: accepted in a file and ignored (the report says so).
IGNORED_COLUMNS = {
    "prs_Salutation",
    "prs_Deceased",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "prs_MailingCity",
    "prs_MailingCountry",
    "prs_MailingState",
    "prs_MailingPostalCode",
    "prs_MailingLongitude",
    "prs_MailingLatitude",
    "vic_AgreementToManagePersonalData",
    "vic_RecruitmentWebsitesAndApps",
    "vic_LocationOfRecruitment",
    "vic_LocationOfExploitation",
    "vic_ExploitationWebsitesAndApps",
    "vic_Vulnerabilities",
    "vic_DetailsOfVulnerabilities",
    "cas_ReasonForCaseClosure",
    "cas_CaseOwner",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral",
    "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails",
    "cco_CaseComment",
}
REQUIRED_COLUMNS = ["external_id", "prs_FirstName", "con_Consent"]

HTCDS_TO_STATUS = {
    "Active": v.CaseStatus.OPEN,
    "FollowUp": v.CaseStatus.FOLLOW_UP,
    "Closed": v.CaseStatus.CLOSED,
    "ClosedReferred": v.CaseStatus.TRANSFERRED,
}
GENDER_TO_SEX = {
    v.Gender.FEMININE: v.Sex.FEMALE,
    v.Gender.MASCULINE: v.Sex.MALE,
}
TRUE_WORDS = {"1", "true", "yes", "oui", "y", "x"}
FALSE_WORDS = {"0", "false", "no", "non", "n", ""}


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    already_imported: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Row:
    """Validates one row; collects errors against (row number, column)."""

    def __init__(
        self, number: int, values: dict[str, str], report: ImportReport, org: Organisation
    ):
        self.number, self.values, self.report, self.org = number, values, report, org

    def error(self, column: str, message: str) -> None:
        self.report.errors.append((self.number, column, message))

    def text(self, column: str, max_length: int = 200) -> str:
        value = self.values.get(column, "")
        if len(value) > max_length:
            self.error(column, _("Longer than %(n)s characters.") % {"n": max_length})
        return value[:max_length]

    def choice(self, column: str, choices: type, required: bool = False) -> str:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.error(column, _("A value is required."))
            return ""
        if value not in choices.values:
            self.error(
                column, _("“%(value)s” is not one of the codebook's values.") % {"value": value}
            )
            return ""
        return value

    def choices(self, column: str, choices: type) -> list[str]:
        items = [x.strip() for x in self.values.get(column, "").split(MULTI) if x.strip()]
        bad = [x for x in items if x not in choices.values]
        if bad:
            self.error(column, _("Not codebook values: %(values)s") % {"values": ", ".join(bad)})
        return [x for x in items if x in choices.values]

    def date(self, column: str, required: bool = False) -> date | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.error(column, _("A date is required."))
            return None
        try:
            parsed = date.fromisoformat(value[:10])
        except ValueError:
            self.error(column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
            return None
        if parsed > timezone.localdate():
            self.error(column, _("The date is in the future."))
        elif parsed < EARLIEST:
            self.error(column, _("The date is before %(year)s.") % {"year": EARLIEST.year})
        return parsed

    def number_(self, column: str, maximum: int) -> int | None:
        value = self.values.get(column, "")
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or int(value) > maximum:
            self.error(
                column,
                _("“%(value)s” is not a whole number from 0 to %(max)s.")
                % {"value": value, "max": maximum},
            )
            return None
        return int(value)

    def country_list(self, column: str) -> list[str]:
        items = [x.strip().upper() for x in self.values.get(column, "").split(MULTI) if x.strip()]
        bad = [x for x in items if x not in dict(countries)]
        if bad:
            self.error(
                column, _("Not ISO 3166 country codes: %(values)s") % {"values": ", ".join(bad)}
            )
        return [x for x in items if x in dict(countries)]

    def flag(self, column: str) -> bool | None:
        value = self.values.get(column, "").lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.error(column, _("Use yes or no."))
        return None


def _parse_row(
    row: _Row, regions: dict[tuple[str, str], Region], organisations: dict[str, Organisation]
) -> dict[str, Any] | None:
    errors_before = len(row.report.errors)
    external_id = row.text("external_id", 100)
    if not external_id:
        row.error("external_id", _("A value is required."))
    first_name = row.text("prs_FirstName")
    if not first_name:
        row.error("prs_FirstName", _("A value is required."))
    consent = row.flag("con_Consent")
    if consent is False:
        row.error(
            "con_Consent",
            _("No recorded consent to data collection: the record cannot be imported."),
        )
    gender = row.choice("prs_Gender", v.Gender)
    sex = row.values.get("sex", "")
    if sex and sex not in v.Sex.values:
        row.error("sex", _("Use female, male or other."))
    sex = sex or GENDER_TO_SEX.get(gender, v.Sex.OTHER)
    country = (row.values.get("identified_country") or row.org.country.code).upper()
    if country not in dict(countries):
        row.error("identified_country", _("Not an ISO 3166 country code."))
    region = None
    region_name = row.values.get("identified_region", "")
    if region_name:
        region = regions.get((country, region_name.casefold()))
        if region is None:
            row.error("identified_region", _("Unknown region for this country."))
    referring = None
    referring_name = row.values.get("cas_ReferringOrganisation", "")
    if referring_name:
        referring = organisations.get(referring_name.casefold())
        if referring is None:
            row.error("cas_ReferringOrganisation", _("Unknown organisation."))
    status_code = row.values.get("cas_Status", "") or "Active"
    status = HTCDS_TO_STATUS.get(status_code)
    if status is None:
        row.error("cas_Status", _("Use Active, FollowUp, Closed or ClosedReferred."))
    languages = []
    for column in ("prs_PrimaryLanguage", "prs_SecondaryLanguage"):
        code = row.values.get(column, "").lower()
        if code and code not in v.Language.values:
            row.error(column, _("Not an ISO 639-2 code we know."))
        elif code:
            languages.append(code)
    birthdate = row.date("prs_Birthdate")
    data = {
        "external_id": external_id,
        "status": status,
        "sex": sex,
        "citizenships": row.country_list("prs_Citizenship"),
        "case_data": {
            "external_id": external_id,
            "identified_on": row.date("identified_on") or timezone.localdate(),
            "identified_country": country,
            "identified_region": region,
            "identification_method": v.IdentificationMethod.OTHER_ORGANISATION
            if referring
            else v.IdentificationMethod.NGO,
            "referring_organisation": referring,
            "trafficking_status": row.choice("vic_TraffickingStatus", v.TraffickingStatus)
            or v.TraffickingStatus.POSSIBLE,
            "status_decided_by": row.choice(
                "vic_TraffickingStatusDecisionMakingOrg", v.StatusDecisionMaker
            ),
            "relationship_to_trafficker": row.choice(
                "vic_RelationshipToTrafficker", v.RelationshipToTrafficker
            ),
            "age_when_trafficked": row.number_("vic_AgeWhenTrafficked", 120),
            "recruitment_methods": row.choices("vic_MethodOfRecruitment", v.RecruitmentMethod),
            "methods_of_control": row.choices("vic_MethodsOfControl", v.MethodOfControl),
            "exploitation_types": row.choices("vic_TypeOfExploitation", v.ExploitationType),
            "labour_industry": row.choice("vic_ForcedLabourIndustry", v.LabourIndustry),
            "sex_exploitation_types": row.choices(
                "vic_TypeOfSexExploitation", v.SexExploitationType
            ),
        },
        "person_data": {
            "first_name": first_name,
            "middle_name": row.text("prs_MiddleName"),
            "last_name": row.text("prs_SecondName"),
            "date_of_birth": birthdate,
            "gender": gender,
            "marital_status": row.choice("prs_MaritalStatus", v.MaritalStatus),
            "number_of_children": row.number_("prs_NumberOfChildren", 30),
            "languages": languages,
            "education": row.choice("prs_HighestLevelOfEducation", v.Education),
            "identity_documents": row.text("prs_IdentityNumber", 100),
            "phone": row.text("prs_MobilePhone", 40),
            "address": row.text("prs_MailingStreet", 300),
        },
    }
    return data if len(row.report.errors) == errors_before else None


def import_cases(
    *,
    name: str,
    stream: IO[bytes],
    organisation: Organisation,
    actor: User | None,
    dry_run: bool = False,
) -> ImportReport:
    if actor is not None:
        # A person imports into their own organisation, and only with the right to import:
        # the views check both, this is the rule itself.
        if not can(actor, "case_supervision", Action.CREATE):
            raise PermissionDenied
        if organisation is None or organisation.pk != actor.organisation_id:
            raise PermissionDenied
    report = ImportReport()
    header, rows = read_table(name, stream)
    known = set(EXPORT_COLUMNS) | IGNORED_COLUMNS
    for column in REQUIRED_COLUMNS:
        if column not in header:
            report.errors.append((1, column, _("This required column is missing.")))
    for column in header:
        if column and column not in known:
            report.errors.append((1, column, _("Unknown column: not an HTCDS field name.")))
    report.ignored_columns = [c for c in header if c in IGNORED_COLUMNS]
    report.rows = len(rows)
    if report.errors:
        return report
    if not rows:
        report.errors.append((1, "", _("The file has no rows.")))
        return report
    regions = {(r.country.code, r.name.casefold()): r for r in Region.objects.all()}
    # The organisations the registration form offers as the referrer, no others.
    organisations = {}
    for org in organisation_choices():
        organisations[org.name.casefold()] = org
        if org.acronym:
            organisations.setdefault(org.acronym.casefold(), org)
    parsed = []
    seen: dict[str, int] = {}
    for index, values in enumerate(rows, start=2):  # row 1 is the header
        row = _Row(index, values, report, organisation)
        data = _parse_row(row, regions, organisations)
        external_id = values.get("external_id", "")
        if external_id in seen:
            row.error(
                "external_id", _("Same external_id as row %(row)s.") % {"row": seen[external_id]}
            )
            data = None
        seen[external_id] = index
        if data is not None:
            parsed.append(data)
    if report.errors or dry_run:
        return report
    existing = set(
        Case.objects.filter(organisation=organisation, external_id__in=seen).values_list(
            "external_id", flat=True
        )
    )
    with transaction.atomic():
        for data in parsed:
            if data["external_id"] in existing:
                report.already_imported += 1
                continue
            case_data = data["case_data"]
            age = None
            if data["person_data"]["date_of_birth"]:
                dob = data["person_data"]["date_of_birth"]
                on = case_data["identified_on"]
                age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
            _case_create(
                actor=actor,
                organisation=organisation,
                case_data=case_data,
                person_data=data["person_data"],
                sex=data["sex"],
                citizenships=data["citizenships"],
                consent_given_by=v.ConsentGiver.GUARDIAN
                if age is not None and age < 18
                else v.ConsentGiver.PERSON,
                consent_method=v.ConsentMethod.WRITTEN,
                consent_given_on=case_data["identified_on"],
                caseworkers=[],
                status=data["status"],
                audit_data={"via": "import"},
            )
            report.created += 1
        log_action(
            "cases.import.completed",
            actor=actor,
            data={
                "organisation": organisation.pk,
                "rows": report.rows,
                "created": report.created,
                "already_imported": report.already_imported,
            },
        )
    return report


STATUS_TO_HTCDS = v.HTCDS_CASE_STATUS


def export_rows(cases: Iterable[Case]) -> Iterator[list[Any]]:
    """The header, then one row per case (cases with person and region selected). Dates and
    numbers stay typed (real dates in XLSX; ISO 8601 in CSV)."""
    yield EXPORT_COLUMNS
    for case in cases:
        person = case.person
        languages = list(person.languages)
        yield [
            case.case_number,
            case.sex,
            case.identified_on,
            str(case.identified_country),
            case.identified_region.name if case.identified_region else "",
            person.first_name,
            person.middle_name,
            person.last_name,
            person.date_of_birth,
            person.gender,
            person.marital_status,
            person.number_of_children,
            languages[0] if languages else "",
            languages[1] if len(languages) > 1 else "",
            person.education,
            MULTI.join(case.citizenships),
            person.identity_documents,
            person.phone,
            person.address,
            case.trafficking_status,
            case.status_decided_by,
            case.relationship_to_trafficker,
            case.age_when_trafficked,
            MULTI.join(case.recruitment_methods),
            MULTI.join(case.methods_of_control),
            MULTI.join(case.exploitation_types),
            case.labour_industry,
            MULTI.join(case.sex_exploitation_types),
            STATUS_TO_HTCDS[v.CaseStatus(case.status)],
            case.referring_organisation.name if case.referring_organisation else "",
            "true",
        ]


def export_cases(*, actor: User, cases: list[Case], fmt: str) -> tuple[bytes, str, str]:
    """The file (bytes, content type, extension); every exported case is audited."""
    fmt = "xlsx" if fmt == "xlsx" else "csv"
    content = tables.write_table(export_rows(cases), fmt, sheet="cases")
    for case in cases:
        log_action("cases.case.exported", actor=actor, target=case, data={"format": fmt})
    return content, tables.CONTENT_TYPES[fmt], fmt
