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
