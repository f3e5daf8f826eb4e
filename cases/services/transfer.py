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
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action, log_read
from accounts.models import User
from accounts.policy import Action, can
from cases.models import Case
from cases.services import identity
from cases.services.case import _case_create
from partners.models import Organisation, Region
from partners.selectors import organisation_choices
from traffick_cm import codebooks as v
from traffick_cm import tables
from traffick_cm.imports import (
    HEADER_ROW,
    MULTI,
    Cells,
    ImportReport,
    Sheet,
    all_or_nothing,
    check_header,
    duplicate_keys,
    folded,
    read_sheet,
)

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


@dataclass(frozen=True)
class _References:
    """What a row may name, looked up once per file: the regions (by country and folded
    name) and the organisations the registration form offers as the referrer, no others."""

    organisation: Organisation
    regions: dict[tuple[str, str], Region]
    referrers: dict[str, Organisation]


def _references(organisation: Organisation) -> _References:
    referrers: dict[str, Organisation] = {}
    for org in organisation_choices():
        referrers[folded(org.name)] = org
        if org.acronym:
            referrers.setdefault(folded(org.acronym), org)
    return _References(
        organisation=organisation,
        regions={(r.country.code, folded(r.name)): r for r in Region.objects.all()},
        referrers=referrers,
    )


def _has_no_consent(cells: Cells) -> bool:
    """An empty cell or a "no" records no consent; a value that is neither yes nor no is
    reported as such by `Cells.flag`."""
    return cells.flag("con_Consent") is False or not cells.raw("con_Consent")


def _parse_row(cells: Cells, refs: _References) -> dict[str, Any] | None:
    """The values of one row for `_case_create`, or None when the row has an error."""
    external_id = cells.text("external_id", max_length=100, required=True)
    first_name = cells.text("prs_FirstName", required=True)
    if _has_no_consent(cells):
        cells.error(
            "con_Consent",
            _("No recorded consent to data collection: the record cannot be imported."),
        )
    gender = cells.choice("prs_Gender", v.Gender)
    sex = cells.raw("sex")
    if sex and sex not in v.Sex.values:
        cells.error("sex", _("Use female, male or other."))
    sex = sex or GENDER_TO_SEX.get(gender, v.Sex.OTHER)
    country = cells.country("identified_country") or refs.organisation.country.code
    region = None
    if region_name := cells.raw("identified_region"):
        region = refs.regions.get((country, folded(region_name)))
        if region is None:
            cells.error("identified_region", _("Unknown region for this country."))
    referring = None
    if referring_name := cells.raw("cas_ReferringOrganisation"):
        referring = refs.referrers.get(folded(referring_name))
        if referring is None:
            cells.error("cas_ReferringOrganisation", _("Unknown organisation."))
    status = HTCDS_TO_STATUS.get(cells.raw("cas_Status") or "Active")
    if status is None:
        cells.error("cas_Status", _("Use Active, FollowUp, Closed or ClosedReferred."))
    languages = [
        code
        for code in (
            cells.choice("prs_PrimaryLanguage", v.Language),
            cells.choice("prs_SecondaryLanguage", v.Language),
        )
        if code
    ]
    data = {
        "external_id": external_id,
        "status": status,
        "sex": sex,
        "citizenships": cells.countries("prs_Citizenship"),
        "case_data": {
            "external_id": external_id,
            "identified_on": cells.date("identified_on", not_future=True) or timezone.localdate(),
            "identified_country": country,
            "identified_region": region,
            "identification_method": v.IdentificationMethod.OTHER_ORGANISATION
            if referring
            else v.IdentificationMethod.NGO,
            "referring_organisation": referring,
            "trafficking_status": cells.choice("vic_TraffickingStatus", v.TraffickingStatus)
            or v.TraffickingStatus.POSSIBLE,
            "status_decided_by": cells.choice(
                "vic_TraffickingStatusDecisionMakingOrg", v.StatusDecisionMaker
            ),
            "relationship_to_trafficker": cells.choice(
                "vic_RelationshipToTrafficker", v.RelationshipToTrafficker
            ),
            "age_when_trafficked": cells.count("vic_AgeWhenTrafficked", maximum=120),
            "recruitment_methods": cells.choices("vic_MethodOfRecruitment", v.RecruitmentMethod),
            "methods_of_control": cells.choices("vic_MethodsOfControl", v.MethodOfControl),
            "exploitation_types": cells.choices("vic_TypeOfExploitation", v.ExploitationType),
            "labour_industry": cells.choice("vic_ForcedLabourIndustry", v.LabourIndustry),
            "sex_exploitation_types": cells.choices(
                "vic_TypeOfSexExploitation", v.SexExploitationType
            ),
        },
        "person_data": {
            "first_name": first_name,
            "middle_name": cells.text("prs_MiddleName"),
            "last_name": cells.text("prs_SecondName"),
            "date_of_birth": cells.date("prs_Birthdate", not_future=True),
            "gender": gender,
            "marital_status": cells.choice("prs_MaritalStatus", v.MaritalStatus),
            "number_of_children": cells.count("prs_NumberOfChildren", maximum=30),
            "languages": languages,
            "education": cells.choice("prs_HighestLevelOfEducation", v.Education),
            "identity_documents": cells.text("prs_IdentityNumber", max_length=100),
            "phone": cells.text("prs_MobilePhone", max_length=40),
            "address": cells.text("prs_MailingStreet", max_length=300),
        },
    }
    return data if cells.ok else None


