"""Case records in and out, in the HTCDS v2.0 layout: the codebook's prefixed field names
(prs_, vic_, cas_, con_) plus a few columns of ours that the codebook has no field for
(external_id, sex, identified_on, identified_country, identified_region). Multi-values are
separated by ";" (the toolkit's multi-select template writes "; ").

The toolkit's own spreadsheets import as they are: the case sheet of the workbook, its row
of labels under the field names, its numbered column without a name and its pre-numbered
empty rows skipped, its misspelt field name accepted (`COLUMN_ALIASES`), and picklist values
as value names or as labels (ours in English or French, or the codebook's).

Import is all or nothing: every row and column is validated first; one error and nothing
is written. A row is recognised on a later import by its external_id within the
organisation, or, in a file without one, by a keyed hash of the person's normalised names,
birth date and citizenships (`identity_key`), so importing a file again creates nothing
new. `con_Consent` is optional: a row without it imports with consent to data collection
not recorded; a row whose con_Consent is no is refused. A person importing (not an operator
at the command line) imports into their own organisation only; the cases are assigned to
nobody but the importer (when a caseworker) and to no project, so a file reaches no further
than the registration form.

Export goes through traffick_cm.tables, which neutralises formula injection."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import log_read
from accounts.models import User
from accounts.policy import Action, can
from cases.models import Case
from cases.services import bulk_import
from partners.models import Organisation, Region
from partners.selectors import organisation_choices
from traffick_cm import codebooks as v
from traffick_cm import crypto, tables
from traffick_cm.imports import (
    HEADER_ROW,
    MULTI,
    Cells,
    FirstRows,
    ImportReport,
    SheetReader,
    check_header,
    choice_lookup,
    folded,
    label_key,
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
REQUIRED_COLUMNS = ["prs_FirstName"]
# Field names as the HTCDS toolkit's v2.0 spreadsheets spell them, to the codebook's.
COLUMN_ALIASES = {
    "vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg",
}
# The codebook's labels of the fields whose label is not their name spelt as words: a
# template's row of labels under the field names is recognised by them.
FIELD_LABELS = {
    "vic_TraffickingStatusDecisionMakingOrg": "Trafficking Status Decision Making Organization",
    "prs_MailingLatitude": "Latitude",
    "prs_MailingLongitude": "Longitude",
    "prs_MailingPostalCode": "Mailing Zip/Postal Code",
    "prs_MailingState": "Mailing State/Province",
}

# Rows parsed between two reports of progress (a background import's page).
PROGRESS_EVERY = 500

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
    name), the organisations the registration form offers as the referrer, no others, and
    the case statuses (by `label_key`)."""

    organisation: Organisation
    country: str
    regions: dict[tuple[str, str], Region]
    referrers: dict[str, Organisation]
    statuses: dict[str, str]


def _references(organisation: Organisation) -> _References:
    referrers: dict[str, Organisation] = {}
    for org in organisation_choices():
        referrers[folded(org.name)] = org
        if org.acronym:
            referrers.setdefault(folded(org.acronym), org)
    return _References(
        organisation=organisation,
        country=organisation.country.code,
        regions={(r.country.code, folded(r.name)): r for r in Region.objects.all()},
        referrers=referrers,
        statuses=_status_lookup(),
    )


def _status_lookup() -> dict[str, str]:
    """cas_Status as the codebook's value names or labels ("Follow up", "Closed Referred"),
    or as our labels of the statuses they stand for, in any language of the app."""
    lookup = {label_key(name): status for name, status in HTCDS_TO_STATUS.items()}
    for key, code in choice_lookup(v.CaseStatus).items():
        if code in HTCDS_TO_STATUS.values():
            lookup.setdefault(key, code)
    return lookup


def _consent(cells: Cells) -> bool | None:
    """Consent to data collection: None when the file does not record it (no column, or an
    empty cell), which the case then shows as not recorded; a row that records a refusal is
    not imported."""
    consent = cells.flag("con_Consent")
    if consent is False:
        cells.error(
            "con_Consent",
            _(
                "The person refused consent to data collection (con_Consent is no): "
                "the record cannot be imported."
            ),
        )
    return consent


