from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from home import views as home_views
from traffick_cm.health import healthz


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the pages link to: the static icon."""
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("", home_views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("screenings/", include("screening.urls")),
    path("referrals/", include("referrals.urls")),
    path("partners/", include("partners.urls")),
    path("trainings/", include("trainings.urls")),
    path("reports/", include("programmes.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("api.urls")),
    path("accounts/api-tokens/", include("api.page_urls")),
    path("accounts/webhooks/", include("api.webhook_urls")),
    path("admin/", admin.site.urls),
]
# The scale benchmark's framework floor, only where its tools are installed (BENCHMARK_TOOLS).
if "bench" in settings.INSTALLED_APPS:
    urlpatterns.append(path("bench/", include("bench.urls")))
