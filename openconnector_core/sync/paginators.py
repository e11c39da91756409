"""Paginators: a registry of named strategies that read a response and rewrite the next request.

No I/O here (DESIGN principle 7): the worker sends, a paginator decides. Without
``sourceConfig.pagination`` the original's behaviour applies (§5.3: page numbers, switching to
next-link mode when a body has a ``next`` key). ``sourceConfig.pagination: {"type": …}`` selects one
of dlt's ``rest_api`` paginators with dlt's type and parameter names, so a dlt configuration can be
copied: ``page_number``, ``offset``, ``json_link``, ``header_link``, ``cursor``, ``single_page``.

A request is a plain JSON-able dict (it travels in SQS page messages):
``{"endpoint": "/items?x=1", "query": {...}}`` — ``endpoint`` relative to the source location.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from openconnector_core.errors import ValidationError
from openconnector_core.mapping import paths

Request = dict[str, Any]


@dataclass(frozen=True)
class PageResponse:
    """What a paginator may look at: the decoded body, the headers and how many objects it held."""

    data: Any
    headers: Mapping[str, str]
    count: int


@dataclass(frozen=True)
class NextPages:
    """The pages after one response: ``requests`` to send now (all remaining ones when the total is
    known up front, else at most one); ``total`` = the run's page count when known."""

    requests: list[Request]
    total: int | None = None


class Paginator:
    """Base: one request, no next page. ``default_max_pages`` caps runs that do not set ``maxPages``."""

    type = "single_page"
    parameters: tuple[str, ...] = ()
    default_max_pages: int | None = None

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def first(self, request: Request) -> Request:
        return request

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        """The pages to send after page ``page`` (1-based), which was fetched with ``request``."""
        return NextPages([])


# --------------------------------------------------------------------------- helpers


def json_path(data: Any, path: str) -> Any:
    """A dlt-style JSONPath (``$.a.b``, ``a.b[0]``, ``a.b``) as one of our dot paths; ``None`` when absent."""
    text = path.strip()
    text = text.removeprefix("$").lstrip(".")
    text = re.sub(r"\[(\d+)\]", r".\1", text)
    text = re.sub(r"\[['\"]([^'\"]+)['\"]\]", r".\1", text).lstrip(".")
    if not text:
        return data
    value = paths.lookup(data, text)
    return value if paths.found(value) else None


def _with_query(request: Request, **values: Any) -> Request:
    return {**request, "query": {**(request.get("query") or {}), **values}}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def relative_endpoint(link: str, location: str, current: str) -> str:
    """A next link as an endpoint under the source ``location`` (§5.3 next-link mode).

    The location prefix is stripped; a link on another host is refused (calling it with the source's
    credentials would leak them); query parameters of the current endpoint the link lacks are kept."""
    if link.startswith(location) and location:
        endpoint = link[len(location) :]
    else:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            base = urlsplit(location)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
                base.path.rstrip("/")
            ):
                raise ValueError(f"the next link {link!r} points outside the source location")
            endpoint = parts.path[len(base.path.rstrip("/")) :] + (f"?{parts.query}" if parts.query else "")
        else:
            endpoint = link
    if endpoint and not endpoint.startswith(("/", "?")):
        endpoint = "/" + endpoint
    path, _, query = endpoint.partition("?")
    present = dict(parse_qsl(query, keep_blank_values=True))
    _, _, current_query = current.partition("?")
    for key, value in parse_qsl(current_query, keep_blank_values=True):
        present.setdefault(key, value)
    return path + (f"?{urlencode(present)}" if present else "")


# --------------------------------------------------------------------------- the original (§5.3)


class OriginalPaginator(Paginator):
    """Page numbers in ``paginationQuery`` (default ``page``); a body with a top-level ``next`` key
    switches the run to next-link mode. The first request carries no page parameter; an empty page
    ends the run; ``maxPages`` defaults to 50 as upstream."""

    type = "original"
    default_max_pages = 50

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        if response.count == 0:
            return NextPages([])
        data = response.data
        if request.get("mode") == "next" or (isinstance(data, dict) and "next" in data):
            link = data.get("next") if isinstance(data, dict) else None
            if not isinstance(link, str) or not link:
                return NextPages([])
            endpoint = relative_endpoint(link, str(self.config.get("location") or ""), request["endpoint"])
            if endpoint == request["endpoint"]:
                return NextPages([])
            return NextPages([{**request, "endpoint": endpoint, "mode": "next"}])
        param = str(self.config.get("paginationQuery") or "page")
        return NextPages([_with_query(request, **{param: page + 1})])


# --------------------------------------------------------------------------- dlt's paginators


class PageNumberPaginator(Paginator):
    type = "page_number"
    parameters = ("base_page", "page", "page_param", "total_path", "maximum_page", "stop_after_empty_page")

    @property
    def _param(self) -> str:
        return str(self.config.get("page_param") or "page")

    @property
    def _base(self) -> int:
        return int(self.config.get("base_page") or 0)

    def _number(self, page: int) -> int:
        start = self.config.get("page")
        first = int(start) if start is not None else self._base
        return first + page - 1

    def first(self, request: Request) -> Request:
        return _with_query(request, **{self._param: self._number(1)})

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        if response.count == 0 and self.config.get("stop_after_empty_page", True) is not False:
            return NextPages([])
        last = _as_int(self.config.get("maximum_page"))
        total_path = self.config.get("total_path", "total")
        total = _as_int(json_path(response.data, str(total_path))) if total_path else None
        if total is not None:  # dlt: the total number of pages
            last = min(last, total + self._base) if last is not None else total + self._base
        if last is not None:
            if page == 1:  # known up front: every remaining page at once
                pages = list(range(2, last - self._number(1) + 1))
                return NextPages(
                    [_with_query(request, **{self._param: self._number(n)}) for n in pages],
                    total=len(pages) + 1,
                )
            return NextPages([])
        return NextPages([_with_query(request, **{self._param: self._number(page + 1)})])


