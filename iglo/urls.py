import logging
import secrets

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's baseline: the app answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 only when the database and the cache both answer, else 503 naming which did not.

    ``/healthz/`` stays liveness (the process answers); a load balancer sends
    traffic only to an instance that is ready.
    """
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means not ready; the reason goes to the log, not to the caller
        logger.exception("readyz: the database does not answer")
        problems.append("database")
    try:
        token = secrets.token_hex(8)
        cache.set("readyz", token, timeout=10)
        if cache.get("readyz") != token:
            raise RuntimeError("the cache did not keep a value")
    except Exception:
        logger.exception("readyz: the cache does not answer")
        problems.append("cache")
    if problems:
        response = HttpResponse("not ready: " + ", ".join(problems), content_type="text/plain", status=503)
    else:
        response = HttpResponse("ready", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    # Signing in and out, and a forgotten password reset by e-mail (Django's own views; EMAIL_* settings).
    path(
        "accounts/",
        include(
            [
                path("login/", auth_views.LoginView.as_view(), name="login"),
                path("logout/", auth_views.LogoutView.as_view(), name="logout"),
                path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
                path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
                path(
                    "reset/<uidb64>/<token>/",
                    auth_views.PasswordResetConfirmView.as_view(),
                    name="password_reset_confirm",
                ),
                path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
            ]
        ),
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("mapping.urls")),
]
