from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_register, name="case_register"),
    path("new/duplicate-check/", views.duplicate_check, name="duplicate_check"),
    path("import/", views.case_import, name="case_import"),
    path("export/", views.case_export, name="case_export"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/exploitation/", views.exploitation_edit, name="exploitation_edit"),
    path("<int:pk>/add/<slug:kind>/", views.record_add, name="record_add"),
    path("<int:pk>/status/", views.case_transition, name="case_transition"),
    path("<int:pk>/close/", views.closure_request, name="closure_request"),
    path("<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("<int:pk>/history/", views.case_history, name="case_history"),
    path("<int:pk>/summary.pdf", views.case_pdf, name="case_pdf"),
    path("closures/<int:closure_pk>/decide/", views.closure_decide, name="closure_decide"),
    path("consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("events/<int:event_pk>/delete/", views.event_delete, name="event_delete"),
    path("follow-ups/<int:follow_up_pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("plans/<int:plan_pk>/end/", views.plan_end, name="plan_end"),
    path("documents/<int:document_pk>/", views.document_download, name="document_download"),
]
