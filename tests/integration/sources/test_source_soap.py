"""Given a SOAP source with a WSDL, when an operation is called, then the result comes back as JSON."""

from __future__ import annotations


def _soap_source(make_source, peer, **configuration):
    return make_source(f"{peer.url}/soap", {"wsdl": f"{peer.url}/wsdl", **configuration}, type="soap")


def test_soap_operation_result_is_json(engine, make_source, peer) -> None:
    source = _soap_source(make_source, peer)

    call_log = engine.call(source["id"], "Add", "POST", {"json": {"a": 2, "b": 3}})

    assert call_log["statusCode"] == 200, call_log
    assert call_log["response"]["data"] == {"result": 5, "note": "sum"}


def test_wsdl_is_cached_per_container(engine, make_source, peer) -> None:
    source = _soap_source(make_source, peer)
    engine.call(source["id"], "Add", "POST", {"json": {"a": 1, "b": 1}})
    engine.call(source["id"], "Add", "POST", {"body": '{"a": 4, "b": 4}'})
    paths = [r["path"] for r in peer.state.requests]
    assert paths.count("/wsdl") == 1 and paths.count("/soap") == 2


def test_soap_fault_is_a_500_result(engine, make_source, peer) -> None:
    call_log = engine.call(_soap_source(make_source, peer)["id"], "Add", "POST", {"json": {"a": -1, "b": 1}})
    assert call_log["statusCode"] == 500
    assert call_log["response"]["data"]["fault"] == "Negative numbers are not allowed"


def test_missing_wsdl_and_unknown_operation(engine, make_source, peer) -> None:
    no_wsdl = make_source(f"{peer.url}/soap", type="soap")
    assert engine.call(no_wsdl["id"], "Add")["statusMessage"] == "No wsdl provided"
    unknown = engine.call(_soap_source(make_source, peer)["id"], "Multiply", "POST", {"json": {}})
    assert "no operation" in unknown["statusMessage"]


def test_wsdl_goes_through_the_ssrf_guard(make_engine, make_source, peer) -> None:
    engine = make_engine(allow="")
    call_log = engine.call(_soap_source(make_source, peer)["id"], "Add", "POST", {"json": {"a": 1, "b": 1}})
    assert call_log["statusCode"] == 403
    assert peer.state.connections == 0


def test_zeep_errors_reach_the_call_log_in_our_words(engine, make_source, peer) -> None:
    # Arguments the operation does not have: zeep's TypeError text names its internals
    call_log = engine.call(_soap_source(make_source, peer)["id"], "Add", "POST", {"json": {"nonsense": 1}})
    assert call_log["statusCode"] == 502
    assert call_log["statusMessage"] == (
        "The arguments do not match the parameters of SOAP operation 'Add' in the WSDL"
    )
