"""The gateway request, read once from the API Gateway event (the flow token's request)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from openconnector_core.errors import BadRequestError, OpenConnectorError

PREFIX = "/api/endpoint/"
MAX_BODY_BYTES = 6 * 1024 * 1024
# Not part of the flow token's headers (they are not ``HTTP_*`` server variables in PHP).
_NOT_HTTP = frozenset({"content-type", "content-length"})
_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


class PayloadTooLargeError(OpenConnectorError):
    status, code, title = 413, "payload-too-large", "Payload too large"


@dataclass
class GatewayRequest:
    method: str
    path: str  # after /api/endpoint/, decoded except for an encoded slash (see decode_path)
    headers: dict[str, str]  # lower-case names
    query: dict[str, Any]
    body_params: dict[str, Any]
    raw_body: bytes
    request_id: str
    base_url: str  # scheme://host, for absolute links
    raw_query: str = ""
    raw_path: str = ""  # after /api/endpoint/, exactly as sent (percent-encoded)
    body_data: Any = None  # the parsed body when it is not an object (a JSON list, a scalar)
    source_ip: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> dict[str, Any]:
        """Query ∪ body parameters (the body wins), as the original's ``getParams()``."""
        return {**self.query, **self.body_params}

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def token_headers(self) -> dict[str, str]:
        """Headers as the flow token shows them: lower-case, ``-`` → ``_``, no Content-Type/Length."""
        return {
            name.replace("-", "_"): value for name, value in self.headers.items() if name not in _NOT_HTTP
        }

    def url(self, query: dict[str, Any] | None = None) -> str:
        """The absolute URL of this request; ``query`` replaces the query string when given."""
        text = urlencode(query, doseq=True) if query is not None else self.raw_query
        return f"{self.base_url}{PREFIX}{quote(self.path, safe='/%')}" + (f"?{text}" if text else "")


def from_event(event: dict[str, Any]) -> GatewayRequest:
    """Raises :class:`PayloadTooLargeError` (413) and ``BadRequestError`` for an unreadable body."""
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    if event.get("cookies") and "cookie" not in headers:
        headers["cookie"] = "; ".join(event["cookies"])
    raw_path = str(event.get("rawPath") or http.get("path") or "")
    index = raw_path.find(PREFIX)
    if index >= 0:
        sent = raw_path[index + len(PREFIX) :]
    else:
        proxy = str((event.get("pathParameters") or {}).get("proxy") or "")
        sent = quote(proxy[len("endpoint/") :] if proxy.startswith("endpoint/") else proxy, safe="/")
    path = decode_path(sent)
    raw_query = str(event.get("rawQueryString") or "")
    raw_body = _body_bytes(event)
    if len(raw_body) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(
            f"The request body is larger than {MAX_BODY_BYTES} bytes; upload large files in parts"
        )
    body_params, body_data = parse_body(raw_body, headers.get("content-type", ""))
    host = headers.get("x-forwarded-host") or headers.get("host") or context.get("domainName") or "localhost"
    scheme = (headers.get("x-forwarded-proto") or "https").split(",")[0].strip()
    return GatewayRequest(
        method=str(http.get("method") or "GET").upper(),
        path=path,
        headers=headers,
        query=php_query(raw_query),
        body_params=body_params,
        body_data=body_data,
        raw_body=raw_body,
        raw_query=raw_query,
        raw_path=sent,
        request_id=str(context.get("requestId") or ""),
        base_url=f"{scheme}://{host}",
        source_ip=http.get("sourceIp"),
    )


def decode_path(raw: str) -> str:
    """Percent-escapes decoded per segment (``caf%C3%A9`` → ``café``), except an encoded ``/``: it
    stays ``%2F`` inside its segment, as the original's web server left it."""
    return "/".join(unquote(segment).replace("/", "%2F") for segment in raw.split("/"))


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if not body:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequestError("The request body is not valid base64") from None
    return str(body).encode("utf-8")


def parse_body(raw: bytes, content_type: str) -> tuple[dict[str, Any], Any]:
    """(object parameters, other parsed data): JSON, form, or XML (the original's convention for
    request bodies); other bodies stay raw."""
    if not raw.strip():
        return {}, None
    media = content_type.lower()
    if "json" in media or (not media and raw.lstrip()[:1] in (b"{", b"[")):
        try:
            data = json.loads(raw)
        except ValueError:
            raise BadRequestError("The request body is not valid JSON", fields=["body"]) from None
        except RecursionError:
            raise BadRequestError("The request body is nested too deeply", fields=["body"]) from None
        return (data, None) if isinstance(data, dict) else ({}, data)
    if "x-www-form-urlencoded" in media:
        return php_query(raw.decode("utf-8", errors="replace")), None
    if "xml" in media or (not media and raw.lstrip()[:1] == b"<"):
        from openconnector_core.xmljson import request_body_to_data

        parsed = request_body_to_data(raw)
        if parsed is None:
            raise BadRequestError("The request body is not valid XML", fields=["body"])
        return (parsed, None) if isinstance(parsed, dict) else ({}, parsed)
    return {}, None


def php_query(text: str) -> dict[str, Any]:
    """A query string as PHP reads it: ``a[]=1&a[]=2`` → list, ``a[b]=1`` → object, last wins."""
    result: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        match = _BRACKETS.match(name)
        if match is None:
            result[name] = value
            continue
        keys = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        _assign(result, keys, value)
    return result


def _assign(target: Any, keys: list[str], value: str) -> None:
    for position, key in enumerate(keys):
        last = position == len(keys) - 1
        if isinstance(target, list):
            if key != "":
                return  # ``a[]=1&a[x]=2`` mixes a list and an object: the later part is dropped
            if last:
                target.append(value)
                return
            target.append([] if keys[position + 1] == "" else {})
            target = target[-1]
            continue
        if last:
            target[key] = value
            return
        child = target.get(key)
        if not isinstance(child, dict | list):
            child = [] if keys[position + 1] == "" else {}
            target[key] = child
        target = child
