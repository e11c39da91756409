"""Given a source on a local peer, when the engine calls it, then the call log tells what happened."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import RateLimitedError
from openconnector_core.sources.call_logs import KIND, CallLogQuery


def test_json_call_returns_log_with_full_body_and_data(engine, make_source, peer, logs) -> None:
    source = make_source(peer.url, {"headers.Accept": "application/json", "query.limit": 5})

    call_log = engine.call(source["id"], "/items")

    assert call_log["statusCode"] == 200
    assert call_log["response"]["data"]["results"][0]["name"] == "one"
    assert call_log["response"]["data"]["query"] == {"limit": "5"}
    assert call_log["request"]["url"] == f"{peer.url}/items?limit=5"
    assert call_log["response"]["responseTime"] > 0
    stored = logs.get(KIND, call_log["id"])
    assert "body" not in stored["response"]  # success bodies are not persisted without logBody
    assert stored["sourceId"] == source["id"]
    assert stored["expires"] is not None


def test_error_bodies_are_persisted_as_previews(engine, make_source, peer, logs) -> None:
    source = make_source(peer.url)
    call_log = engine.call(source["id"], "/error")
    assert call_log["statusCode"] == 500
    assert logs.get(KIND, call_log["id"])["response"]["body"] == '{"error": "boom"}'


def test_log_body_keeps_a_capped_preview(engine, make_source, peer, logs) -> None:
    source = make_source(peer.url, {"logBody": True})
    call_log = engine.call(source["id"], "/big")
    assert len(call_log["response"]["body"]) == 200_000
    stored = logs.get(KIND, call_log["id"])["response"]
    assert stored["bodyTruncated"] is True
    assert len(stored["body"]) < 2100


def test_xml_is_converted_with_the_originals_conventions(engine, make_source, peer) -> None:
    call_log = engine.call(make_source(peer.url)["id"], "/xml")
    data = call_log["response"]["data"]
    assert data["@attributes"] == {"identifier": "id-1"}
    assert data["elements"]["element"][1]["name"] == {"#text": "Two"}


def test_caller_config_overrides_source_leaves(engine, make_source, peer) -> None:
    source = make_source(
        peer.url, {"headers.Accept": "text/xml", "headers.X-Source": "kept", "query.limit": 5}
    )

    call_log = engine.call(
        source["id"],
        "/echo",
        "POST",
        {
            "headers": {"accept": "application/json"},
            "query": {"page": 2},
            "json": {"a": 1},
            "createMethod": "PUT",
        },
    )

    echoed = call_log["response"]["data"]
    assert echoed["method"] == "PUT"
    assert echoed["headers"]["accept"] == "application/json"
    assert echoed["headers"]["x-source"] == "kept"
    assert echoed["query"] == {"limit": "5", "page": "2"}
    assert echoed["body"] == '{"a":1}'


def test_form_params_pagination_and_templates(engine, make_source, peer) -> None:
    source = make_source(peer.url, {"headers.X-Name": "{{ source.name }}"}, name="Templated")
    call_log = engine.call(
        source["id"],
        "/echo",
        "POST",
        {"form_params": {"a": "1", "b": ["x", "y"]}, "pagination": {"paginationQuery": "page", "page": 3}},
    )
    echoed = call_log["response"]["data"]
    assert echoed["query"] == {"page": "3"}
    assert echoed["body"] == "a=1&b%5B0%5D=x&b%5B1%5D=y"
    assert echoed["headers"]["x-name"] == "Templated"


def test_disabled_source_and_missing_location_are_409_results(engine, make_source, peer) -> None:
    disabled = make_source(peer.url, isEnabled=False)
    assert engine.call(disabled["id"])["statusMessage"] == "This source is not enabled"
    no_location = make_source("")
    result = engine.call(no_location["id"])
    assert (result["statusCode"], result["statusMessage"]) == (409, "This source has no location")
    assert peer.state.connections == 0


def test_connection_failure_is_a_synthetic_503(engine, make_source, peer) -> None:
    port = peer.port
    peer.stop()
    call_log = engine.call(make_source(f"http://127.0.0.1:{port}")["id"], "/items", config={"retry": False})
    assert call_log["statusCode"] == 503
    assert call_log["response"]["body"]


def test_response_size_cap_aborts_the_read(engine, make_source, peer) -> None:
    call_log = engine.call(make_source(peer.url, {"maxResponseBytes": 1000})["id"], "/big")
    assert call_log["statusCode"] == 502
    assert "maximum size" in call_log["statusMessage"]


def test_proxy_option_is_refused(engine, make_source, peer) -> None:
    call_log = engine.call(make_source(peer.url, {"proxy": "http://proxy.example:3128"})["id"], "/items")
    assert call_log["statusCode"] == 409
    assert "proxy" in call_log["statusMessage"]
    assert peer.state.connections == 0


def test_rate_limit_headers_are_parsed_and_exhaustion_refuses_locally(
    engine, make_source, peer, entities
) -> None:
    source = make_source(peer.url)
    first = engine.call(source["id"], "/rate-headers")
    assert first["statusCode"] == 200
    state = entities.reveal("sources", source["id"])
    assert (state["rateLimitLimit"], state["rateLimitRemaining"]) == (10, 0)
    assert state["lastCall"]

    refused = engine.call(source["id"], "/items")
    assert refused["statusCode"] == 429
    assert 0 < refused["retryAfter"] <= 30
    assert peer.state.connections == 1
    with pytest.raises(RateLimitedError) as raised:
        engine.call(source["id"], "/items", raise_rate_limited=True)
    assert raised.value.extra["retryAfter"] > 0


def test_support_calls_run_before_and_after(engine, make_source, peer) -> None:
    source = make_source(peer.url)
    engine.call(
        source["id"],
        "/items",
        config={"preRequest": {"endpoint": "/echo"}, "postRequest": {"endpoint": "/xml"}},
    )
    assert [r["path"] for r in peer.state.requests] == ["/echo", "/items", "/xml"]


def test_call_source_function_returns_the_raw_body(engine, make_source, peer) -> None:
    source = make_source(peer.url)
    body = engine.call_source_function(source["id"], f"{peer.url}/items")
    assert body.startswith('{"results"')


def test_call_log_query_filters(engine, make_source, peer, logs) -> None:
    source = make_source(peer.url)
    other = make_source(peer.url, name="Other")
    engine.call(source["id"], "/items")
    engine.call(source["id"], "/error")
    engine.call(other["id"], "/items")
    query = CallLogQuery(logs)

    def statuses(params: dict[str, Any]) -> list[int]:
        return sorted(item["statusCode"] for item in query.list(params).items)

    assert statuses({"sourceId": source["id"]}) == [200, 500]
    assert statuses({"statusCode": "400,599"}) == [500]
    assert statuses({"status_code": "200"}) == [200, 200]
    assert statuses({"date_from": "2000-01-01T00:00:00Z", "date_to": "2999-01-01T00:00:00Z"}) == [
        200,
        200,
        500,
    ]
    assert statuses({"slow": "600000"}) == []
    page = query.list({"_limit": "2"})
    assert len(page.items) == 2 and page.next
    assert len(query.list({"_limit": "2", "_next": page.next}).items) == 1


def test_a_busy_source_without_rate_limits_is_written_at_most_once_a_minute(
    engine, make_source, peer, entities, monkeypatch
) -> None:
    # Given a source whose server sends no rate-limit headers, and a count of state writes
    source = make_source(peer.url)
    writes: list[dict] = []
    original = entities.record_state
    monkeypatch.setattr(entities, "record_state", lambda *args: writes.append(args[2]) or original(*args))

    # When it is called five times in a row
    for _ in range(5):
        assert engine.call(source["id"], "/items")["statusCode"] == 200

    # Then only the first call recorded lastCall; the others are within the same minute
    assert [list(fields) for fields in writes] == [["lastCall"]]
    assert entities.reveal("sources", source["id"])["lastCall"]
