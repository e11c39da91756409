"""The ``api`` target: the request proxied to the source named by ``targetId``.

Upstream path: ``configurations.path`` with ``{{name}}`` filled from the path parameters, else
``/`` + the path after ``/api/endpoint/``. Method, query, headers (minus hop-by-hop, ``Host``,
``X-Forwarded-*`` and the client's own credential when an authentication rule consumed it) and
the raw body (JSON of the amended parameters when before-rules changed them) go through the call
engine, so the source's authentication, the SSRF guard, rate limits and the redacted call log
apply. The upstream status, headers and body come back.
"""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from openconnector_core.errors import BadRequestError
from openconnector_core.gateway.response import GatewayResponse, problem

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "forwarded",
        "x-real-ip",
        "x-original-uri",
    }
)
# Not passed back: the body is re-encoded, and the call engine masks credential headers.
_NOT_RETURNED = _HOP_BY_HOP | {"content-encoding", "set-cookie", "www-authenticate"}
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_MASK = "***"


def upstream_path(flow: Flow) -> str:
    """The path on the source. A path parameter fills the template percent-encoded (``?``, ``#``
    or ``/`` in it stay data); a ``.``/``..`` segment is refused: it would walk out of the path
    the endpoint exposes, with the source's credentials."""
    configured = flow.endpoint.get("configurations")
    template = configured.get("path") if isinstance(configured, dict) else None
    if isinstance(template, str) and template:
        path = _PLACEHOLDER.sub(lambda match: _parameter(flow.path_params.get(match.group(1), "")), template)
        path = path if path.startswith("/") else "/" + path
    else:
        path = "/" + flow.request.raw_path
    if any(segment in (".", "..") for segment in unquote(path).split("/")):
        raise BadRequestError("The path may not contain '.' or '..' segments", fields=["path"])
    return path


def _parameter(value: str) -> str:
    plain = unquote(value)
    if plain in (".", ".."):
        raise BadRequestError("The path may not contain '.' or '..' segments", fields=["path"])
    return quote(plain, safe="")


def forwarded_headers(flow: Flow, *, drop_credentials: bool) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in flow.request.headers.items():
        if name in _HOP_BY_HOP or name.startswith(("x-forwarded-", "x-amzn-", "x-amz-")):
            continue
        if drop_credentials and name in ("authorization", "cookie"):
            continue
        headers["-".join(part.capitalize() for part in name.split("-"))] = value
    return headers


def serve(flow: Flow, *, drop_credentials: bool, amended: dict[str, Any] | None = None) -> GatewayResponse:
    """``amended``: the parameters when before-rules changed them; they are sent as a JSON body
    (the query stays as requested). Otherwise the raw body goes as it came."""
    source = str(flow.endpoint.get("targetId") or "")
    headers = forwarded_headers(flow, drop_credentials=drop_credentials)
    config: dict[str, Any] = {"headers": headers}
    if flow.request.query:
        config["query"] = flow.request.query
    if amended is not None:
        body = {
            k: v for k, v in amended.items() if k not in flow.request.query or k in flow.request.body_params
        }
        config["body"] = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif flow.request.raw_body:
        config["body"] = flow.request.raw_body
    call_log = flow.container.call_engine.call(source, upstream_path(flow), flow.request.method, config)
    return from_call_log(call_log, flow.request.request_id)


def from_call_log(call_log: dict[str, Any], instance: str) -> GatewayResponse:
    response = call_log.get("response")
    error = call_log.get("error")
    if error == "source-timeout" or (not isinstance(response, dict) and call_log.get("statusCode") == 504):
        return problem(504, "The source did not answer in time", instance, "Gateway Timeout")
    if not isinstance(response, dict) or error == "source-unreachable":
        status = int(call_log.get("statusCode") or 502)
        if status == 429:
            retry = call_log.get("retryAfter")
            answer = problem(429, "The source's rate limit is exhausted", instance, "Too Many Requests")
            if retry is not None:
                answer.headers["Retry-After"] = str(int(float(retry)))
            return answer
        return problem(502, "The source could not be called", instance, "Bad Gateway")
    headers: dict[str, str] = {}
    for name, values in (response.get("headers") or {}).items():
        kept = [str(v) for v in (values if isinstance(values, list) else [values]) if v != _MASK]
        if kept and name.lower() not in _NOT_RETURNED:
            headers[name] = ", ".join(kept)
    text = str(response.get("body") or "")
    if response.get("encoding") == "base64":
        raw = base64.b64decode(text)
    else:
        raw = text.encode(_charset(headers) or "utf-8", errors="replace")
    result = GatewayResponse(int(response.get("statusCode") or 502), raw=raw, headers=headers)
    result.body = response.get("data")
    return result


def _charset(headers: dict[str, str]) -> str | None:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    match = re.search(r"charset=([\w.-]+)", content_type, re.IGNORECASE)
    if match is None:
        return None
    try:
        "".encode(match.group(1))
    except LookupError:
        return None
    return match.group(1)
