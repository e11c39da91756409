"""``extend_external_input``: fetch the object(s) a property's URL(s) point at, through the call
engine (SSRF guard, call log), into ``extendedParameters.<property>``; with ``validate`` each is
checked against the entry's ``schema`` (a schema id or slug, or a URL ending in one). A URL that does
not answer 200 with JSON, or an invalid object, fails the request with the original's 400
"Invalid Input"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from openconnector_core.gateway.response import GatewayResponse, json_response
from openconnector_core.gateway.rules.support import input_value, put, settings

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

_MAX_URLS = 20


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any] | GatewayResponse:
    config = settings(rule, "extend_external_input")
    extended: dict[str, Any] = dict(data.get("extendedParameters") or {})
    for entry in config.get("properties") or []:
        prop = str(entry.get("property") if isinstance(entry, dict) else entry)
        value = input_value(data, prop)
        if value in (None, "", []):
            continue
        urls = value if isinstance(value, list) else [value]
        schema = (
            _schema(flow, entry.get("schema")) if config.get("validate") and isinstance(entry, dict) else None
        )
        fetched: list[Any] = []
        for url in urls[:_MAX_URLS]:
            result = _fetch(flow, str(url))
            if result is None:
                return _invalid(prop, str(url))
            if schema is not None and (not isinstance(result, dict) or _errors(schema, result)):
                return _invalid(prop, str(url), fetched_but_invalid=True)
            fetched.append(result)
        extended = put(extended, prop, fetched if isinstance(value, list) else fetched[0])
    data["extendedParameters"] = extended
    return data


def _fetch(flow: Flow, url: str) -> Any:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    source = {
        "name": f"{parts.scheme}://{parts.netloc}",
        "location": f"{parts.scheme}://{parts.netloc}",
        "isEnabled": True,
    }
    endpoint = parts.path + (f"?{parts.query}" if parts.query else "")
    call_log = flow.container.call_engine.call(source, endpoint, "GET")
    response = call_log.get("response") or {}
    if call_log.get("statusCode") != 200 or response.get("data") is None:
        return None
    return response.get("data")


def _schema(flow: Flow, reference: Any) -> dict[str, Any] | None:
    if reference in (None, ""):
        return None
    key = str(reference).rstrip("/").rsplit("/", 1)[-1]
    return dict(flow.container.entities.get("schemas", key).item)


def _errors(schema: dict[str, Any], data: dict[str, Any]) -> list[dict[str, str]]:
    from openconnector_core.objects.validation import object_errors

    return object_errors(schema, data)


def _invalid(prop: str, url: str, *, fetched_but_invalid: bool = False) -> GatewayResponse:
    problem = (
        f"The object on {url} is not valid"
        if fetched_but_invalid
        else f"The object on {url} could not be fetched"
    )
    return json_response(
        400,
        {
            "message": "Invalid Input",
            "error": problem,
            "errors": [
                {
                    "name": prop.rsplit(".", 1)[-1],
                    "code": "invalid-resource",
                    "reason": "The resource is not valid",
                }
            ],
        },
    )
