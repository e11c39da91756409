"""API Gateway HTTP API emulation: route selection and payload format 2.0 events and responses."""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from openconnector_local.functions import HttpRoute

_TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv", "graphql")


@dataclass(frozen=True)
class CompiledRoute:
    route: HttpRoute
    pattern: re.Pattern[str] | None
    parameter_names: tuple[str, ...]
    rank: tuple[int, ...]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.route.method not in ("ANY", method.upper()):
            return None
        if self.pattern is None:  # $default
            return {}
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {
            name: unquote(value) for name, value in zip(self.parameter_names, found.groups(), strict=True)
        }


def compile_route(route: HttpRoute) -> CompiledRoute:
    """Rank like API Gateway: literal paths before parameters, parameters before greedy ones, more
    literal segments first, a specific method before ``ANY``, ``$default`` last."""
    if route.path == "$default":
        return CompiledRoute(route, None, (), (1, 0, 0, 0, 0))
    segments = [segment for segment in route.path.strip("/").split("/") if segment]
    parts: list[str] = []
    names: list[str] = []
    literals = parameters = greedy = 0
    for index, segment in enumerate(segments):
        parameter = re.fullmatch(r"\{([^{}+]+)(\+?)\}", segment)
        if parameter is None:
            parts.append(re.escape(segment))
            literals += 1
        elif parameter.group(2):
            if index != len(segments) - 1:
                raise ValueError(f"Greedy parameter must be last in {route.path}")
            parts.append("(.+)")
            names.append(parameter.group(1))
            greedy = 1
        else:
            parts.append("([^/]+)")
            names.append(parameter.group(1))
            parameters += 1
    pattern = re.compile("/" + "/".join(parts))
    rank = (0, greedy, -literals, parameters, 1 if route.method == "ANY" else 0)
    return CompiledRoute(route, pattern, tuple(names), rank)


class RouteTable:
    def __init__(self, routes: list[HttpRoute]) -> None:
        self.routes = sorted((compile_route(route) for route in routes), key=lambda compiled: compiled.rank)

    def match(self, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
        for compiled in self.routes:
            parameters = compiled.match(method, path)
            if parameters is not None:
                return compiled.route, parameters
        return None


def _is_text(content_type: str) -> bool:
    lowered = content_type.lower()
    return any(marker in lowered for marker in _TEXT_TYPES)


def build_event(
    *,
    route: HttpRoute,
    path_parameters: dict[str, str],
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    request_id: str,
    authorizer: dict[str, Any] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """A payload format 2.0 event as API Gateway sends it to a Lambda integration."""
    now = time.time() if now is None else now
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    # API Gateway adds these; links the handlers build (e.g. the gateway's ``next``) rely on them.
    joined.setdefault("x-forwarded-proto", "http")
    joined["x-forwarded-for"] = (
        f"{joined['x-forwarded-for']},{source_ip}" if "x-forwarded-for" in joined else source_ip
    )
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": joined,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": joined.get("host", "127.0.0.1"),
            "domainPrefix": joined.get("host", "127.0.0.1").split(".")[0],
            "http": {
                "method": method.upper(),
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    if body:
        content_type = joined.get("content-type", "")
        if _is_text(content_type):
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def translate_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """The handler's return value as API Gateway turns it into an HTTP response (format 2.0)."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()
    status = int(result["statusCode"])
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        existing = {header.lower() for header, _ in headers}
        if str(name).lower() in existing:
            continue
        headers.extend((str(name), str(value)) for value in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body)
    elif isinstance(raw_body, str):
        body = raw_body.encode("utf-8")
    else:
        body = json.dumps(raw_body).encode()
    return status, headers, body


def json_error(status: int, document: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(document).encode()
