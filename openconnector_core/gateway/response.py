"""Gateway responses: JSON, raw bytes or a redirect; the error transformation into problem documents; XML on
``Accept``; CORS; the API Gateway (payload 2.0) result.

A response is data until the very end, so rules and targets never deal with encodings.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# Lambda's synchronous payload limit; larger bodies go through S3 (presigned URLs).
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
_TEXT_MARKERS = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv")


@dataclass
class GatewayResponse:
    """``body`` is JSON-able data, or ``raw`` bytes sent as they are (downloads, proxied bodies)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> GatewayResponse:
    return GatewayResponse(status, body, dict(headers or {}))


def problem(
    status: int, detail: str | None, instance: str, title: str | None = None, **extra: Any
) -> GatewayResponse:
    """A problem document. ``extra`` keeps the original's own keys beside it (``error``,
    ``fields``), so clients of either shape find what they read."""
    body = {
        "type": title,
        "code": status,
        "title": title,
        "status": status,
        "instance": instance,
        "detail": detail,
        **extra,
    }
    return GatewayResponse(status, body, {"Content-Type": PROBLEM_CONTENT_TYPE})


def transform_error(response: GatewayResponse, instance: str) -> GatewayResponse:
    """A non-2xx response of a rule or target in the problem shape, with ``invalidParams``."""
    if response.ok:
        return response
    data = response.body if isinstance(response.body, dict) else {}
    message = data.get("message")
    detail = data.get("error")
    body: dict[str, Any] = {
        "type": message,
        "code": response.status,
        "title": message,
        "status": response.status,
        "instance": instance,
        "detail": detail if detail is None or isinstance(detail, str) else json.dumps(detail),
    }
    errors = data.get("errors")
    if message == "Validation failed" and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        first_message = str(first.get("message") or "")
        if "missing" in first_message:
            body["detail"] = first_message
            inside = first_message.partition("(")[2].partition(")")[0]
            body["invalidParams"] = [
                {"property": name.strip(), "code": "required", "reason": "The required property is missing"}
                for name in inside.split(",")
                if name.strip()
            ]
            return _with_headers(response, body)
        if isinstance(first.get("errors"), dict):
            body["detail"] = first_message
            params = []
            for prop, messages in first["errors"].items():
                reason = str(messages[0] if isinstance(messages, list) and messages else messages)
                code = "invalid type" if "type" in reason else "invalid value"
                params.append({"property": prop, "code": code, "reason": reason})
            body["invalidParams"] = params
            return _with_headers(response, body)
    if errors is not None:
        body["invalidParams"] = errors
    return _with_headers(response, body)


def _with_headers(response: GatewayResponse, body: dict[str, Any]) -> GatewayResponse:
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    headers["Content-Type"] = PROBLEM_CONTENT_TYPE
    return GatewayResponse(response.status, body, headers)


def wants_xml(accept: str | None) -> bool:
    return bool(accept) and "application/xml" in str(accept).lower()


def cors_headers(origin: str | None) -> dict[str, str]:
    """Echo the ``Origin``; credentials are never allowed."""
    return {"Access-Control-Allow-Origin": origin} if origin else {}


def preflight(origin: str | None) -> GatewayResponse:
    """``OPTIONS /api/endpoint/{path}`` (the original's preflight)."""
    return GatewayResponse(
        200,
        raw=b"",
        headers={
            "Access-Control-Allow-Origin": origin or "*",
            "Access-Control-Allow-Methods": "PUT, POST, GET, DELETE, PATCH",
            "Access-Control-Max-Age": "1728000",
            "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept",
            "Access-Control-Allow-Credentials": "false",
        },
    )


def to_event(response: GatewayResponse, *, accept: str | None, origin: str | None) -> dict[str, Any]:
    """The payload 2.0 result: XML when asked for, CORS headers, binary bodies base64-encoded."""
    headers = dict(response.headers)
    headers.update(cors_headers(origin))
    # A response must never allow credentials across origins (the original refuses it too).
    for name in [k for k in headers if k.lower() == "access-control-allow-credentials"]:
        headers[name] = "false"
    if response.raw is not None:
        content_type = _header(headers, "content-type") or ""
        if _is_text(content_type) or not response.raw:
            try:
                return _result(response.status, headers, response.raw.decode("utf-8"), False)
            except UnicodeDecodeError:
                pass
        return _result(response.status, headers, base64.b64encode(response.raw).decode("ascii"), True)
    if response.status == 204 or (response.body is None and response.status >= 300 and response.status < 400):
        return _result(response.status, headers, "", False)
    declared = _header(headers, "content-type")
    if wants_xml(accept) and (declared is None or "json" in declared):
        from openconnector_core.xmljson import data_to_xml

        _drop(headers, "content-type")
        headers["Content-Type"] = "application/xml"
        return _result(response.status, headers, data_to_xml(response.body), False)
    if declared is None:
        headers["Content-Type"] = JSON_CONTENT_TYPE
    text = json.dumps(response.body, ensure_ascii=False, separators=(",", ":"))
    return _result(response.status, headers, text, False)


def _result(status: int, headers: dict[str, str], body: str, encoded: bool) -> dict[str, Any]:
    return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": encoded}


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _drop(headers: dict[str, str], name: str) -> None:
    for key in [k for k in headers if k.lower() == name]:
        del headers[key]


def _is_text(content_type: str) -> bool:
    lowered = content_type.lower()
    return any(marker in lowered for marker in _TEXT_MARKERS)
