"""Cached page regions: HTML rendered once per state of everything it reads.

A board is read far more often than it changes (everyone in a workshop loads
it; after each change every open board polls for it again), and the
mapping's ``version`` moves with every change inside the mapping. So a
region's HTML is named exactly by the version plus what this viewer sees:
``board_inputs`` lists every input of the board's regions, and
``region_key`` puts each of them in the key (tests/test_board_cache.py
changes each input in turn and fails if the page does not follow).

Cached HTML holds no one's CSRF token: it is rendered with a secret
placeholder, and each response puts in its own masked token, as
``{% csrf_token %}`` would.
"""

import functools
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

REGION_SECONDS = 300


def board_inputs(context: dict) -> tuple:
    """Everything the board's regions read besides the cards, which the version names."""
    mapping, selected = context["mapping"], context["selected_purpose"]
    return (
        context["organisation"].slug,
        context["organisation"].group_minimum,  # decides whether employees' averages show
        mapping.pk,
        mapping.version,
        int(bool(context["can_edit"])),
        selected.pk if selected else "",
        int(context["show_only"]),
        int(bool(context.get("oob"))),
        get_language(),
    )


def region_key(template: str, name: str, inputs: tuple) -> str:
    return ":".join(str(part) for part in ("region", template, name, *inputs))


@functools.cache
def csrf_placeholder() -> str:
    """Stands for the CSRF token in cached HTML: secret, so no text typed on the board can contain it."""
    return "csrf-" + salted_hmac("mapping.cache.csrf-placeholder", "", algorithm="sha256").hexdigest()[:32]


class Regions:
    """A page's named partials for its template: ``{{ regions.grid }}`` renders ``template#grid``.

    With ``inputs`` (see ``board_inputs``) each region comes from the cache
    or is rendered and cached; with None (a per-request state, such as an
    open editor or a form with errors) every region is rendered fresh.
    A cached region is rendered without the request (no context processors):
    it may read only its context, which is why its key can name it.
    The page puts ``csrf_token`` into its context: one masked token for all
    its forms, as ``{% csrf_token %}`` would give.
    """

    def __init__(self, request: HttpRequest, template: str, context: dict, inputs: tuple | None) -> None:
        self.request = request
        self.template = template
        self.context = context
        self.inputs = inputs
        self.csrf_token = context["csrf_token"] = get_token(request)

    def __getitem__(self, name: str) -> SafeString:
        partial = f"{self.template}#{name.replace('_', '-')}"
        if self.inputs is None:
            return mark_safe(render_to_string(partial, self.context, self.request))  # noqa: S308 - our template
        return cached_html(
            region_key(self.template, name, self.inputs),
            lambda: render_to_string(partial, {**self.context, "csrf_token": csrf_placeholder()}),
            self.csrf_token,
        )


def cached_html(key: str, render_html: Callable[[], str], csrf_token: str) -> SafeString:
    html = cache.get(key)
    if html is None:
        html = render_html()
        cache.set(key, html, REGION_SECONDS)
    return mark_safe(html.replace(csrf_placeholder(), csrf_token))  # noqa: S308 - our own rendered HTML
