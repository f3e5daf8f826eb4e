from django.urls import path

from programmes import views

app_name = "programmes"

# Under /reports/ as before the apps were layered: the addresses people bookmarked stay.
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("donors/", views.donor_list, name="donor_list"),
    path("donors/new/", views.donor_create, name="donor_create"),
    path("donors/<int:pk>/edit/", views.donor_edit, name="donor_edit"),
]
