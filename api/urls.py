"""/api/v1/: the resources, the OpenAPI schema and its interactive docs (served from our own
static files: drf-spectacular-sidecar)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import cases, partners, referrals, reports, screenings, trainings, views, webhooks

app_name = "api"

router = SimpleRouter()
router.register("partners", partners.OrganisationViewSet, basename="partner")
router.register("pathways", partners.PathwayViewSet, basename="pathway")
for resources in (cases, referrals, screenings, trainings, reports, webhooks):
    resources.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Anything else under /api/v1/: a problem, not the HTML "page not found".
    re_path(r"^.*$", views.not_found, name="not_found"),
]
