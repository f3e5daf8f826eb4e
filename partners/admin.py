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