class OffsetPaginator(Paginator):
    type = "offset"
    parameters = (
        "limit",
        "offset",
        "offset_param",
        "limit_param",
        "total_path",
        "maximum_offset",
        "stop_after_empty_page",
    )

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        limit = _as_int(config.get("limit"))
        if limit is None or limit < 1:
            raise ValidationError(
                "sourceConfig.pagination.limit must be a positive integer for the offset paginator",
                fields=["sourceConfig.pagination.limit"],
            )
        self.limit = limit

    def _query(self, page: int) -> dict[str, Any]:
        start = _as_int(self.config.get("offset")) or 0
        return {
            str(self.config.get("offset_param") or "offset"): start + (page - 1) * self.limit,
            str(self.config.get("limit_param") or "limit"): self.limit,
        }

    def first(self, request: Request) -> Request:
        return _with_query(request, **self._query(1))

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        if response.count == 0 and self.config.get("stop_after_empty_page", True) is not False:
            return NextPages([])
        start = _as_int(self.config.get("offset")) or 0
        ceiling = _as_int(self.config.get("maximum_offset"))
        total_path = self.config.get("total_path", "total")
        total = _as_int(json_path(response.data, str(total_path))) if total_path else None
        if total is not None:  # dlt: the total number of records
            ceiling = min(ceiling, total) if ceiling is not None else total
        if ceiling is not None:
            if page == 1:
                count = max(1, math.ceil((ceiling - start) / self.limit))
                return NextPages(
                    [_with_query(request, **self._query(n)) for n in range(2, count + 1)], total=count
                )
            return NextPages([])
        if response.count < self.limit:
            return NextPages([])
        return NextPages([_with_query(request, **self._query(page + 1))])


class JsonLinkPaginator(Paginator):
    type = "json_link"
    parameters = ("next_url_path",)

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        link = json_path(response.data, str(self.config.get("next_url_path") or "next"))
        if not isinstance(link, str) or not link:
            return NextPages([])
        endpoint = relative_endpoint(link, str(self.config.get("location") or ""), "")
        return NextPages([{**request, "endpoint": endpoint, "query": {}}])


_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


def link_header(value: str) -> dict[str, str]:
    """RFC 8288 (formerly 5988) ``Link`` header → ``{rel: url}``."""
    links: dict[str, str] = {}
    for url, params in _LINK.findall(value or ""):
        for param in params.split(";"):
            name, _, rel = param.strip().partition("=")
            if name.strip().lower() == "rel":
                for each in rel.strip().strip('"').split():
                    links.setdefault(each.lower(), url.strip())
    return links


class HeaderLinkPaginator(Paginator):
    type = "header_link"
    parameters = ("links_next_key",)

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        header = next((v for k, v in response.headers.items() if k.lower() == "link"), "")
        link = link_header(header).get(str(self.config.get("links_next_key") or "next").lower())
        if not link:
            return NextPages([])
        endpoint = relative_endpoint(link, str(self.config.get("location") or ""), "")
        return NextPages([{**request, "endpoint": endpoint, "query": {}}])


class CursorPaginator(Paginator):
    type = "cursor"
    parameters = ("cursor_path", "cursor_param")

    def after(self, page: int, request: Request, response: PageResponse) -> NextPages:
        cursor = json_path(response.data, str(self.config.get("cursor_path") or "cursors.next"))
        if cursor is None or cursor == "" or cursor is False:
            return NextPages([])
        return NextPages([_with_query(request, **{str(self.config.get("cursor_param") or "cursor"): cursor})])


PAGINATORS: dict[str, type[Paginator]] = {
    "original": OriginalPaginator,
    "single_page": Paginator,
    "page_number": PageNumberPaginator,
    "offset": OffsetPaginator,
    "json_link": JsonLinkPaginator,
    "header_link": HeaderLinkPaginator,
    "cursor": CursorPaginator,
}


def paginator_for(source_config: Mapping[str, Any], location: str) -> Paginator:
    """The paginator a synchronization's ``sourceConfig`` asks for; unknown type or parameter → 400
    naming it and listing the valid ones."""
    if str(source_config.get("usesPagination", True)).lower() in ("false", "0", "no", "off"):
        return Paginator({})
    if str(source_config.get("resultsPosition") or "") == "_object":
        return Paginator({})
    pagination = source_config.get("pagination")
    if pagination is None:
        return OriginalPaginator({**source_config, "location": location})
    if isinstance(pagination, str):
        pagination = {"type": pagination}
    if not isinstance(pagination, Mapping):
        raise ValidationError(
            "sourceConfig.pagination must be an object with a 'type'", fields=["sourceConfig.pagination"]
        )
    kind = str(pagination.get("type") or "")
    cls = PAGINATORS.get(kind)
    if cls is None or kind == "original":
        valid = ", ".join(name for name in PAGINATORS if name != "original")
        raise ValidationError(
            f"Unknown sourceConfig.pagination.type {kind!r}; valid: {valid}",
            fields=["sourceConfig.pagination.type"],
        )
    unknown = sorted(key for key in pagination if key != "type" and key not in cls.parameters)
    if unknown:
        raise ValidationError(
            f"Unknown parameter(s) {', '.join(unknown)} for the {kind} paginator; "
            f"valid: {', '.join(cls.parameters) or '(none)'}",
            fields=[f"sourceConfig.pagination.{name}" for name in unknown],
        )
    return cls({**pagination, "location": location})
