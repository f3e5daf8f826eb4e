from django.urls import path

from cases.views import cases, lookups, options, records, transfer, workflow

app_name = "cases"

urlpatterns = [
    path("", cases.case_list, name="case_list"),
    path("new/", cases.case_register, name="case_register"),
    path("new/duplicate-check/", lookups.duplicate_check, name="duplicate_check"),
    path("options/regions/", options.region_options, name="region_options"),
    path("import/", transfer.case_import, name="case_import"),
    path("import/<uuid:pk>/", transfer.import_job, name="import_job"),
    path("export/", transfer.case_export, name="case_export"),
    path("approvals/", workflow.approvals, name="approvals"),
    path("<int:pk>/", cases.case_detail, name="case_detail"),
    path("<int:pk>/sections/<slug:section>/", cases.case_section, name="case_section"),
    path("<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("<int:pk>/exploitation/", cases.exploitation_edit, name="exploitation_edit"),
    path("<int:pk>/add/<slug:kind>/", records.record_add, name="record_add"),
    path("<int:pk>/status/", workflow.case_transition, name="case_transition"),
    path("<int:pk>/close/", workflow.closure_request, name="closure_request"),
    path("<int:pk>/reopen/", workflow.case_reopen, name="case_reopen"),
    path("<int:pk>/assign/", workflow.case_assign, name="case_assign"),
    path("<int:pk>/history/", cases.case_history, name="case_history"),
    path("<int:pk>/summary.pdf", transfer.case_pdf, name="case_pdf"),
    path("closures/<int:closure_pk>/decide/", workflow.closure_decide, name="closure_decide"),
    path("consents/<int:consent_pk>/withdraw/", records.consent_withdraw, name="consent_withdraw"),
    path("events/<int:event_pk>/delete/", records.event_delete, name="event_delete"),
    path("follow-ups/<int:follow_up_pk>/done/", records.follow_up_done, name="follow_up_done"),
    path("plans/<int:plan_pk>/end/", records.plan_end, name="plan_end"),
    path("documents/<int:document_pk>/", records.document_download, name="document_download"),
]
