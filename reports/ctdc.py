"""The anonymised case-level dataset in the layout of the Counter Trafficking Data
Collaborative (CTDC), k-anonymous over all released columns.

k-anonymity: every combination of the released values describes at least k people
(k = 11, as CTDC publishes, and never less: `export` refuses a smaller k, whoever calls
it). Records in combinations smaller than k lose, group by group, the values that identify
most (first the means of control, then the types of labour, the recruiter relation,
citizenship, country of exploitation, age band, year...): a blanked value reads as unknown.
A record still alone after every group is blanked is left out. The result is checked
before it is written.

Releases: one per calendar year of registration, made once the year has ended and kept
(reports/services/ctdc.py, the CtdcRelease model). Disjoint years cannot be intersected; two
files of the same year made at different k, or on different days, could be set side by side
to single people out, so a year is never made twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Min, OuterRef, Subquery
from django.utils.translation import gettext as _

from cases.models import Case, TraffickingEvent
from traffick_cm import codebooks as cv
from traffick_cm.tables import csv_writer

# CTDC's threshold; a smaller k is refused on the server (form, command, this module).
MIN_K = 11

LABOUR = [
    ("typeOfLabourAgriculture", {"A_AgricultureForestryAndFishing"}),
    ("typeOfLabourConstruction", {"F_Construction"}),
    ("typeOfLabourDomesticWork", {"T_ActivitiesOfHouseholdsAsEmployers"}),
    ("typeOfLabourHospitality", {"I_AccommodationAndFoodServiceActivities"}),
    ("typeOfLabourManufacturing", {"C_Manufacturing"}),
    ("typeOfLabourMiningOrDrilling", {"B_MiningAndQuarrying"}),
]
LABOUR_OTHER = "typeOfLabourOther"
MEANS = [
    ("meansOfControlDebtBondage", "DebtBondage"),
    ("meansOfControlTakesEarnings", "TakesEarnings"),
    ("meansOfControlRestrictsFinancialAccess", "RestrictsFinancialAccess"),
    ("meansOfControlThreats", "PhysicalThreats"),
    ("meansOfControlThreatOfLawEnforcement", "ThreatsLawEnforcement"),
    ("meansOfControlThreatsToFamily", "ThreatensChildrenFamily"),
    ("meansOfControlPhysicalAbuse", "PhysicalAbuse"),
    ("meansOfControlSexualAbuse", "SexualAbuse"),
    ("meansOfControlPsychologicalAbuse", "PsychologicalAbuse"),
    ("meansOfControlFalsePromises", "FalsePromises"),
    ("meansOfControlPsychoactiveSubstances", "PsychoactiveSubstance"),
    ("meansOfControlRestrictsMedicalCare", "RestrictsMedicalCare"),
    ("meansOfControlExcessiveWorkingHours", "ExcessiveWorkingHours"),
    ("meansOfControlWithholdsNecessities", "WithholdsNecessities"),
    ("meansOfControlWithholdsDocuments", "WithholdsDocuments"),
    ("meansOfControlOther", "Other"),
]
RECRUITER = {
    "Familial": "recruiterRelationFamily",
    "Acquainted": "recruiterRelationFriend",
    "Unaquainted": "recruiterRelationOther",
}
RECRUITER_COLUMNS = [
    "recruiterRelationFamily",
    "recruiterRelationFriend",
    "recruiterRelationOther",
    "recruiterRelationUnknown",
]
COLUMNS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    *[name for name, _codes in LABOUR],
    LABOUR_OTHER,
    *[name for name, _code in MEANS],
    *RECRUITER_COLUMNS,
]
# A record is a tuple of compact fields; these indexes name them.
YEAR, GENDER, AGE, MAJORITY, CITIZENSHIP, COUNTRY, EXPLOIT, LABOUR_I, MEANS_I, RECRUITER_I = range(
    10
)
BLANK = None
# Which fields lose their value first when a record is in too small a group.
SUPPRESSION_ORDER = [
    [MEANS_I],
    [LABOUR_I],
    [RECRUITER_I],
    [CITIZENSHIP],
    [COUNTRY],
    [AGE],
    [YEAR],
    [MAJORITY],
    [EXPLOIT],
    [GENDER],
]
GENDER_CODES = {cv.Sex.FEMALE: "Female", cv.Sex.MALE: "Male"}
OTHER_EXPLOITATION = set(cv.ExploitationType.values) - {
    "ForcedLabour",
    "SexualExploitation",
    "ChildLabour",
}


def _labour_mask(industry: str) -> int:
    if not industry:
        return 0
    for bit, (_name, codes) in enumerate(LABOUR):
        if industry in codes:
            return 1 << bit
    return 1 << len(LABOUR)  # other


def _means_mask(methods: list[str]) -> int:
    mask = 0
    for bit, (_name, code) in enumerate(MEANS):
        if code in methods:
            mask |= 1 << bit
    return mask


def _exploitation(types: list[str]) -> int:
    forced = "ForcedLabour" in types or "ChildLabour" in types
    sexual = "SexualExploitation" in types
    other = bool(OTHER_EXPLOITATION.intersection(types))
    return forced | (sexual << 1) | (other << 2)


def records(year: int | None = None) -> Iterator[tuple]:
    """One compact record per identified victim (registered in `year`), read in chunks."""
    first_exploitation = (
        TraffickingEvent.objects.filter(case=OuterRef("pk"), type="Exploitation")
        .order_by("date", "pk")
        .values("country")[:1]
    )
    qs = (
        Case.objects.filter(
            trafficking_status__in=[cv.TraffickingStatus.POSSIBLE, cv.TraffickingStatus.ACTUAL]
        )
        .annotate(exploitation_country=Subquery(first_exploitation))
        .filter(**({"registered_on__year": year} if year is not None else {}))
        .values_list(
            "registered_on",
            "sex",
            "age_at_identification",
            "citizenships",
            "exploitation_country",
            "identified_country",
            "exploitation_types",
            "labour_industry",
            "methods_of_control",
            "relationship_to_trafficker",
        )
        .order_by("pk")
    )
    for (
        registered,
        sex,
        age,
        citizenships,
        exploitation_country,
        identified_country,
        types,
        industry,
        methods,
        relation,
    ) in qs.iterator(chunk_size=5000):
        yield (
            registered.year,
            GENDER_CODES.get(sex, BLANK),
            cv.age_group(age) or BLANK,
            BLANK if age is None else ("Minor" if age < 18 else "Adult"),
            citizenships[0] if citizenships else BLANK,
            exploitation_country or str(identified_country) or BLANK,
            _exploitation(types),
            _labour_mask(industry),
            _means_mask(methods),
            relation or "",  # "" is "not recorded" (released as Unknown); BLANK is suppressed
        )


def anonymise_counts(counts: Counter, k: int) -> tuple[Counter, int]:
    """The same on counts of combinations (memory grows with the distinct combinations, not
    with the records): returns the combinations kept with their counts, and how many records
    were left out."""
    counts = Counter(counts)
    for group in SUPPRESSION_ORDER:
        small = [combo for combo, n in counts.items() if n < k]
        if not small:
            break
        for combo in small:
            n = counts.pop(combo)
            counts[_blank(combo, group)] += n
    left_out = sum(n for n in counts.values() if n < k)
    return Counter({combo: n for combo, n in counts.items() if n >= k}), left_out


def anonymise(rows: Iterable[tuple], k: int) -> tuple[list[tuple], int]:
    """Blank values of records in groups smaller than k, then leave out what is still alone.
    Returns the records kept and how many were left out."""
    kept, left_out = anonymise_counts(Counter(rows), k)
    return [combo for combo, n in kept.items() for _copy in range(n)], left_out


def _blank(row: tuple, fields: list[int]) -> tuple:
    values = list(row)
    for index in fields:
        values[index] = BLANK
    return tuple(values)


def is_k_anonymous(rows: Iterable[tuple], k: int) -> bool:
    return all(n >= k for n in Counter(rows).values())


def _flag(mask: int | None, bit: int) -> str:
    if mask is None:
        return ""
    return "1" if mask & (1 << bit) else "0"


def expand(row: tuple) -> list[str]:
    """The CSV cells of a compact record; a blanked value is an empty cell."""
    exploit, labour, means, relation = row[EXPLOIT], row[LABOUR_I], row[MEANS_I], row[RECRUITER_I]
    cells = [
        "" if row[YEAR] is None else str(row[YEAR]),
        row[GENDER] or "",
        row[AGE] or "",
        row[MAJORITY] or "",
        row[CITIZENSHIP] or "",
        row[COUNTRY] or "",
        _flag(exploit, 0),
        _flag(exploit, 1),
        _flag(exploit, 2),
    ]
    cells += [_flag(labour, bit) for bit in range(len(LABOUR) + 1)]
    cells += [_flag(means, bit) for bit in range(len(MEANS))]
    if relation is BLANK:
        cells += [""] * len(RECRUITER_COLUMNS)
    else:
        chosen = RECRUITER.get(relation, "recruiterRelationUnknown")
        cells += ["1" if column == chosen else "0" for column in RECRUITER_COLUMNS]
    return cells


def check_k(k: Any) -> int:
    """k as an integer of MIN_K or more, or ValidationError."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValidationError(
            _("k must be a whole number of %(minimum)s or more (CTDC publishes with k = 11).")
            % {"minimum": MIN_K},
            code="k_too_small",
        )
    return k


def export(output: IO[str], *, k: int, year: int | None = None) -> dict[str, int]:
    """Write the k-anonymous CSV of the victims registered in `year` (all years: None)."""
    check_k(k)
    kept, left_out = anonymise_counts(Counter(records(year)), k)
    # The guarantee, checked on the released cells, not assumed.
    released: Counter = Counter()
    for combo, n in kept.items():
        released[tuple(expand(combo))] += n
    if not all(n >= k for n in released.values()):
        raise AssertionError("CTDC export is not k-anonymous")
    writer = csv_writer(output)
    writer.writerow(COLUMNS)
    # Grouped by combination: the order of the file says nothing about registration order.
    for cells, n in sorted(released.items()):
        for _copy in range(n):
            writer.writerow(cells)
    return {"records": sum(released.values()), "left_out": left_out, "k": k}


def first_year() -> int | None:
    """The first year a victim was registered, for the choice of years."""
    first = Case.objects.filter(
        trafficking_status__in=[cv.TraffickingStatus.POSSIBLE, cv.TraffickingStatus.ACTUAL]
    ).aggregate(first=Min("registered_on"))["first"]
    return first.year if first else None
