"""What several rule types share: the object a rule works on, mappings, dot paths, store errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError, OpenConnectorError, ValidationError
from openconnector_core.gateway.response import GatewayResponse, json_response
from openconnector_core.mapping import paths

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow
    from openconnector_core.objects.ports import ObjectService

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# Reading and writing the rule data by dot path (shared with the synchronization file rules).
get = paths.value_at
put = paths.written


def settings(rule: dict[str, Any], name: str) -> dict[str, Any]:
    """``configuration.<name>`` as an object (empty when absent)."""
    value = (rule.get("configuration") or {}).get(name)
    return value if isinstance(value, dict) else {}


def objects(flow: Flow) -> ObjectService:
    return flow.container.objects


def require_object(flow: Flow) -> str:
    """The id of the object the target produced; these rules run ``after`` on register/schema."""
    if not flow.object_id:
        raise BadRequestError(
            "This rule needs an object: give it timing 'after' on a register/schema endpoint"
        )
    return flow.object_id


def uuid_in(value: Any) -> str | None:
    """A UUID, or the UUID a URL ends with."""
    if not isinstance(value, str):
        return None
    tail = value.rstrip("/").rsplit("/", 1)[-1]
    return tail if UUID.fullmatch(tail) else None


def input_value(data: dict[str, Any], path: str) -> Any:
    """``path`` in the rule data, else (unless it names ``body.`` already) in the body."""
    value = get(data, path)
    if value is None and not path.startswith("body."):
        value = get(data.get("body"), path)
    return value


def run_mapping(flow: Flow, reference: Any, value: Any, *, list_mode: bool = False) -> Any:
    mapping = flow.cache.mapping(str(reference))
    if mapping is None:  # the endpoint is misconfigured, not the request wrong: 500
        raise OpenConnectorError(f"Mapping {reference} not found")
    return flow.container.mapping_engine.run(mapping, value, list_mode, stored=True)


def validation_response(error: ValidationError) -> GatewayResponse:
    """An object-store validation failure for the error transformation: ``invalidParams`` per property."""
    problems = error.extra.get("errors") or []
    params = [
        {
            "property": str(item.get("property") or item.get("field") or ""),
            "code": "required" if _is_missing(str(item.get("message"))) else "invalid value",
            "reason": str(item.get("message") or ""),
        }
        for item in problems
        if isinstance(item, dict)
    ]
    return json_response(400, {"message": "Validation failed", "error": error.message, "errors": params})


def _is_missing(message: str) -> bool:
    lowered = message.lower()
    return "required" in lowered or "missing" in lowered
