"""``mapping``: map the body, or each of ``body.results`` for a ``get`` rule (``mapResults``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.gateway.rules.support import run_mapping

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any]:
    configuration = rule.get("configuration") or {}
    reference = configuration.get("mapping")
    if reference in (None, ""):
        return data
    body = data.get("body")
    results = body.get("results") if isinstance(body, dict) else None
    map_results = configuration.get("mapResults", True) in (True, 1, "1", "true")
    if isinstance(results, list) and str(rule.get("action") or "").lower() == "get" and map_results:
        assert isinstance(body, dict)
        body["results"] = [run_mapping(flow, reference, item) for item in results]
    else:
        data["body"] = run_mapping(flow, reference, body if body is not None else {})
    return data
