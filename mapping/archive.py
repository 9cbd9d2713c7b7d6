"""A whole organisation as one zip: each mapping's JSON export (``exchange.export_mapping``), for backup and moving.

Each file imports on its own again (the organisation page's import), so
moving an organisation is: download the zip here, import its files there.
"""

import io
import json
import zipfile

from django.utils.text import slugify

from .exchange import export_mapping
from .models import Organisation


def mapping_file_name(pk: int, title: str) -> str:
    """Unique inside the zip (the id) and readable (the title, Danish letters kept)."""
    return f"{pk:04d}-{slugify(title, allow_unicode=True) or 'kortlaegning'}.json"


def organisation_zip(organisation: Organisation) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for mapping in organisation.mappings.order_by("pk"):
            data = json.dumps(export_mapping(mapping), ensure_ascii=False, indent=2)
            archive.writestr(mapping_file_name(mapping.pk, mapping.title), data)
    return buffer.getvalue()
