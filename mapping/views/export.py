"""Downloads of a whole mapping: the JSON export and the printed PDF overview."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import pdf, pdf_rounds
from ..access import HtmxHttpRequest, MappingAccess, gate
from ..exchange import export_mapping
from ..forms import ExportForm

EXPORT_PAGE = "mapping/export.html"
# slugify drops what it cannot turn into ASCII: "Kortlægning" would become "kortlgning".
DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def download_name(title: str, suffix: str = "") -> str:
    """A file name for a mapping's downloads, without its extension: Danish letters spelt out."""
    return (slugify(title.translate(DANISH_LETTERS)) or "kortlaegning") + suffix


@login_required
@require_GET
def mapping_export_json(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    data = export_mapping(access.mapping)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(access.mapping.title)}.json"'
    return response


def export_page(
    request: HtmxHttpRequest, access: MappingAccess, form: ExportForm, status: int = 200, **extra
) -> HttpResponse:
    """The choice page. It runs no analysis: what the PDF holds is decided when it is printed."""
    context = {
        "organisation": access.organisation,
        "mapping": access.mapping,
        "form": form,
        "max_initiatives": pdf.MAX_INITIATIVES,
        "a3_is_better": pdf.a3_would_be_better(access.mapping),
        **extra,
    }
    return render(request, EXPORT_PAGE, context, status=status)


@login_required
@require_GET
def mapping_export(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """The choice page: sections, paper and the handout variant; its form GETs the PDF."""
    access = gate(request, org, mapping_id)
    return export_page(request, access, ExportForm(initial=ExportForm.defaults()))


@login_required
@require_GET
def mapping_export_pdf(request: HtmxHttpRequest, org: str, mapping_id: int) -> HttpResponse:
    """The PDF overview; without a query string, every section on A4 in the full variant."""
    access = gate(request, org, mapping_id)
    form = ExportForm(request.GET if request.GET else ExportForm.defaults())
    if not form.is_valid():
        return export_page(request, access, form, status=400)
    options = form.cleaned_data
    if not access.mapping.initiatives.active().exists():
        # Nothing on the board yet: the blank sheet to start on paper, not eight "no initiatives" cells.
        sheet = pdf_rounds.render_sheet(access.organisation, options["paper"].lower())
        response = HttpResponse(sheet, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{download_name(access.mapping.title, "-ark")}.pdf"'
        return response
    # The open findings (without those the team dismissed) and the actions, most burdensome first.
    findings, actions = access.mapping.findings().open, list(access.mapping.actions.by_burden())
    context = pdf.document_context(access.mapping, sections=options["section"], findings=findings, actions=actions)
    try:
        data = pdf.render_pdf(context, paper=options["paper"], handout=options["handout"])
    except pdf.DocumentTooLarge as error:
        # Not a server fault and not the user's request either: the mapping is
        # too big to print. Say so on the choice page, with its form.
        return export_page(request, access, form, status=422, too_large=str(error))
    response = HttpResponse(data, content_type="application/pdf")
    filename = download_name(access.mapping.title, "-uddeling" if options["handout"] else "")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    patch_cache_control(response, private=True)
    return response
