from django.urls import path

from bench import views

app_name = "bench"
urlpatterns = [
    path("floor/<slug:kind>/<slug:action>/", views.floor, name="floor"),
]
