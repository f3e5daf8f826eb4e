from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views, views_auth, views_security

app_name = "accounts"

urlpatterns = [
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("logout/", views_auth.LogoutView.as_view(), name="logout"),
    path("two-factor/setup/", views_auth.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views_auth.two_factor_verify, name="two_factor_verify"),
    path("two-factor/backup-codes/", views_auth.backup_codes, name="two_factor_backup_codes"),
    path("security/", views_security.security, name="security"),
    path(
        "security/authenticator/",
        views_security.authenticator_add,
        name="authenticator_add",
    ),
    path(
        "security/authenticator/<int:pk>/remove/",
        views_security.authenticator_remove,
        name="authenticator_remove",
    ),
    path("security/email/", views_security.email_change_request, name="email_change"),
    path("email/confirm/<str:token>/", views_security.email_confirm, name="email_confirm"),
    path(
        "password/change/",
        views_auth.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views_auth.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views_auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # The invitation's link (accounts/invitations.py): a signed token, no personal data.
    path(
        "invitation/<str:token>/",
        views_auth.invitation_accept,
        name="invitation_accept",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path(
        "users/<int:pk>/invitation/",
        views.user_invitation_resend,
        name="user_invitation_resend",
    ),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path(
        "users/<int:pk>/two-factor/reset/",
        views.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/cancel/", views.grant_cancel, name="grant_cancel"),
]
