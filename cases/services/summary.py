"""The printable case summary (PDF through WeasyPrint), audited as an export."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.audit import log_read
from accounts.models import User
from cases.models import Case
from cases.selectors import consent_state


def case_summary_pdf(*, actor: User, case: Case, request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML  # heavy (Pango, fonts): loaded when a PDF is asked for

    html = render_to_string(
        "cases/pdf/case_summary.html",
        {
            "case": case,
            "person": case.person,
            "consent_state": consent_state(list(case.consents.all())),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=None).write_pdf()
    log_read("cases.case.exported", actor=actor, target=case, data={"format": "pdf"})
    return pdf
