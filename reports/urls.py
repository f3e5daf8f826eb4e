from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("action-points/<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("indicators/<int:pk>/value/", views.indicator_value, name="indicator_value"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/<str:fmt>/", views.run_download, name="run_download"),
    path("ctdc/", views.ctdc_export, name="ctdc_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
