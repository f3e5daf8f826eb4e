from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:contact_pk>/remove/", views.contact_remove, name="contact_remove"),
    path("directory.pdf", views.directory_pdf, name="directory_pdf"),
    path("pathways/", views.pathway_list, name="pathway_list"),
    path("pathways/<int:pk>/remove/", views.pathway_remove, name="pathway_remove"),
]
