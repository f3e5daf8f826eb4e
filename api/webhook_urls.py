"""The "Webhooks" pages (/accounts/webhooks/): an organisation's administrators."""

from django.urls import path

from api import webhook_pages

app_name = "webhooks"

urlpatterns = [
    path("", webhook_pages.subscription_list, name="list"),
    path("<int:pk>/deliveries/", webhook_pages.delivery_list, name="deliveries"),
    path("<int:pk>/pause/", webhook_pages.subscription_pause, name="pause"),
    path("<int:pk>/resume/", webhook_pages.subscription_resume, name="resume"),
    path("<int:pk>/rotate-secret/", webhook_pages.subscription_rotate_secret, name="rotate"),
    path("<int:pk>/delete/", webhook_pages.subscription_delete, name="delete"),
]
