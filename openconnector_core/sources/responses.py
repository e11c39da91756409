"""Decoding response bodies: JSON, or XML with the original's conventions (§4.10-1)."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

logger = logging.getLogger(__name__)


def body_text(body: bytes, charset: str | None) -> tuple[str, str]:
    """(text, encoding): UTF-8 (or the declared charset) text, else base64 as the original did."""
    for codec in (charset or "utf-8", "utf-8"):
        try:
            return body.decode(codec), "UTF-8"
        except (LookupError, UnicodeDecodeError):
            continue
    return base64.b64encode(body).decode("ascii"), "base64"


def _looks_xml(content_type: str, text: str) -> bool:
    return "xml" in content_type or text.lstrip().startswith("<")


def decode_data(text: str, content_type: str | None, encoding: str) -> Any:
    """The parsed body: JSON first; XML (content type or leading ``<``) through
    ``openconnector_core.xmljson.source_response_to_data``; else ``None``."""
    if encoding != "UTF-8" or not text.strip():
        return None
    media = (content_type or "").lower()
    try:
        return json.loads(text)
    except ValueError:
        pass
    if _looks_xml(media, text):
        try:
            from openconnector_core.xmljson import source_response_to_data
        except ImportError:  # pragma: no cover - the converter lands with another issue
            logger.debug("XML converter not available; response data left undecoded")
            return None
        try:
            return source_response_to_data(text)
        except Exception:  # a malformed document is data we cannot decode, not a failed call
            logger.debug("XML response could not be decoded")
            return None
    return None
