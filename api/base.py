"""The base of every resource: token authentication, the policy, the per-token rate and
problem details (settings.REST_FRAMEWORK), cursor pages, `?updated_since=`, and the ETag
of a record (api/mixins.py). Resources that create or change mix in CreateMixin and
ChangeMixin."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from api.mixins import RetrieveMixin, UpdatedSinceMixin
from api.pagination import UpdatedCursor


class ResourceViewSet(
    UpdatedSinceMixin, RetrieveMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Subclasses name `policy_kind` (and `policy_actions` for their own actions) and return
    a queryset scoped by the policy from `get_queryset`."""

    pagination_class = UpdatedCursor
    policy_kind: str = ""
    policy_actions: dict = {}
