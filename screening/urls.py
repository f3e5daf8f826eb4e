from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("", views.screening_list, name="screening_list"),
    path("new/", views.screening_create, name="screening_create"),
    path("<int:pk>/", views.screening_detail, name="screening_detail"),
    path("<int:pk>/edit/", views.screening_edit, name="screening_edit"),
    path("<int:pk>/decide/", views.screening_decide, name="screening_decide"),
    path("<int:pk>/case/", views.case_open, name="case_open"),
]
