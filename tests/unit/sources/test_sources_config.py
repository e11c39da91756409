"""Configuration: dot-expansion, merge (caller overrides, B9), method overrides, option translation."""

from __future__ import annotations

import httpx
import pytest

from openconnector_core.sources.config import (
    SourceConfigError,
    apply_pagination,
    dot_expand,
    effective_method,
    flatten_params,
    merge,
    prepare_options,
    strip_authentication,
    translate,
)


def test_dot_keys_expand_into_nesting_and_lists() -> None:
    expanded = dot_expand(
        {"headers.Accept": "x", "headers": {"A": "1"}, "extraDataConfigs.0.staticEndpoint": "/e"}
    )
    assert expanded == {"headers": {"A": "1", "Accept": "x"}, "extraDataConfigs": [{"staticEndpoint": "/e"}]}


def test_caller_overrides_duplicate_leaves_case_insensitively() -> None:
    merged = prepare_options(
        {"headers.Accept": "text/xml", "headers.X-A": "a", "query.limit": 5, "timeout": 3},
        {"headers": {"accept": "application/json"}, "query": {"page": 2}, "listMethod": "POST"},
    )
    assert merged == {
        "headers": {"X-A": "a", "accept": "application/json"},
        "query": {"limit": 5, "page": 2},
        "timeout": 3,
    }
    assert merge({"a": [1]}, {"a": [2]}) == {"a": [2]}


@pytest.mark.parametrize(
    ("method", "caller", "read", "expected"),
    [
        ("POST", {"createMethod": "put"}, False, "PUT"),
        ("PATCH", {"updateMethod": "POST"}, False, "POST"),
        ("DELETE", {"destroyMethod": "POST"}, False, "POST"),
        ("GET", {"listMethod": "POST", "readMethod": "PUT"}, False, "POST"),
        ("GET", {"listMethod": "POST", "readMethod": "PUT"}, True, "PUT"),
        ("get", {}, False, "GET"),
    ],
)
def test_method_overrides_come_from_the_caller(method, caller, read, expected) -> None:
    assert effective_method(method, caller, read=read) == expected


def test_pagination_and_secret_stripping() -> None:
    options = {"query": {"a": 1}, "pagination": {"paginationQuery": "page", "page": 4}, "authentication": {}}
    apply_pagination(options)
    assert options["query"] == {"a": 1, "page": 4}
    assert "authentication" not in strip_authentication(options)


def test_php_style_query_flattening() -> None:
    assert flatten_params({"a": {"b": 1}, "c": [True, False], "d": None}) == [
        ("a[b]", "1"),
        ("c[0]", "1"),
        ("c[1]", "0"),
    ]


def test_translation_of_guzzle_options() -> None:
    spec = translate(
        {
            "headers": {"Accept": ["a", "b"], "X": 1},
            "query": {"q": "x"},
            "json": {"k": 1},
            "auth": ["u", "p", "digest"],
            "timeout": 5,
            "connect_timeout": 2,
            "verify": False,
            "allow_redirects": {"max": 2},
            "logBody": "true",
            "http_errors": False,
        },
        method="POST",
        url="https://api.example.org/items",
    )
    assert spec.headers == [("Accept", "a"), ("X", "1")]
    assert spec.basic_auth == ("u", "p", "digest")
    assert spec.timeout.connect == 2 and spec.total_timeout == 5
    assert spec.tls.verify is False and spec.max_redirects == 2 and spec.log_body
    request = spec.build(httpx.Client())
    assert str(request.url) == "https://api.example.org/items?q=x"
    assert request.content == b'{"k":1}'


def test_pem_material_and_bodies() -> None:
    spec = translate(
        {"verify": "-----BEGIN CERTIFICATE-----\\nabc", "cert": ["PEM", "pw"], "body": {"a": 1}},
        method="PUT",
        url="https://x",
    )
    assert spec.tls.verify == "-----BEGIN CERTIFICATE-----\nabc"
    assert (spec.tls.cert, spec.tls.cert_password) == ("PEM", "pw")
    assert spec.content == b'{"a": 1}'
    multipart = translate(
        {"multipart": [{"name": "f", "contents": "x", "filename": "a.txt"}]}, method="POST", url="https://x"
    )
    assert multipart.multipart == [("f", ("a.txt", b"x", None))]


@pytest.mark.parametrize("options", [{"proxy": "http://p:1"}, {"auth": "user"}, {"timeout": "soon"}])
def test_unusable_options_are_refused(options) -> None:
    with pytest.raises(SourceConfigError):
        translate(options, method="GET", url="https://x")
