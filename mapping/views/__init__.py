"""Views, one module per page family; see README.md's layout. Views parse, call the domain, render."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware: ``request.htmx`` says whether htmx sent it."""

    htmx: HtmxDetails
