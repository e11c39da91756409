"""Endpoint matching beyond the corpus: consecutive placeholders, 404/409 messages, caching, parameters."""

from __future__ import annotations

import pytest

from openconnector_core.errors import ConflictError, NotFoundError
from openconnector_core.gateway.matching import (
    EndpointRef,
    compile_endpoint,
    match_endpoint,
    matches,
    path_parameters,
    placeholder_parameters,
)


def test_consecutive_middle_placeholders_match_b2() -> None:
    endpoint = EndpointRef("a/{{x}}/{{y}}/b", "GET", "pair")
    assert matches(endpoint, "a/1/2/b", "GET")
    assert not matches(endpoint, "a/1/b", "GET")
    assert path_parameters(endpoint, "a/1/2/b") == {"a": "a", "x": "1", "y": "2", "b": "b"}
    assert placeholder_parameters(endpoint, "a/1/2/b") == {"x": "1", "y": "2"}


def test_trailing_placeholder_stays_optional_after_consecutive_ones() -> None:
    endpoint = EndpointRef("a/{{x}}/{{y}}/{{z}}", "GET")
    assert matches(endpoint, "a/1/2/3", "GET")
    assert matches(endpoint, "a/1/2", "GET")
    assert not matches(endpoint, "a/1", "GET")
    assert path_parameters(endpoint, "a/1/2") == {"a": "a", "x": "1", "y": "2"}
    assert placeholder_parameters(endpoint, "a/1/2") == {"x": "1", "y": "2"}


def test_one_endpoint_serves_collection_and_item() -> None:
    endpoint = EndpointRef("api/buildings/{{id}}", "GET", "buildings")
    assert match_endpoint([endpoint], "api/buildings", "GET") is endpoint
    assert match_endpoint([endpoint], "api/buildings/5", "GET") is endpoint
    assert path_parameters(endpoint, "api/buildings") == {"api": "api", "buildings": "buildings"}


def test_case_sensitive_and_exact_method() -> None:
    endpoint = EndpointRef("api/Things", "GET")
    assert not matches(endpoint, "api/things", "GET")
    assert not matches(endpoint, "api/Things", "get")
    assert not matches(EndpointRef("api/Things", "get"), "api/Things", "GET")


def test_not_found_message() -> None:
    endpoints = [EndpointRef("api/buildings/{{id}}", "GET", "buildings")]
    with pytest.raises(NotFoundError) as raised:
        match_endpoint(endpoints, "api/houses/1", "DELETE")
    assert raised.value.message == "No matching endpoint found for path and method: api/houses/1 DELETE"
    assert raised.value.status == 404


def test_conflict_message_lists_names_in_order() -> None:
    endpoints = [
        EndpointRef("api/buildings/{{id}}", "GET", "buildings"),
        EndpointRef("api/houses", "GET", "houses"),
        EndpointRef("api/{{type}}/5", "GET", "typed"),
    ]
    with pytest.raises(ConflictError) as raised:
        match_endpoint(endpoints, "api/buildings/5", "GET")
    assert raised.value.message == (
        "Multiple endpoints found for path and method: api/buildings/5 GET. "
        "Matching endpoints: buildings, typed"
    )
    assert raised.value.status == 409


def test_method_disambiguates() -> None:
    get = EndpointRef("api/buildings/{{id}}", "GET", "get")
    post = EndpointRef("api/buildings/{{id}}", "POST", "post")
    assert match_endpoint([get, post], "api/buildings", "POST") is post


def test_entity_like_objects_and_missing_definition() -> None:
    class Entity:
        def __init__(self, endpoint: str | None, method: str | None, name: str | None) -> None:
            self.endpoint, self.method, self.name = endpoint, method, name

    real = Entity("zaken/{{id}}/documents", "GET", "docs")
    assert match_endpoint([Entity(None, "GET", "empty"), real], "zaken/1/documents", "GET") is real


def test_invalid_pattern_matches_nothing() -> None:
    assert compile_endpoint("api/(broken").pattern is None
    assert not matches(EndpointRef("api/(broken", "GET"), "api/(broken", "GET")


def test_compiled_once_per_definition() -> None:
    assert compile_endpoint("api/cache/{{id}}") is compile_endpoint("api/cache/{{id}}")


def test_segments_never_span_slashes() -> None:
    endpoint = EndpointRef("files/{{id}}/meta", "GET")
    assert not matches(endpoint, "files/a/b/meta", "GET")
    assert not matches(endpoint, "files//meta", "GET")
    assert not matches(EndpointRef("api/x", "GET"), "api/x\n", "GET")
