"""The role x endpoint x method table of the API, one module per resource (this package is
read whole by tests/api/test_access.py: a route or method without a row fails, so each new
endpoint must state who may use it). Rows use the records of the `ctx` fixture
(tests/conftest.py). A token acts as its user: the expectations are those of the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.roles import Role

ANON = "anonymous"
SUPER = "superuser"

C, S, P, PR, M, MI, A = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.PARTNER,
    Role.PROGRAMME,
    Role.MNE,
    Role.MINISTRY,
    Role.ADMIN,
)


def only(*allowed, ok: int = 200, refused: int = 403, superuser: bool = True) -> dict[str, int]:
    """`ok` for the allowed roles (and superusers unless case-level), `refused` for the
    rest, 401 without a token."""
    table = {str(role): (ok if role in allowed else refused) for role in Role}
    table[SUPER] = ok if superuser else refused
    table[ANON] = 401
    return table


def case_level(*allowed, ok: int = 200, refused: int = 403) -> dict[str, int]:
    """Case-level endpoints: a superuser's status gives no access."""
    return only(*allowed, ok=ok, refused=refused, superuser=False)


def every(status: int) -> dict[str, int]:
    return {**{str(role): status for role in Role}, SUPER: status, ANON: 401}


@dataclass
class ApiRow:
    """One route (its URL name in the `api` namespace) and method."""

    route: str
    method: str
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # A query string for lists (e.g. a required filter).
    query: dict[str, str] = field(default_factory=dict)
