from django.contrib import admin

from partners.models import Organisation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "country")
    list_filter = ("country",)
    search_fields = ("name",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "type", "country", "is_active")
    list_filter = ("type", "country", "is_active")
    search_fields = ("name", "acronym")
    filter_horizontal = ("regions",)

    def get_readonly_fields(self, request, obj=None):
        # As in the app: an organisation's country (what its users reach) is for superusers.
        if obj is not None and not request.user.is_superuser:
            return ("country",)
        return ()
