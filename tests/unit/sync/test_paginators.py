"""Paginators read a response and rewrite the next request; they do no I/O."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import ValidationError
from openconnector_core.sync.fetch import PageFailure, objects_of
from openconnector_core.sync.paginators import (
    PAGINATORS,
    PageResponse,
    Paginator,
    json_path,
    link_header,
    paginator_for,
    relative_endpoint,
)

LOCATION = "https://api.example/v1"


def response(data: Any, count: int, headers: dict[str, str] | None = None) -> PageResponse:
    return PageResponse(data, headers or {}, count)


def test_every_declared_paginator_has_an_implementation() -> None:
    for name, cls in PAGINATORS.items():
        assert issubclass(cls, Paginator)
        assert cls.type == name or (name == "single_page" and cls is Paginator)


def test_unknown_type_and_parameters_are_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValidationError) as unknown:
        paginator_for({"pagination": {"type": "pages"}}, LOCATION)
    assert "page_number" in unknown.value.message and unknown.value.extra["fields"] == [
        "sourceConfig.pagination.type"
    ]
    with pytest.raises(ValidationError) as parameter:
        paginator_for({"pagination": {"type": "cursor", "cursor_field": "x"}}, LOCATION)
    assert "cursor_field" in parameter.value.message and "cursor_path" in parameter.value.message
    with pytest.raises(ValidationError):
        paginator_for({"pagination": {"type": "offset"}}, LOCATION)  # limit is required


def test_original_counts_pages_and_switches_to_next_links() -> None:
    paginator = paginator_for({"paginationQuery": "p"}, LOCATION)
    first = paginator.first({"endpoint": "/items", "query": {}})
    assert first == {"endpoint": "/items", "query": {}}  # the first request has no page parameter
    second = paginator.after(1, first, response({"results": [1]}, 1)).requests
    assert second == [{"endpoint": "/items", "query": {"p": 2}}]
    assert paginator.after(2, second[0], response({"results": []}, 0)).requests == []
    assert paginator.default_max_pages == 50

    current = {"endpoint": "/items?expand=a&page=1", "query": {}}
    linked = paginator.after(1, current, response({"results": [1], "next": f"{LOCATION}/items?page=2"}, 1))
    assert linked.requests[0]["endpoint"] == "/items?page=2&expand=a"
    assert linked.requests[0]["mode"] == "next"
    assert paginator.after(2, linked.requests[0], response({"results": [1], "next": None}, 1)).requests == []


def test_next_link_on_another_host_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the source location"):
        relative_endpoint("https://evil.example/items?page=2", LOCATION, "/items")


def test_page_number_sends_every_page_at_once_when_the_total_is_known() -> None:
    paginator = paginator_for({"pagination": {"type": "page_number", "total_path": "meta.pages"}}, LOCATION)
    first = paginator.first({"endpoint": "/items", "query": {}})
    assert first["query"] == {"page": 0}
    following = paginator.after(1, first, response({"meta": {"pages": 4}, "data": [1]}, 1))
    assert following.total == 4
    assert [r["query"]["page"] for r in following.requests] == [1, 2, 3]
    assert paginator.after(2, following.requests[0], response({"meta": {"pages": 4}}, 1)).requests == []


def test_page_number_without_total_walks_until_an_empty_page() -> None:
    paginator = paginator_for(
        {"pagination": {"type": "page_number", "base_page": 1, "total_path": None}}, LOCATION
    )
    first = paginator.first({"endpoint": "/items", "query": {}})
    assert first["query"] == {"page": 1}
    assert paginator.after(1, first, response([1], 1)).requests[0]["query"] == {"page": 2}
    assert paginator.after(2, first, response([], 0)).requests == []
    capped = paginator_for(
        {"pagination": {"type": "page_number", "base_page": 1, "maximum_page": 3}}, LOCATION
    )
    assert [r["query"]["page"] for r in capped.after(1, first, response({}, 1)).requests] == [2]


def test_offset_with_total_plans_every_offset() -> None:
    paginator = paginator_for(
        {"pagination": {"type": "offset", "limit": 10, "offset_param": "skip"}}, LOCATION
    )
    first = paginator.first({"endpoint": "/items", "query": {"q": "x"}})
    assert first["query"] == {"q": "x", "skip": 0, "limit": 10}
    following = paginator.after(1, first, response({"total": 25}, 10))
    assert [r["query"]["skip"] for r in following.requests] == [10, 20]
    no_total = paginator_for({"pagination": {"type": "offset", "limit": 10, "total_path": None}}, LOCATION)
    start = no_total.first({"endpoint": "/items", "query": {}})
    assert no_total.after(1, start, response({}, 10)).requests[0]["query"] == {"offset": 10, "limit": 10}
    assert no_total.after(2, start, response({}, 4)).requests == []  # a short page is the last


def test_json_link_header_link_and_cursor() -> None:
    json_link = paginator_for(
        {"pagination": {"type": "json_link", "next_url_path": "$.links.next"}}, LOCATION
    )
    step = json_link.after(
        1, {"endpoint": "/a", "query": {}}, response({"links": {"next": f"{LOCATION}/a?p=2"}}, 1)
    )
    assert step.requests == [{"endpoint": "/a?p=2", "query": {}}]
    assert json_link.after(2, step.requests[0], response({"links": {"next": None}}, 1)).requests == []

    header = paginator_for({"pagination": {"type": "header_link"}}, LOCATION)
    link = f'<{LOCATION}/a?page=3>; rel="next", <{LOCATION}/a?page=9>; rel="last"'
    assert header.after(1, {"endpoint": "/a", "query": {}}, response([1], 1, {"Link": link})).requests == [
        {"endpoint": "/a?page=3", "query": {}}
    ]
    assert header.after(1, {"endpoint": "/a", "query": {}}, response([1], 1)).requests == []

    cursor = paginator_for(
        {"pagination": {"type": "cursor", "cursor_path": "next", "cursor_param": "after"}}, LOCATION
    )
    assert cursor.after(1, {"endpoint": "/a", "query": {}}, response({"next": "abc"}, 1)).requests == [
        {"endpoint": "/a", "query": {"after": "abc"}}
    ]
    assert cursor.after(1, {"endpoint": "/a", "query": {}}, response({"next": None}, 1)).requests == []


def test_single_page_and_no_pagination() -> None:
    for config in (
        {"pagination": {"type": "single_page"}},
        {"usesPagination": "false"},
        {"resultsPosition": "_object"},
    ):
        paginator = paginator_for(config, LOCATION)
        assert paginator.after(1, {"endpoint": "/", "query": {}}, response([1], 1)).requests == []


def test_link_header_and_json_path_helpers() -> None:
    assert link_header('<https://x/a?p=2>; rel="next prev"') == {
        "next": "https://x/a?p=2",
        "prev": "https://x/a?p=2",
    }
    assert json_path({"a": {"b": [{"c": 3}]}}, "$.a.b[0].c") == 3
    assert json_path({"a": 1}, "missing") is None


@pytest.mark.parametrize(
    ("data", "position", "expected"),
    [
        ({"results": [1, 2]}, None, [1, 2]),
        ({"items": [1], "results": [2]}, None, [1]),
        ([1, 2], "_root", [1, 2]),
        ({"a": 1}, "_object", [{"a": 1}]),
        ({"result": {"rows": [3]}}, "result.rows", [3]),
        ({"elements": {"element": {"id": 1}}}, "elements.element", [{"id": 1}]),  # one XML element
        ({}, "result.rows", []),
    ],
)
def test_results_position(data: Any, position: str | None, expected: list[Any]) -> None:
    assert objects_of(data, position) == expected


def test_results_position_not_found_fails_the_page() -> None:
    with pytest.raises(PageFailure, match="Cannot determine"):
        objects_of({"rows": []}, None)
    with pytest.raises(PageFailure, match=r"result\.rows"):
        objects_of({"result": {}}, "result.rows")
