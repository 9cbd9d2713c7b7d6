"""One log line per request, for operators: method, path, status and duration -- nothing personal.

No user, no address, no query string, never a form's content; the secrets
that sit in paths (a workshop's join code, an invitation token, a password
reset link) are masked. ``LOG_FORMAT=json`` writes each record as one JSON
object per line for a log collector; errors carry their traceback either way.
"""

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("iglo.request")

SECRET_PATHS = [
    (re.compile(r"^/j/[^/]+"), "/j/<code>"),
    (re.compile(r"^/invite/[^/]+"), "/invite/<token>"),
    (re.compile(r"^/accounts/reset/[^/]+/[^/]+"), "/accounts/reset/<uid>/<token>"),
]
MAX_PATH = 200


def loggable_path(path: str) -> str:
    for pattern, mask in SECRET_PATHS:
        path = pattern.sub(mask, path, count=1)
    return path[:MAX_PATH]


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = loggable_path(request.path)
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={"method": request.method, "path": path, "status": response.status_code, "duration_ms": duration_ms},
        )
        return response


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, the request's fields, and a traceback."""

    FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class MaskSecretPaths(logging.Filter):
    """Django's own records name the path too ("Not Found: /j/ABCD2345/"): mask it there as well."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                loggable_path(arg) if isinstance(arg, str) and arg.startswith("/") else arg for arg in record.args
            )
        return True
