"""The codebooks the apps share: the case file's vocabularies (statuses, HTCDS picklists),
service types and languages. Where HTCDS v2.0 has a picklist we use its value names as codes
(so imports and exports line up with the codebook); labels are translated.

They sit in the core layer, below every app, because the partner directory, cases,
referrals, reports and the imports all speak them (README, Architecture). Vocabularies of
one app only stay in that app (trainings/vocabularies.py).

`VOCABULARIES` names every vocabulary the `labels` template filter can show: these, and
those an app registers with `register()` (trainings, referrals)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SCREENING = "screening", _("Screening")
    OPEN = "open", _("Open")
    ASSISTANCE = "assistance", _("Assistance")
    REINTEGRATION = "reintegration", _("Reintegration and follow-up")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    NOT_A_VICTIM = "not_a_victim", _("Closed: not a victim of trafficking")
    TRANSFERRED = "transferred", _("Closed: transferred")


TERMINAL_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.NOT_A_VICTIM, CaseStatus.TRANSFERRED})

# HTCDS cas_Status for each of our statuses, for exports.
HTCDS_CASE_STATUS = {
    CaseStatus.SCREENING: "Active",
    CaseStatus.OPEN: "Active",
    CaseStatus.ASSISTANCE: "Active",
    CaseStatus.REINTEGRATION: "Active",
    CaseStatus.FOLLOW_UP: "FollowUp",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.NOT_A_VICTIM: "Closed",
    CaseStatus.TRANSFERRED: "ClosedReferred",
}


class TraffickingStatus(models.TextChoices):
    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class StatusDecisionMaker(models.TextChoices):
    POLICE = "Police", _("Police")
    NGO = "NGO", _("NGO")
    COURT = "CourtOrProsecution", _("Court or prosecution")
    GOVERNMENT = "NonPoliceGovernmentalOrganization", _("Non-police governmental organisation")
    OTHER = "Other", _("Other")


class IdentificationMethod(models.TextChoices):
    SELF = "self", _("Self-identified")
    HOTLINE = "hotline", _("Hotline")
    POLICE = "police_gendarmerie", _("Police or gendarmerie")
    COMMUNITY_LEADER = "community_leader", _("Community leader")
    NGO = "ngo", _("NGO")
    FLOW_MONITORING = "flow_monitoring_point", _("Flow monitoring point")
    HEALTH = "health_facility", _("Health facility")
    OTHER_ORGANISATION = "other_organisation", _("Other organisation")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or not stated")


class Gender(models.TextChoices):
    FEMININE = "Feminine", _("Feminine")
    MASCULINE = "Masculine", _("Masculine")
    TRANS_FEMININE = "TransgenderFeminine", _("Transgender feminine")
    TRANS_MASCULINE = "TransgenderMasculine", _("Transgender masculine")
    NON_CONFORMING = "NonConforming", _("Non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified or unknown")


class MaritalStatus(models.TextChoices):
    SINGLE = "Single", _("Single")
    MARRIED = "Married", _("Married")
    WIDOWED = "Widowed", _("Widowed")
    DIVORCED = "Divorced", _("Divorced")
    SEPARATED = "Separated", _("Separated")
    PARTNERSHIP = "RegisteredPartnership", _("Registered partnership")


class Education(models.TextChoices):
    EARLY = "EarlyChildhoodEducation", _("Early childhood education")
    PRIMARY = "PrimaryEducation", _("Primary education")
    LOWER_SECONDARY = "LowerSecondaryEducation", _("Lower secondary education")
    UPPER_SECONDARY = "UpperSecondaryEducation", _("Upper secondary education")
    POST_SECONDARY = "PostSecondaryNonTertiaryEducation", _("Post-secondary non-tertiary")
    SHORT_TERTIARY = "ShortCycleTertiaryEducation", _("Short-cycle tertiary education")
    BACHELOR = "BachelorsOrEquivalentLevel", _("Bachelor's or equivalent")
    MASTER = "MastersOrEquivalentLevel", _("Master's or equivalent")
    DOCTORATE = "DoctoralOrEquivalentLevel", _("Doctoral or equivalent")


class DisplacementStatus(models.TextChoices):
    IDP = "idp", _("Internally displaced person")
    REFUGEE = "refugee", _("Refugee")
    MIGRANT = "migrant", _("Migrant")
    RETURNEE = "returnee", _("Returnee")
    HOST = "host_community", _("Host community")


class ExploitationType(models.TextChoices):
    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military (by non-state actors)")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other (e.g. forced criminality)")


class LabourIndustry(models.TextChoices):
    A = "A_AgricultureForestryAndFishing", _("Agriculture, forestry and fishing")
    B = "B_MiningAndQuarrying", _("Mining and quarrying")
    C = "C_Manufacturing", _("Manufacturing")
    D = "D_ElectricityGasSteamAndAirConditioningSupply", _("Electricity and gas supply")
    E = "E_WaterSupplySewerageWasteManagement", _("Water supply and waste management")
    F = "F_Construction", _("Construction")
    G = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", _("Wholesale and retail trade")
    H = "H_TransportationAndStorage", _("Transportation and storage")
    I = "I_AccommodationAndFoodServiceActivities", _("Accommodation and food services")  # noqa: E741
    J = "J_InformationAndCommunication", _("Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("Financial and insurance activities")
    L = "L_RealEstateActivities", _("Real estate activities")
    M = "M_ProfessionalScientificAndTechnicalActivities", _("Professional and technical activities")
    N = "N_AdministrativeAndSupportServiceActivities", _("Administrative and support services")
    O = "O_PublicAdministrationAndDefence", _("Public administration and defence")  # noqa: E741
    P = "P_Education", _("Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Human health and social work")
    R = "R_ArtsEntertainmentAndRecreation", _("Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("Other service activities")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _("Households as employers (domestic work)")
    U = "U_ActivitiesOfExtraterritorialOrganizations", _("Extraterritorial organisations")


class SexExploitationType(models.TextChoices):
    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE = "PrivateSexualServices", _("Private sexual services")


class MethodOfControl(models.TextChoices):
    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW = "ThreatsLawEnforcement", _("Threats of law enforcement")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threatens children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCES = "RestrictsFinancialAccess", _("Restricts financial access")
    RESTRICTS_MEDICAL = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL = "PsychologicalAbuse", _("Psychological abuse")
    SUBSTANCES = "PsychoactiveSubstance", _("Psychoactive substances")
    EXCESSIVE_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class RecruitmentMethod(models.TextChoices):
    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATION = "AtAnEducationalInstitution", _("At an educational institution")
    WORK = "AtWork", _("At work")
    SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_AD = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TV_AD = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_AD = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class RelationshipToTrafficker(models.TextChoices):
    FAMILIAL = "Familial", _("Family member")
    ACQUAINTED = "Acquainted", _("Acquaintance")
    UNACQUAINTED = "Unaquainted", _("Unknown to the person")  # HTCDS spelling


class EventType(models.TextChoices):
    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


class ServiceType(models.TextChoices):
    """The services a victim may need (DOMAIN.md); referrals and the partner directory
    use the same codes. "Safe accommodation" (`accommodation`) was a near-duplicate of
    shelter: merged into it (the migrations named merge_accommodation_into_shelter map the
    old code wherever it was stored)."""

    SHELTER = "shelter", _("Shelter and safe accommodation")
    MEDICAL = "medical", _("Medical care")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    LEGAL = "legal", _("Legal assistance and accompaniment")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_TRACING = "family_tracing", _("Family tracing and reunification")
    CHILD_CARE = "child_protection", _("Best-interest procedures and alternative care")
    RETURN = "return", _("Assisted voluntary or humanitarian return")
    LIVELIHOOD = "livelihood", _("Reintegration: livelihood")
    EDUCATION = "education", _("Reintegration: education")
    CASH = "cash", _("Reintegration: cash assistance")
    INTERPRETATION = "interpretation", _("Interpretation")


class SupportPlanType(models.TextChoices):
    EDUCATION = "Education", _("Education")
    FINANCIAL = "Financial", _("Financial")
    HEALTH = "Health", _("Health")
    LABOUR_REHAB = "LabourExploitationRehabilitation", _("Labour exploitation rehabilitation")
    LEGAL = "Legal", _("Legal")
    LIVELIHOOD = "Livelihood", _("Livelihood")
    RIGHTS_TRAINING = "RightsBasedTraining", _("Rights-based training")
    SEXUAL_REHAB = "SexualExploitationRehabilitation", _("Sexual exploitation rehabilitation")
    SOCIAL_CARE = "SocialCare", _("Social care")


class ConsentScope(models.TextChoices):
    DATA_COLLECTION = "data_collection", _("Data collection")
    REFERRAL = "referral_sharing", _("Referral and sharing with partners")
    CONTACT = "contact", _("Being contacted")
    DOCUMENTS = "documents_photos", _("Documents and photos")


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("A parent or guardian")
    BID = "best_interest", _("Best-interest determination (child)")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")


class ClosureReason(models.TextChoices):
    COMPLETED = "ServicesCompleted", _("Support plan completed")
    REINTEGRATED = "Reintegrated", _("Reintegrated")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")
    TRANSFERRED = "TransferredToAnotherOrganisation", _("Transferred to another organisation")
    DECLINED = "DeclinedAssistance", _("The person declined further assistance")
    LOST_CONTACT = "LostContact", _("Contact lost")
    RELOCATED = "Relocated", _("Moved away")
    DECEASED = "Deceased", _("Deceased")
    OTHER = "Other", _("Other")


class DocumentKind(models.TextChoices):
    CONSENT_FORM = "consent_form", _("Consent form")
    IDENTITY = "identity", _("Identity papers")
    MEDICAL = "medical", _("Medical report")
    LEGAL = "legal", _("Legal document")
    OTHER = "other", _("Other")


class LegalStage(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint filed")
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    JUDGMENT = "judgment", _("Judgment")
    CLOSED = "closed", _("Closed without judgment")


class LegalOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTION = "conviction", _("Conviction")
    ACQUITTAL = "acquittal", _("Acquittal")
    DISMISSED = "dismissed", _("Dismissed")


class LegalRole(models.TextChoices):
    WITNESS = "witness", _("Witness")
    CIVIL_PARTY = "civil_party", _("Civil party")
    COMPLAINANT = "complainant", _("Complainant")
    NONE = "none", _("No formal role")


AGE_GROUPS = [
    # (code, label, min age, max age) - CTDC's ageBroad bands
    ("0-8", "0–8", 0, 8),
    ("9-17", "9–17", 9, 17),
    ("18-20", "18–20", 18, 20),
    ("21-23", "21–23", 21, 23),
    ("24-26", "24–26", 24, 26),
    ("27-29", "27–29", 27, 29),
    ("30-38", "30–38", 30, 38),
    ("39-47", "39–47", 39, 47),
    ("48+", "48+", 48, 200),
]


def age_group(age: int | None) -> str:
    if age is None:
        return ""
    for code, _label, low, high in AGE_GROUPS:
        if low <= age <= high:
            return code
    return ""


class Language(models.TextChoices):
    """ISO 639-2 codes of the languages most heard in the region's case work."""

    FRENCH = "fra", _("French")
    ENGLISH = "eng", _("English")
    ARABIC = "ara", _("Arabic")
    SANGO = "sag", _("Sango")
    HAUSA = "hau", _("Hausa")
    FULA = "ful", _("Fula (Pular, Fulfulde)")
    BAMBARA = "bam", _("Bambara")
    MANDINKA = "man", _("Mandinka (Malinké)")
    SUSU = "sus", _("Susu")
    WOLOF = "wol", _("Wolof")
    YORUBA = "yor", _("Yoruba")
    IGBO = "ibo", _("Igbo")
    EDO = "bin", _("Edo (Bini)")
    KANURI = "kau", _("Kanuri")
    SONGHAY = "son", _("Songhay")
    TAMASHEQ = "tmh", _("Tamasheq")
    LINGALA = "lin", _("Lingala")
    PORTUGUESE = "por", _("Portuguese")
    OTHER = "mis", _("Other")


