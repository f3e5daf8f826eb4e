"""Rows of the API table: indicators/, statistics/ and report-runs/."""

from __future__ import annotations

from tests.api_access import MI, PR, A, ApiRow, M, only

ROWS = [
    ApiRow("api:indicator-list", "get", only(M, MI, PR, A)),
    ApiRow(
        "api:indicator-detail",
        "get",
        only(M, MI, PR, A),
        kwargs=lambda ctx: {"pk": ctx["indicator"].pk},
    ),
    ApiRow("api:statistics-list", "get", only(MI, M, A)),
    ApiRow("api:report-run-list", "get", only(M, MI, A)),
    ApiRow(
        "api:report-run-list",
        "post",
        only(M, A, ok=201),
        data={"kind": "operational", "country": "CF", "period": "2025-02"},
    ),
    ApiRow(
        "api:report-run-detail", "get", only(M, MI, A), kwargs=lambda ctx: {"pk": ctx["run"].pk}
    ),
    ApiRow(
        "api:report-run-file",
        "get",
        only(M, MI, A),
        kwargs=lambda ctx: {"pk": ctx["run"].pk, "fmt": "json"},
    ),
]
