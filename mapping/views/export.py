"""Downloads of a whole mapping."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from ..access import gate
from ..export import export_mapping

# slugify drops what it cannot spell in ASCII; Danish letters have their own spelling.
DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


@login_required
@require_GET
def mapping_export_json(request: HttpRequest, org: str, mapping_id: int) -> HttpResponse:
    access = gate(request, org, mapping_id)
    data = export_mapping(access.mapping)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = slugify(access.mapping.title.translate(DANISH_LETTERS)) or "kortlaegning"
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response
