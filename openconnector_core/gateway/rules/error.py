"""``error``: answer with the configured status and message (typically under a ``missing`` condition)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.gateway.response import GatewayResponse, json_response
from openconnector_core.gateway.rules.support import settings

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> GatewayResponse:
    config = settings(rule, "error")
    try:
        status = int(config.get("code") or 500)
    except (TypeError, ValueError):
        status = 500
    if not 100 <= status <= 599:
        status = 500
    body: dict[str, Any] = {"error": config.get("name"), "message": config.get("message")}
    if config.get("includeJsonLogicResult"):
        body["errors"] = data.get("logicResult")
    return json_response(status, body)
