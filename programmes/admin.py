from django.contrib import admin

from programmes.models import Donor, Project


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "country")
    search_fields = ("name", "acronym")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "donor", "start_date", "end_date")
    list_filter = ("donor",)
    search_fields = ("code", "title")
    filter_horizontal = ("organisations",)