def _identity_key(
    cells: Cells, *, names: list[str], date_of_birth: date | None, citizenships: list[str]
) -> str:
    """What recognises a row without external_id when the file is imported again."""
    key = crypto.import_key(
        names=names,
        date_of_birth=date_of_birth.isoformat() if date_of_birth else "",
        citizenships=citizenships,
    )
    if key is None:
        cells.error(
            "prs_FirstName",
            _(
                "The name has no letters: without an external_id the row could not be "
                "recognised when the file is imported again."
            ),
        )
        return ""
    return key


def _parse_row(cells: Cells, refs: _References) -> dict[str, Any] | None:
    """The values of one row for the writer (`bulk_import`), or None when the row has an
    error.

    `consent` is True, or None when not recorded. `identity_key` is the keyed hash that
    recognises a row without external_id on a later import (empty when it has one)."""
    external_id = cells.text("external_id", max_length=100)
    first_name = cells.text("prs_FirstName", required=True)
    consent = _consent(cells)
    gender = cells.choice("prs_Gender", v.Gender)
    sex = cells.raw("sex")
    if sex and sex not in v.Sex.values:
        cells.error("sex", _("Use female, male or other."))
    sex = sex or GENDER_TO_SEX.get(gender, v.Sex.OTHER)
    country = cells.country("identified_country") or refs.country
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
    status = refs.statuses.get(label_key(cells.raw("cas_Status") or "Active"))
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
    citizenships = cells.countries("prs_Citizenship")
    middle_name = cells.text("prs_MiddleName")
    last_name = cells.text("prs_SecondName")
    date_of_birth = cells.date("prs_Birthdate", not_future=True)
    identity_key = ""
    if not external_id and first_name:
        identity_key = _identity_key(
            cells,
            names=[first_name, middle_name, last_name],
            date_of_birth=date_of_birth,
            citizenships=citizenships,
        )
    data = {
        "external_id": external_id,
        "identity_key": identity_key,
        "consent": consent,
        "status": status,
        "sex": sex,
        "citizenships": citizenships,
        "case_data": {
            "external_id": external_id,
            "identified_on": cells.date("identified_on", not_future=True) or cells.today,
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
            "middle_name": middle_name,
            "last_name": last_name,
            "date_of_birth": date_of_birth,
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


@dataclass
class _Checked:
    """What checking every row keeps for writing them: counts, not the rows."""

    rows: int = 0
    without_id: int = 0
    consent_not_recorded: int = 0


def _check_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    report: ImportReport,
    refs: _References,
    progress: Callable[[int], None] | None = None,
) -> _Checked:
    """Parse and check every row, one at a time, keeping only what the checks across rows
    need. An external_id repeated in the file is an error on the row that repeats it, and
    so is, among rows without one, the same person (same names, birth date and
    citizenships): the next import could not tell them apart. These errors follow those of
    the rows themselves."""
    checked = _Checked()
    external_ids, identities = FirstRows(), FirstRows()
    for number, values in rows:
        checked.rows += 1
        data = _parse_row(Cells(number, values, report), refs)
        # On what the cell holds, even when the row has an error of its own.
        if external_id := (values.get("external_id") or "").strip():
            external_ids.add(number, external_id)
        if data is not None:
            if data["identity_key"]:
                identities.add(number, data["identity_key"])
            checked.without_id += not data["external_id"]
            checked.consent_not_recorded += data["consent"] is None
        if progress is not None and checked.rows % PROGRESS_EVERY == 0:
            progress(checked.rows)
    if progress is not None and checked.rows % PROGRESS_EVERY:
        progress(checked.rows)
    external_ids.report(report, "external_id")
    identities.report(
        report,
        "prs_FirstName",
        _(
            "Same name, birth date and citizenship as row %(row)s: give each row an "
            "external_id so that the two can be told apart."
        ),
    )
    return checked


def _parsed_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    report: ImportReport,
    refs: _References,
    *,
    expected: int,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows parsed again for writing, one at a time: the rows `_check_rows` accepted
    (every row of the file). A row that fails now reports its error, which undoes the file;
    a file that no longer has the rows it had raises, which undoes it too."""
    count = 0
    for number, values in rows:
        count += 1
        if (data := _parse_row(Cells(number, values, report), refs)) is not None:
            yield number, data
    if count != expected:
        raise RuntimeError(f"The file had {expected} rows when checked and {count} when written.")


def _note(report: ImportReport, sheet: SheetReader, checked: _Checked) -> None:
    """What the importer should know of a valid file: rows skipped as labels, how rows
    without external_id will be recognised, and cases whose consent is not recorded."""
    if sheet.label_rows:
        report.note(
            ngettext(
                "Row %(rows)s holds the columns' labels: it was skipped.",
                "Rows %(rows)s hold the columns' labels: they were skipped.",
                len(sheet.label_rows),
            )
            % {"rows": ", ".join(str(number) for number in sheet.label_rows)}
        )
    without_id = checked.without_id
    if "external_id" not in sheet.header:
        report.note(
            _(
                "The file has no external_id column: each row will be recognised on a later "
                "import by a keyed hash of the person's names, birth date and citizenships, "
                "so importing the file again creates nothing new."
            )
        )
    elif without_id:
        report.note(
            ngettext(
                "%(count)s row has no external_id: it will be recognised on a later import by "
                "a keyed hash of the person's names, birth date and citizenships.",
                "%(count)s rows have no external_id: they will be recognised on a later import "
                "by a keyed hash of the person's names, birth date and citizenships.",
                without_id,
            )
            % {"count": without_id}
        )
    unrecorded = checked.consent_not_recorded
    if unrecorded:
        report.note(
            ngettext(
                "%(count)s row does not record consent to data collection: its case shows "
                "consent as not recorded and cannot be referred until consent is recorded.",
                "%(count)s rows do not record consent to data collection: their cases show "
                "consent as not recorded and cannot be referred until consent is recorded.",
                unrecorded,
            )
            % {"count": unrecorded}
        )


def _sheet(name: str, stream: IO[bytes], start: int) -> SheetReader:
    """The file read from its start (again: each pass over the rows reads it anew)."""
    stream.seek(start)
    return SheetReader(
        name,
        stream,
        columns=[*EXPORT_COLUMNS, *IGNORED_COLUMNS],
        aliases=COLUMN_ALIASES,
        labels=FIELD_LABELS,
    )


def import_cases(
    *,
    name: str,
    stream: IO[bytes],
    organisation: Organisation,
    actor: User | None,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """`progress(phase, done, total)` is told how far the import got: "checking" while the
    rows are parsed, "writing" after each batch written.

    The file is read twice, one row at a time, so that memory does not grow with it: every
    row is checked first, keeping only counts and the keys that recognise a repeated row;
    only then, if no row has an error, is it read again and written batch by batch, in one
    transaction (all rows or none). With `progress`, a first reading counts the rows."""
    if actor is not None:
        # A person imports into their own organisation, and only with the right to import:
        # the views check both, this is the rule itself.
        if not can(actor, "case_supervision", Action.CREATE):
            raise PermissionDenied
        if organisation is None or organisation.pk != actor.organisation_id:
            raise PermissionDenied
    report = ImportReport()
    if not stream.seekable():
        stream = io.BytesIO(stream.read())  # it is read twice
    start = stream.tell()
    sheet = _sheet(name, stream, start)
    check_header(
        sheet.header,
        report,
        required=REQUIRED_COLUMNS,
        known=EXPORT_COLUMNS,
        ignored=IGNORED_COLUMNS,
        unknown_message=_("Unknown column: not an HTCDS field name."),
    )
    if report.errors:
        report.rows = sum(1 for _row in sheet)
        return report
    total = 0
    if progress is not None:
        total = sum(1 for _row in sheet)
        sheet = _sheet(name, stream, start)
    refs = _references(organisation)
    checked = _check_rows(
        sheet,
        report,
        refs,
        progress=(lambda done: progress("checking", done, total)) if progress else None,
    )
    report.rows = checked.rows
    if not report.rows:
        report.error(HEADER_ROW, "", _("The file has no rows."))
        return report
    if report.ok:
        _note(report, sheet, checked)
    if report.ok and not dry_run:
        rows = _parsed_rows(_sheet(name, stream, start), report, refs, expected=checked.rows)
        _write(
            rows,
            report,
            organisation=organisation,
            actor=actor,
            progress=(lambda done: progress("writing", done, total)) if progress else None,
        )
    return report


def _write(
    rows: Iterable[tuple[int, dict[str, Any]]],
    report: ImportReport,
    *,
    organisation: Organisation,
    actor: User | None,
    progress: bulk_import.Progress | None = None,
) -> None:
    """Create the cases not imported before, all or none, in batches (bulk_import)."""
    bulk_import.write_cases(rows, report, organisation=organisation, actor=actor, progress=progress)


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
