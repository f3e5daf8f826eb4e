"""The "API tokens" page: a user's own personal access tokens."""

from django.urls import path

from api import pages

app_name = "api_tokens"

urlpatterns = [
    path("", pages.token_list, name="list"),
    path("<int:pk>/revoke/", pages.token_revoke, name="revoke"),
]
