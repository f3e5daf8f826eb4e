"""The role x URL table: every URL pattern of the project, what each role gets.

tests/test_url_access.py checks it against the URL resolver (a pattern without a row fails,
so each new feature must state who may use its pages) and opens every row as every role;
the query-count guard and the security crawls walk the same rows with the records of the
`ctx` fixture (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.roles import Role
from tests import factories

ANON = "anonymous"
SUPER = "superuser"
EVERYONE = [*Role, SUPER]

C, S, P, PR, M, MI, A = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.PARTNER,
    Role.PROGRAMME,
    Role.MNE,
    Role.MINISTRY,
    Role.ADMIN,
)


def only(
    *allowed, ok: int = 200, refused: int = 403, anon: int = 302, superuser: bool = True
) -> dict[str, int]:
    """Expected statuses: `ok` for the allowed roles (and superusers, unless the page is
    case-level), `refused` for the rest."""
    table = {str(role): (ok if role in allowed else refused) for role in Role}
    table[SUPER] = ok if superuser else refused
    table[ANON] = anon
    return table


def case_level(*allowed, ok: int = 200) -> dict[str, int]:
    """Case-level pages: only the named roles; a superuser's status gives no access."""
    return only(*allowed, ok=ok, superuser=False)


def every(status: int, anon: int | None = None) -> dict[str, int]:
    table = {str(role): status for role in Role}
    table[SUPER] = status
    table[ANON] = status if anon is None else anon
    return table


@dataclass
class Row:
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    method: str = "get"
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] = field(default_factory=dict)


STAFF = [C, S, PR, M, MI, A]


def _webhook(ctx):
    return {"pk": ctx["webhook"].pk}


def _case(ctx):
    return {"pk": ctx["case"].pk}


def _screening(ctx):
    return {"pk": ctx["screening"].pk}


