from django.urls import path

from trainings import views

app_name = "trainings"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("totals/", views.session_totals, name="session_totals"),
    path("export/", views.session_export, name="session_export"),
    path("new/", views.session_create, name="session_create"),
    path("import/", views.session_import, name="session_import"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/register/import/", views.register_import, name="register_import"),
    path("<int:pk>/attachments/new/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
]
