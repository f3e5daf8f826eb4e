"""`partners/` (the directory) and `pathways/` (the referral pathways of the SOP)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from accounts.policy import Action, scope
from api import forms as api_forms
from api.base import ResourceViewSet
from api.mixins import ChangeMixin, CreateMixin, version_of
from partners import selectors, services
from partners.forms import (
    DirectoryProfileForm,
    OrganisationFilterForm,
    OrganisationForm,
    PathwayStepForm,
)
from partners.models import Contact, Organisation, PathwayStep, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "country"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "function", "phone", "email", "is_focal_point"]


class OrganisationSerializer(serializers.ModelSerializer):
    regions = RegionSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    services = serializers.ListField(child=serializers.CharField(), read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            *services.FIELDS,
            "regions",
            "contacts",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_version(self, obj) -> str:
        return version_of(obj)


class OrganisationViewSet(ChangeMixin, ResourceViewSet):
    """The partner directory: every role reads it; a partner focal point keeps its own
    organisation's directory fields, an administrator its whole record (as on the page)."""

    policy_kind = "organisation"
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            criteria = api_forms.query_filters(OrganisationFilterForm, self.request)
            qs = selectors.organisation_list(
                actor=user,
                q=(criteria.get("q") or "").strip(),
                country=criteria.get("country") or "",
                type=criteria.get("type") or "",
                service=criteria.get("service") or "",
                region=criteria.get("region"),
                serves=criteria.get("serves") or "",
                language=criteria.get("language") or "",
            )
        else:
            action = Action.VIEW if self.action == "retrieve" else Action.CHANGE
            qs = scope(user, "organisation", action, Organisation.objects.all())
        return qs.prefetch_related("regions", "contacts")

    def change(self, instance, data, *, partial: bool):
        user = self.request.user
        whole = services.may_change_whole_record(user)
        form_class = OrganisationForm if whole else DirectoryProfileForm
        if partial:
            data = api_forms.merged(instance, form_class, data)
        kwargs = {"instance": instance, "actor": user} if whole else {"instance": instance}
        cleaned = api_forms.clean(form_class, data, **kwargs)
        regions = cleaned.pop("regions", None)
        try:
            return services.organisation_update(
                actor=user, organisation=instance, regions=regions, **cleaned
            )
        except ValidationError as error:
            raise api_forms.service_errors(error) from None


class PathwayStepSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True, allow_null=True)
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    version = serializers.SerializerMethodField()

    def get_version(self, obj) -> str:
        return version_of(obj)

    class Meta:
        model = PathwayStep
        fields = [
            "id",
            "service_type",
            "country",
            "region",
            "partner",
            "partner_name",
            "rank",
            "notes",
            "updated_at",
            "version",
        ]


class PathwayViewSet(CreateMixin, mixins.DestroyModelMixin, ResourceViewSet):
    """The referral pathways: read by the roles that refer; a step added (to the country of
    the user's organisation) or removed by those who keep pathways, as on the page."""

    policy_kind = "pathway"
    serializer_class = PathwayStepSerializer
    queryset = PathwayStep.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.pathway_list(actor=user)
        action = Action.VIEW if self.action == "retrieve" else Action.CHANGE
        return scope(user, "pathway", action, PathwayStep.objects.select_related("region"))

    def add(self, data):
        user = self.request.user
        if not user.organisation_id:
            raise exceptions.PermissionDenied
        country = user.organisation.country.code
        cleaned = api_forms.clean(PathwayStepForm, data, country=country)
        try:
            return services.pathway_step_add(actor=user, country=country, **cleaned)
        except ValidationError as error:
            raise api_forms.service_errors(error) from None

    def destroy(self, request, *args, **kwargs):
        services.pathway_step_remove(actor=request.user, step=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
