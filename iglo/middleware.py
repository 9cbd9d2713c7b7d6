from django.conf import settings
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from mapping.storable import is_storable


class HtmxLoginRedirectMiddleware:
    """An expired session must not swap the login page into a card.

    When an HTMX request is redirected to the login page, tell htmx to load
    that page as a whole instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response


class RefuseUnstorableInputMiddleware:
    """A request carrying text that cannot be stored is refused at the door with a clear 400.

    A NUL character or a lone surrogate in the path, the query string or a
    form field (its name or its value) is never something a person typed; any
    view, whether it reads a field through a form or straight from
    ``request.POST``, would otherwise pass it to the database and fail there
    with a 500. One check here covers every view, including those added later
    (mapping/storable.py says what cannot be stored). Uploaded files are the
    import's to check (mapping/exchange.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        fields = [request.GET]
        if request.method == "POST":
            fields.append(request.POST)
        if is_storable(request.path) and all(
            is_storable(key) and all(is_storable(value) for value in values)
            for data in fields
            for key, values in data.lists()
        ):
            return None
        message = _("Forespørgslen indeholder tegn, der ikke kan gemmes (et NUL-tegn eller ugyldig Unicode).")
        return render(request, "mapping/error.html", {"errors": {"__all__": [message]}}, status=400)
