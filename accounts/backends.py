"""Signing in with a username and password (Django's ModelBackend), and the signed-in user
loaded on each request with its roles and organisation in the same query: the access policy
reads the roles on every page, and a second round trip for them would be paid by every
request."""

from __future__ import annotations

from django.contrib.auth import backends
from django.db.models import Aggregate, CharField, OuterRef, Subquery

from accounts.models import User, UserRole
from accounts.roles import Role


class _Joined(Aggregate):
    """The values of a column joined with commas: string_agg on PostgreSQL, group_concat on
    SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _role_list() -> Subquery:
    assigned = UserRole.objects.filter(user=OuterRef("pk")).order_by().values("user")
    return Subquery(assigned.annotate(joined=_Joined("role")).values("joined")[:1])


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user = (
            User._default_manager.annotate(_role_list=_role_list())
            # The organisation, which most pages read (scope, filters, forms), in the same query.
            .select_related("organisation")
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        # What User.roles would read (a cached property): set here, not read again.
        joined = user.__dict__.pop("_role_list") or ""
        user.__dict__["roles"] = frozenset(Role(role) for role in joined.split(",") if role)
        return user
