"""Fetching one page from an API source through the call engine (§5.3), and reading its objects.

The call engine applies auth, retries with backoff, rate limits and the SSRF guard; what comes back
here is a call log. A page that still failed (a status ≥ 400, a body that is neither JSON nor XML,
objects not where ``resultsPosition`` says) is a :class:`PageFailure` naming the page and the cause.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openconnector_core.mapping import paths
from openconnector_core.sources.config import dot_expand
from openconnector_core.sync.paginators import NextPages, PageResponse, Request, paginator_for

DEFAULT_POSITIONS = ("items", "result", "results")


class PageFailure(Exception):
    """A page could not be read; the run ends ``failed`` and deletes nothing."""


@dataclass(frozen=True)
class FetchedPage:
    objects: list[Any]
    next: NextPages


def source_config(synchronization: Mapping[str, Any]) -> dict[str, Any]:
    config = synchronization.get("sourceConfig")
    return dot_expand(config if isinstance(config, Mapping) else {})


def first_request(config: Mapping[str, Any], data: Mapping[str, Any] | None, render: Any) -> Request:
    """The run's first request: ``endpoint`` rendered with ``{data}`` when it holds a template."""
    endpoint = str(config.get("endpoint") or "")
    if "{{" in endpoint and "}}" in endpoint:
        endpoint = render(endpoint, {"data": dict(data or {})})
    query = config.get("query")
    return {"endpoint": endpoint, "query": dict(query) if isinstance(query, Mapping) else {}}


def request_body(config: Mapping[str, Any], data: Mapping[str, Any] | None) -> str | None:
    """``useDataAsRequestBody``: ``"#"`` → all of ``data``, a dot path → that part of it."""
    position = config.get("useDataAsRequestBody")
    if not isinstance(position, str) or not position or data is None:
        return None
    if position == "#":
        return json.dumps(data)
    value = paths.lookup(dict(data), position)
    return json.dumps(value if paths.found(value) else None)


def objects_of(data: Any, position: str | None) -> list[Any]:
    """The objects of a page body per ``resultsPosition`` (§5.3); raises :class:`PageFailure`."""
    if position == "_root":
        if isinstance(data, list):
            return data
        return [] if data in (None, {}) else [data]
    if position == "_object":
        return [] if data is None else [data]
    if data is None or data == {} or data == []:
        return []
    if position:
        value = paths.lookup(data, position)
        if not paths.found(value):
            raise PageFailure(f"resultsPosition {position!r} was not found in the response")
    else:
        if isinstance(data, list):
            return data
        key = next((k for k in DEFAULT_POSITIONS if isinstance(data, dict) and k in data), None)
        if key is None:
            raise PageFailure("Cannot determine the position of objects in the return body.")
        value = data[key]
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and value and all(k.isdigit() for k in value):
        return list(value.values())
    return [value]  # one XML element comes back as an object, not a list (§5.3 step 5)


def fetch_page(
    call_engine: Any,
    source_id: str,
    location: str,
    config: Mapping[str, Any],
    request: Request,
    page: int,
    body: str | None,
) -> FetchedPage:
    """Call the source for ``request``; the objects and the pages that follow."""
    options: dict[str, Any] = {}
    headers = config.get("headers")
    if isinstance(headers, Mapping) and headers:
        options["headers"] = dict(headers)
    if request.get("query"):
        options["query"] = dict(request["query"])
    if body is not None:
        options["body"] = body
        options.setdefault("headers", {}).setdefault("Content-Type", "application/json")
    method = str(config.get("method") or "GET").upper()
    log = call_engine.call(source_id, endpoint=request["endpoint"], method=method, config=options)
    status = int(log.get("statusCode") or 0)
    response = log.get("response") or {}
    if status >= 400 or status == 0:
        cause = log.get("statusMessage") or response.get("statusMessage") or ""
        raise PageFailure(f"the source answered {status} {cause}".strip())
    data = response.get("data")
    text = str(response.get("body") or "")
    if data is None and text.strip():
        raise PageFailure("the response is neither JSON nor XML")
    objects = objects_of(data, _position(config))
    paginator = paginator_for(config, location)
    headers_in = response.get("headers") or {}
    flat = {str(k): (v[0] if isinstance(v, list) and v else str(v)) for k, v in headers_in.items()}
    try:
        following = paginator.after(page, request, PageResponse(data, flat, len(objects)))
    except ValueError as error:
        raise PageFailure(str(error)) from error
    return FetchedPage(objects, following)


def _position(config: Mapping[str, Any]) -> str | None:
    position = config.get("resultsPosition")
    return str(position) if position not in (None, "") else None