TABLE: dict[str, Row] = {
    "home": Row(every(200, anon=302)),
    "healthz": Row(every(200)),
    "favicon": Row(every(302)),
    "set_language": Row(every(302), method="post", data={"language": "fr", "next": "/"}),
    "accounts:login": Row(every(302, anon=200)),
    "accounts:logout": Row(every(302), method="post"),
    "accounts:password_change": Row(every(200, anon=302)),
    "accounts:password_change_done": Row(every(200, anon=302)),
    "accounts:password_reset": Row(every(200)),
    "accounts:password_reset_done": Row(every(200)),
    "accounts:password_reset_confirm": Row(
        every(200), kwargs=lambda ctx: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "accounts:password_reset_complete": Row(every(200)),
    # Two-factor pages: any signed-in user (setting up or verifying their own factor).
    "accounts:two_factor_setup": Row(every(200, anon=302)),
    "accounts:two_factor_verify": Row(every(200, anon=302)),
    # A new set of backup codes needs a verified second factor first (and the password).
    "accounts:two_factor_backup_codes": Row(every(302), method="post"),
    # One's own account security: any signed-in user.
    "accounts:security": Row(every(200, anon=302)),
    # Everyone keeps their own API tokens; a token that is not one's own is not found.
    "api_tokens:list": Row(every(200, anon=302)),
    "api_tokens:revoke": Row(
        every(404, anon=302), kwargs=lambda ctx: {"pk": 999999}, method="post"
    ),
    # Webhook subscriptions: the administrators of the organisation.
    "webhooks:list": Row(only(A)),
    "webhooks:deliveries": Row(only(A), kwargs=_webhook),
    "webhooks:pause": Row(only(A, ok=302), kwargs=_webhook, method="post"),
    "webhooks:resume": Row(only(A, ok=302), kwargs=_webhook, method="post"),
    "webhooks:rotate": Row(only(A), kwargs=_webhook, method="post"),
    "webhooks:delete": Row(only(A, ok=302), kwargs=_webhook, method="post"),
    # Adding an authenticator needs one already (else: the first set-up) and a verified session.
    "accounts:authenticator_add": Row(every(302)),
    # Without the password nothing is removed: back to the security page.
    "accounts:authenticator_remove": Row(
        every(302), kwargs=lambda ctx: {"pk": ctx["colleague_device"].pk}, method="post"
    ),
    "accounts:email_change": Row(every(200, anon=302)),
    # The emailed link works without signing in; a bad one says so.
    "accounts:email_confirm": Row(every(200), kwargs=lambda ctx: {"token": "bad-token"}),
    # The invitation's link works without signing in; a bad one says so.
    "accounts:invitation_accept": Row(every(200), kwargs=lambda ctx: {"token": "bad-token"}),
    "accounts:user_list": Row(only(A)),
    "accounts:user_create": Row(only(A)),
    "accounts:user_detail": Row(only(A), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}),
    "accounts:user_edit": Row(only(A), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}),
    # The colleague chose a password long ago: nothing to send, back to their page.
    "accounts:user_invitation_resend": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}, method="post"
    ),
    "accounts:user_deactivate": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}, method="post"
    ),
    "accounts:user_reactivate": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["colleague"].pk}, method="post"
    ),
    "accounts:user_two_factor_reset": Row(
        only(A, ok=302),
        kwargs=lambda ctx: {"pk": ctx["colleague"].pk},
        method="post",
        data={"password": factories.PASSWORD},
    ),
    "accounts:grant_list": Row(only(A)),
    "accounts:grant_decide": Row(
        only(A, ok=302),
        kwargs=lambda ctx: {"pk": ctx["grant"].pk},
        method="post",
        data={"approve": "1"},
    ),
    "accounts:grant_cancel": Row(
        only(A, ok=302), kwargs=lambda ctx: {"pk": ctx["grant"].pk}, method="post"
    ),
    "partners:organisation_list": Row(only(*Role)),
    "partners:organisation_detail": Row(only(*Role), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    "partners:organisation_create": Row(only(A)),
    "partners:organisation_edit": Row(only(A, P), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    "partners:contact_add": Row(only(A, P), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    "partners:contact_remove": Row(
        only(A, P, ok=302), kwargs=lambda ctx: {"contact_pk": ctx["contact"].pk}, method="post"
    ),
    "partners:directory_pdf": Row(only(*Role), data=lambda ctx: {"region": ctx["region"].pk}),
    "partners:pathway_list": Row(only(C, S, A)),
    "partners:pathway_remove": Row(
        only(S, A, ok=302), kwargs=lambda ctx: {"pk": ctx["pathway"].pk}, method="post"
    ),
    "referrals:referral_list": Row(case_level(C, S)),
    "referrals:referral_create": Row(
        case_level(C, S), kwargs=lambda ctx: {"case_pk": ctx["case"].pk}
    ),
    "referrals:statistics": Row(only(S, M, MI, A)),
    "referrals:inbox": Row(case_level(P)),
    "referrals:inbox_detail": Row(case_level(P), kwargs=lambda ctx: {"pk": ctx["incoming"].pk}),
    "referrals:inbox_answer": Row(
        case_level(P, ok=302),
        kwargs=lambda ctx: {"pk": ctx["incoming"].pk},
        method="post",
        data={"step": "respond", "accept": "1"},
    ),
    "referrals:referral_detail": Row(
        case_level(C, S), kwargs=lambda ctx: {"pk": ctx["outgoing"].pk}
    ),
    "referrals:referral_send": Row(
        case_level(C, S, ok=302), kwargs=lambda ctx: {"pk": ctx["outgoing"].pk}, method="post"
    ),
    "referrals:referral_cancel": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"pk": ctx["outgoing"].pk},
        method="post",
        data={"reason": "Duplicate"},
    ),
    "referrals:referral_record_answer": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"pk": ctx["external"].pk},
        method="post",
        data={"step": "respond", "accept": "1"},
    ),
    # Not a caseworker's: their home page lists their organisation's running projects.
    "programmes:project_list": Row(only(S, PR, M, MI, A)),
    "programmes:project_detail": Row(only(*STAFF), kwargs=lambda ctx: {"pk": ctx["project"].pk}),
    "programmes:project_create": Row(only(M, A)),
    "programmes:project_edit": Row(only(M, A), kwargs=lambda ctx: {"pk": ctx["project"].pk}),
    # Not a caseworker's: a project's page names its donor.
    "programmes:donor_list": Row(only(S, PR, M, MI, A)),
    "programmes:donor_create": Row(only(M, A)),
    "programmes:donor_edit": Row(only(M, A), kwargs=lambda ctx: {"pk": ctx["donor"].pk}),
    "trainings:session_list": Row(only(PR, M)),
    "trainings:session_totals": Row(only(PR, M, MI, A)),
    "trainings:session_export": Row(only(PR, M), data={"format": "csv"}),
    "trainings:session_create": Row(only(PR)),
    "trainings:session_import": Row(only(PR)),
    "trainings:session_detail": Row(only(PR, M), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    "trainings:session_edit": Row(only(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    # The register lists people: programme staff of the organiser only, not superusers.
    "trainings:register": Row(case_level(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    "trainings:register_import": Row(case_level(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    "trainings:attachment_upload": Row(only(PR), kwargs=lambda ctx: {"pk": ctx["session"].pk}),
    # M&E officers read sessions but not what lists people (attendance sheets): 404.
    # Attendance sheets list people: the register's rule (a kind M&E may not use: 403).
    "trainings:attachment_download": Row(
        case_level(PR),
        kwargs=lambda ctx: {"attachment_pk": ctx["attachment"].pk},
    ),
    "reports:plan_list": Row(only(M, MI, PR, A)),
    "reports:plan_detail": Row(
        only(M, MI, PR, A), kwargs=lambda ctx: {"pk": ctx["action_plan"].pk}
    ),
    "reports:progress_add": Row(only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["point"].pk}),
    "reports:evidence_download": Row(
        only(M, MI, PR, A), kwargs=lambda ctx: {"pk": ctx["progress"].pk}
    ),
    "reports:indicator_value": Row(only(M, A), kwargs=lambda ctx: {"pk": ctx["indicator"].pk}),
    "reports:run_list": Row(only(M, MI, A)),
    "reports:run_detail": Row(only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["run"].pk}),
    "reports:run_download": Row(
        only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["run"].pk, "fmt": "json"}
    ),
    "reports:ctdc_export": Row(only(M)),
    "reports:dashboard": Row(only(MI, M, A)),
    "cases:case_list": Row(case_level(C, S)),
    "cases:case_register": Row(case_level(C, S)),
    "cases:duplicate_check": Row(case_level(C, S), method="post", data={"first_name": "Amina"}),
    "cases:region_options": Row(case_level(C, S)),
    "cases:case_import": Row(case_level(S)),
    # A background import: only the supervisor who started it (another one gets 404).
    "cases:import_job": Row(case_level(S), kwargs=lambda ctx: {"pk": ctx["import_job"].pk}),
    "cases:case_export": Row(
        case_level(C, S), data=lambda ctx: {"case": ctx["case"].pk, "format": "csv"}
    ),
    "cases:approvals": Row(case_level(S)),
    "cases:case_detail": Row(case_level(C, S), kwargs=_case),
    "cases:case_section": Row(
        case_level(C, S), kwargs=lambda ctx: {**_case(ctx), "section": "documents"}
    ),
    "cases:case_edit": Row(case_level(C, S), kwargs=_case),
    "cases:exploitation_edit": Row(case_level(C, S), kwargs=_case),
    "cases:record_add": Row(case_level(C, S), kwargs=lambda ctx: {**_case(ctx), "kind": "note"}),
    "cases:case_transition": Row(
        case_level(C, S, ok=302), kwargs=_case, method="post", data={"to_status": "open"}
    ),
    "cases:closure_request": Row(case_level(C, S), kwargs=_case),
    "cases:case_reopen": Row(case_level(S), kwargs=_case),
    "cases:case_assign": Row(case_level(S), kwargs=_case),
    "cases:case_history": Row(case_level(S, A), kwargs=_case),
    "cases:case_pdf": Row(case_level(C, S), kwargs=_case),
    "cases:closure_decide": Row(
        case_level(S, ok=302),
        kwargs=lambda ctx: {"closure_pk": ctx["closure"].pk},
        method="post",
        data={"approve": "1"},
    ),
    "cases:consent_withdraw": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"consent_pk": ctx["case"].consents.get(scope="data_collection").pk},
        method="post",
    ),
    "cases:event_delete": Row(
        case_level(C, S, ok=302), kwargs=lambda ctx: {"event_pk": ctx["event"].pk}, method="post"
    ),
    "cases:follow_up_done": Row(
        case_level(C, S, ok=302),
        kwargs=lambda ctx: {"follow_up_pk": ctx["follow_up"].pk},
        method="post",
    ),
    "cases:plan_end": Row(
        case_level(C, S, ok=302), kwargs=lambda ctx: {"plan_pk": ctx["plan"].pk}, method="post"
    ),
    "cases:document_download": Row(
        case_level(C, S), kwargs=lambda ctx: {"document_pk": ctx["document"].pk}
    ),
    # Screenings: the case team of the organisation that screened the person, nobody else
    # (identification interviews, possibly with a name and the person's account).
    "screening:screening_list": Row(case_level(C, S)),
    "screening:screening_create": Row(case_level(C, S)),
    "screening:screening_detail": Row(case_level(C, S), kwargs=_screening),
    "screening:screening_edit": Row(case_level(C, S), kwargs=_screening),
    "screening:screening_decide": Row(
        case_level(C, S, ok=302),
        kwargs=_screening,
        method="post",
        data={
            "status": "ActualVictimOfTrafficking",
            "justification": "Confirmed at a second interview.",
        },
    ),
    # The screening's decision opens a case (actual victim): the form to do it.
    "screening:case_open": Row(case_level(C, S), kwargs=_screening),
}
