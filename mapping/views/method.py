"""About the method: where IGLO comes from and its steps, in our own words. Open to everyone."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def method_about(request: HttpRequest) -> HttpResponse:
    return render(request, "mapping/method.html")
