from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("new/<int:case_pk>/", views.referral_create, name="referral_create"),
    path("statistics/", views.statistics, name="statistics"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/answer/", views.inbox_answer, name="inbox_answer"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/send/", views.referral_send, name="referral_send"),
    path("<int:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
    path("<int:pk>/answer/", views.referral_record_answer, name="referral_record_answer"),
]