def _parse_rows(sheet: Sheet, report: ImportReport, refs: _References) -> dict[int, dict]:
    """The rows without an error, by row number; an external_id repeated in the file is an
    error on the row that repeats it."""
    parsed = {}
    for number, values in sheet.rows:
        data = _parse_row(Cells(number, values, report), refs)
        if data is not None:
            parsed[number] = data
    keys = ((number, values.get("external_id", "")) for number, values in sheet.rows)
    first_rows = dict(duplicate_keys(keys, report, column="external_id"))
    return {number: data for number, data in parsed.items() if number in first_rows}


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
    sheet = read_sheet(name, stream)
    check_header(
        sheet.header,
        report,
        required=REQUIRED_COLUMNS,
        known=EXPORT_COLUMNS,
        ignored=IGNORED_COLUMNS,
        unknown_message=_("Unknown column: not an HTCDS field name."),
    )
    report.rows = len(sheet.rows)
    if report.errors:
        return report
    if not sheet.rows:
        report.error(HEADER_ROW, "", _("The file has no rows."))
        return report
    parsed = _parse_rows(sheet, report, _references(organisation))
    if report.ok and not dry_run:
        _write(parsed, report, organisation=organisation, actor=actor)
    return report


def _write(
    parsed: dict[int, dict], report: ImportReport, *, organisation: Organisation, actor: User | None
) -> None:
    """Create the cases not imported before (same organisation and external_id), all or
    none: a row the case service refuses undoes the file and is reported on its row."""
    existing = set(
        Case.objects.filter(
            organisation=organisation,
            external_id__in=[data["external_id"] for data in parsed.values()],
        ).values_list("external_id", flat=True)
    )
    with all_or_nothing(report):
        for number, data in parsed.items():
            if data["external_id"] in existing:
                report.already_imported += 1
                continue
            try:
                _create(data, organisation=organisation, actor=actor)
            except ValidationError as error:
                for column, messages in _messages_by_field(error):
                    for message in messages:
                        report.error(number, column, message)
            else:
                report.created += 1
        if report.ok:
            log_action(
                "cases.import.completed",
                actor=actor,
                data={"organisation": organisation.pk, **report.totals()},
            )


def _messages_by_field(error: ValidationError) -> Iterable[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return error.message_dict.items()
    return [("", error.messages)]


def _create(data: dict[str, Any], *, organisation: Organisation, actor: User | None) -> Case:
    """One imported case: consent to data collection recorded in writing on the day of
    identification, given by a guardian for a child."""
    case_data = data["case_data"]
    age = identity.age_on(
        date_of_birth=data["person_data"]["date_of_birth"],
        estimated_age=None,
        on=case_data["identified_on"],
    )
    return _case_create(
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
        log_read("cases.case.exported", actor=actor, target=case, data={"format": fmt})
    return content, tables.CONTENT_TYPES[fmt], fmt