# The HTCDS v2.0 codebook's own English labels where ours say it differently (shorter, or
# in British spelling): the toolkit's spreadsheets use them in their picklists, so an import
# accepts them beside our labels. Labels that differ only in case or punctuation ("Follow
# up", "Threatens children/family") need no entry: imports compare letters only.
HTCDS_LABELS: dict[type[models.TextChoices], dict[str, str]] = {
    Gender: {Gender.UNKNOWN: "Not Specified/Unknown"},
    LabourIndustry: {
        LabourIndustry.D: "Electricity, gas, steam and air conditioning supply",
        LabourIndustry.E: "Water supply; sewerage, waste management and remediation",
        LabourIndustry.G: "Wholesale and retail trade; repair of motor vehicles and motorcycles",
        LabourIndustry.I: "Accommodation and food service activities",
        LabourIndustry.M: "Professional, scientific and technical activities",
        LabourIndustry.N: "Administrative and support service activities",
        LabourIndustry.O: "Public administration and defence; compulsory social security",
        LabourIndustry.Q: "Human health and social work activities",
        LabourIndustry.T: (
            "Activities of households as employers; undifferentiated goods- and services- "
            "producing activities of households for own use"
        ),
        LabourIndustry.U: "Activities of extraterritorial organizations and bodies",
    },
}


# The vocabularies the `labels` template filter knows, by name: every TextChoices of this
# module, and those apps register ("trainings.Audience").
VOCABULARIES: dict[str, type[models.TextChoices]] = {
    name: value
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, models.TextChoices)
}


def register(name: str, vocabulary: type[models.TextChoices]) -> None:
    VOCABULARIES[name] = vocabulary
