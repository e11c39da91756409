"""What ``openconnector serve`` prints: one access line per request, the functions' logs on request.

Quiet by default (method, path, status, milliseconds, and the reason of a 4xx from its JSON body);
``--verbose`` adds every function's Powertools JSON log lines and the stack's debug details.
"""

from __future__ import annotations

import json
import logging
import os
import sys

QUIET_FUNCTION_LOG_LEVEL = "WARNING"
NOISY_LIBRARIES = ("botocore", "boto3", "urllib3", "werkzeug", "moto")
MAX_REASON = 200


def configure_logging(*, verbose: bool) -> None:
    """The stack's log format, and how much the function workers (child processes) log."""
    if verbose:
        fmt, datefmt = "%(asctime)s %(levelname)s %(message)s", None
    else:
        fmt, datefmt = "%(asctime)s %(message)s", "%H:%M:%S"
        # The workers inherit POWERTOOLS_* variables (they override the template's); warnings and
        # errors of the functions still show. An explicit POWERTOOLS_LOG_LEVEL wins.
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", QUIET_FUNCTION_LOG_LEVEL)
    logging.basicConfig(level=logging.INFO, format=fmt, datefmt=datefmt, stream=sys.stderr)
    for noisy in NOISY_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def access_line(method: str, path: str, status: int, milliseconds: float, body: bytes) -> str:
    """``GET /api/sources 200 3.1 ms``; a 4xx ends with its reason, e.g. ``— name: field required``."""
    line = f"{method} {path} {status} {milliseconds:.1f} ms"
    reason = _reason(body) if 400 <= status < 500 else ""
    return f"{line} — {reason}" if reason else line


def _reason(body: bytes) -> str:
    try:
        document = json.loads(body[:65536])
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(document, dict):
        return ""
    parts = [str(document[key]) for key in ("error", "message", "detail", "title") if document.get(key)]
    unique = list(dict.fromkeys(parts))
    reason = ": ".join(unique[:2])
    fields = document.get("fields")
    if isinstance(fields, list) and fields:
        reason += f" (fields: {', '.join(str(name) for name in fields[:5])})"
    reason = " ".join(reason.split())
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"
