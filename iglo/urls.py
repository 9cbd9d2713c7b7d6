from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's baseline: the app answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    # Only signing in and out: there is no e-mail set up for password resets.
    path(
        "accounts/",
        include(
            [
                path("login/", auth_views.LoginView.as_view(), name="login"),
                path("logout/", auth_views.LogoutView.as_view(), name="logout"),
            ]
        ),
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("mapping.urls")),
]
