"""The rule chain: an endpoint's rules in ``order``, each applied when its timing is the
current phase and its JSON-logic condition is truthy the PHP way. A rule returns new data for the
next rule, or a response that ends the chain."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import OpenConnectorError
from openconnector_core.gateway.request import GatewayRequest
from openconnector_core.gateway.response import GatewayResponse, json_response

if TYPE_CHECKING:
    from openconnector_core.container import Container
    from openconnector_core.gateway.cache import GatewayCache
    from openconnector_core.logic import PassMode
    from openconnector_core.objects.ports import SchemaRef

logger = logging.getLogger(__name__)

# What the before-rules' body carries besides the request parameters: never written to a target.
PLUMBING = frozenset({"_utility", "_parameters", "_headers", "_path", "_method", "_extendedInput"})
RuleResult = dict[str, Any] | GatewayResponse
RuleFunction = Callable[[dict[str, Any], dict[str, Any], "Flow"], RuleResult]


@dataclass
class Flow:
    """One request on its way through an endpoint: what every rule may consult."""

    container: Container
    cache: GatewayCache
    request: GatewayRequest
    endpoint: dict[str, Any]
    path_params: dict[str, str]
    phase: str = "before"
    object_id: str | None = None
    user: str | None = None  # who the request runs as after authentication
    amended: dict[str, Any] = field(default_factory=dict)  # requestAmended
    response: dict[str, Any] | None = None  # responseOriginal (after the target)

    @property
    def target_ref(self) -> str:
        return str(self.endpoint.get("targetId") or "")

    def ref(self, key: str | None = None) -> SchemaRef:
        """A ``register/schema`` (default: the endpoint's target) resolved through the cache."""
        return self.cache.schema_ref(key or self.target_ref, self.container.objects.resolve)

    def token(self) -> dict[str, Any]:
        """The flow token as rule conditions read it."""
        original = {
            "method": self.request.method,
            "headers": self.request.token_headers,
            "parameters": {**self.request.parameters, "_path": self.request.path},
            "path": self.request.path,
        }
        return {
            "requestOriginal": original,
            "requestAmended": {**original, **self.amended},
            "responseOriginal": self.response,
            "responseAmended": self.response,
        }


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def ordered_rules(endpoint: dict[str, Any], rules: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The endpoint's rules (ids, uuids or slugs; unknown ones skipped), by ``order`` (stable)."""
    found = [rules[str(key)] for key in endpoint.get("rules") or [] if str(key) in rules]
    return sorted(found, key=lambda rule: _order(rule.get("order")))


def _order(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def check(conditions: Any, data: dict[str, Any], kind: PassMode) -> tuple[bool, Any]:
    """(passes, logic result) of a rule's or endpoint's ``conditions``. Empty conditions pass;
    otherwise PHP ``== true`` of the result."""
    if conditions in (None, [], {}, ""):
        return True, None
    from openconnector_core import logic

    result = logic.evaluate(conditions, data)
    return logic.passes(result, kind), result


def run(rules: Sequence[dict[str, Any]], phase: str, data: dict[str, Any], flow: Flow) -> RuleResult:
    from openconnector_core.gateway.rules import REGISTRY, UNSUPPORTED

    flow.phase = phase
    token: dict[str, Any] | None = None
    for rule in rules:
        if (rule.get("timing") or "before") != phase:
            continue
        if token is None:
            token = flow.token()
        data["flowToken"] = token
        rule_type = str(rule.get("type") or "")
        try:
            ok, result = check(rule.get("conditions"), data, "rule")
            if not ok:
                continue
            data["logicResult"] = _decoded(result)
            if rule_type in UNSUPPORTED:
                logger.warning("Rule %s of unsupported type %s skipped", rule.get("id"), rule_type)
                continue
            function = REGISTRY.get(rule_type)
            if function is None:
                return _failure(flow, rule, f"Unsupported rule type: {rule_type}", 500)
            outcome = function(rule, data, flow)
        except OpenConnectorError as error:
            return _failure(flow, rule, error.message, error.status if error.status < 500 else 500)
        except Exception:
            logger.exception("Rule %s (%s) failed", rule.get("id"), rule_type)
            return _failure(flow, rule, "internal error", 500)
        if isinstance(outcome, GatewayResponse):
            return outcome
        data = outcome
        token = None  # rules may change what the token shows
    body = data.get("body")
    if isinstance(body, dict):
        body.pop("_extendedInput", None)
    data.pop("flowToken", None)
    return data


def _decoded(result: Any) -> Any:
    if isinstance(result, str):
        try:
            return json.loads(result)
        except ValueError:
            return result
    return result


def _failure(flow: Flow, rule: dict[str, Any], message: str, status: int) -> GatewayResponse:
    return json_response(
        status,
        {
            "error": (
                f"Failed to apply rule for endpoint {flow.endpoint.get('name')} with rule {rule.get('name')} "
                f"of type {rule.get('type')}. With error message: {message}"
            )
        },
    )
