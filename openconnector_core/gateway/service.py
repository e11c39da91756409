"""The gateway: ``/api/endpoint/{path}`` → endpoint → rule chain → target → response.

1. match the endpoint (404/409, never transformed); 2. its ``conditions`` (400 with the fields);
3. before-rules; 4. the amended request; 5. the target and the after-rules, with the status
rules; then the error transformation (problem documents), XML when ``Accept`` asks for it, and CORS. Nothing
a client receives carries a trace, an exception class or an internal path.
"""

from __future__ import annotations

import logging
from functools import cached_property
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import ConflictError, NotFoundError, OpenConnectorError
from openconnector_core.gateway import chain
from openconnector_core.gateway.cache import GatewayCache, LoadedEndpoint
from openconnector_core.gateway.chain import Flow
from openconnector_core.gateway.locks import Locks
from openconnector_core.gateway.matching import match_endpoint, path_parameters
from openconnector_core.gateway.request import GatewayRequest, PayloadTooLargeError, from_event
from openconnector_core.gateway.response import (
    GatewayResponse,
    json_response,
    preflight,
    problem,
    to_event,
    transform_error,
)

if TYPE_CHECKING:
    from openconnector_core.container import Container

logger = logging.getLogger(__name__)

CONDITIONS_FAILED = "The following parameters are not correctly set"
_SUCCESS_STATUS = {"POST": 201, "DELETE": 204}


class Gateway:
    """One per container: the endpoint cache and locks live as long as the execution environment."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.cache: GatewayCache = container.configuration

    @cached_property
    def locks(self) -> Locks:
        return Locks(self.container.object_storage)

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """An API Gateway (payload 2.0) event in, its result out. Never raises."""
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        context = event.get("requestContext") or {}
        instance = str(context.get("requestId") or "")
        origin = headers.get("origin")
        accept = headers.get("accept")
        try:
            if str((context.get("http") or {}).get("method")).upper() == "OPTIONS":
                return to_event(preflight(origin), accept=None, origin=None)
            request = from_event(event)
            response = self.serve(request)
            if request.method == "HEAD":  # a GET endpoint answers HEAD: its headers, no body
                result = to_event(response, accept=accept, origin=origin)
                return {**result, "body": "", "isBase64Encoded": False}
        except PayloadTooLargeError as error:
            response = problem(413, error.message, instance, "Payload Too Large")
        except OpenConnectorError as error:
            status = error.status if error.status < 500 else 500
            detail = error.message if status < 500 else "The request could not be completed"
            response = problem(status, detail, instance, None, error=detail)
        except Exception:
            logger.exception("Gateway request failed")
            response = problem(
                500, "The request could not be completed", instance, None, error="Internal error"
            )
        return to_event(response, accept=accept, origin=origin)

    # ------------------------------------------------------------------ the flow
    def serve(self, request: GatewayRequest) -> GatewayResponse:
        snapshot = self.cache.current()
        try:
            try:
                endpoint = _match(snapshot.endpoints, request)
            except NotFoundError:
                snapshot = self.cache.current(recheck=True)
                endpoint = _match(snapshot.endpoints, request)
        except (NotFoundError, ConflictError) as error:
            title = HTTPStatus(error.status).phrase
            return problem(error.status, error.message, request.request_id, title, error=error.message)
        context = {"parameters": request.parameters, "headers": request.token_headers}
        ok, result = chain.check(endpoint.get("conditions"), context, "endpoint")
        if not ok:
            return problem(
                400, CONDITIONS_FAILED, request.request_id, None, error=CONDITIONS_FAILED, fields=result
            )
        flow = Flow(
            self.container,
            self.cache,
            request,
            endpoint,
            path_parameters(endpoint["endpoint"] or "", request.path),
        )
        rules = chain.ordered_rules(endpoint, snapshot.rules)
        return self._run(flow, rules)

    def _run(self, flow: Flow, rules: list[dict[str, Any]]) -> GatewayResponse:
        request = flow.request
        parameters = dict(request.parameters)
        instance = request.request_id
        if any((rule.get("timing") or "before") == "before" for rule in rules):
            data = {
                "utility": {"currentDate": chain.now_iso()},
                "parameters": {**parameters, **flow.path_params},
                "headers": request.token_headers,
                "path": request.path,
                "method": request.method,
                "body": {
                    "_utility": {"currentDate": chain.now_iso()},
                    "_parameters": request.parameters,
                    "_headers": request.token_headers,
                    "_path": request.path,
                    "_method": request.method,
                    **request.parameters,
                },
            }
            outcome = chain.run(rules, "before", data, flow)
            if isinstance(outcome, GatewayResponse):
                return transform_error(outcome, instance)
            parameters = _amended_parameters(outcome.get("body"), request.parameters)
            flow.amended = {"parameters": parameters}
        target_type = flow.endpoint.get("targetType")
        if target_type == "register/schema":
            from openconnector_core.gateway.targets import objects

            transient = (
                frozenset({"data"}) if any(r.get("type") == "filepart_upload" for r in rules) else frozenset()
            )
            result = objects.serve(flow, parameters, transient=transient)
        elif target_type == "api":
            from openconnector_core.gateway.targets import proxy

            consumed = any(r.get("type") == "authentication" for r in rules)
            changed = parameters != request.parameters
            result = proxy.serve(flow, drop_credentials=consumed, amended=parameters if changed else None)
            if (
                not any(r.get("timing") == "after" for r in rules)
                or result.raw is None
                or not _is_json(result)
            ):
                return result
        else:
            return problem(
                400,
                "Endpoint must specify either a schema or source connection",
                instance,
                None,
                error="Endpoint must specify either a schema or source connection",
            )
        return self._after(flow, rules, result)

    def _after(self, flow: Flow, rules: list[dict[str, Any]], result: GatewayResponse) -> GatewayResponse:
        request = flow.request
        instance = request.request_id
        body = result.body
        flow.object_id = str(body["id"]) if isinstance(body, dict) and body.get("id") is not None else None
        flow.response = {"data": body, "headers": result.headers, "status": result.status, "cookies": {}}
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-type"}
        if any(rule.get("timing") == "after" for rule in rules) and result.ok:
            data = {
                "utility": {"currentDate": chain.now_iso()},
                "parameters": {**request.parameters, **flow.path_params},
                "requestHeaders": request.token_headers,
                "headers": headers,
                "path": request.path,
                "method": request.method,
                "body": body,
            }
            outcome = chain.run(rules, "after", data, flow)
            if isinstance(outcome, GatewayResponse):
                return outcome if outcome.ok else transform_error(outcome, instance)
            body = outcome.get("body")
            if isinstance(outcome.get("headers"), dict):
                headers = {str(k): str(v) for k, v in outcome["headers"].items() if isinstance(v, str | int)}
        if flow.endpoint.get("targetType") == "api":
            return json_response(result.status, body, headers)
        if result.status == 204:
            return GatewayResponse(204, headers=headers)
        if result.status not in (200, 201):
            return transform_error(result, instance)
        crs = request.header("accept-crs")
        if crs:  # the original meant to echo it (its header lookup never matched)
            headers["Content-Crs"] = crs
        return json_response(self._status(flow), body, headers)

    def _status(self, flow: Flow) -> int:
        configured = flow.endpoint.get("configurations")
        if isinstance(configured, dict) and configured.get("defaultStatusCode") not in (None, ""):
            try:
                status = int(configured["defaultStatusCode"])
            except (TypeError, ValueError):
                status = 0
            if 200 <= status <= 599:
                return status
        return _SUCCESS_STATUS.get(flow.request.method, 200)


def _match(endpoints: list[LoadedEndpoint], request: GatewayRequest) -> dict[str, Any]:
    """The endpoint for the request; a HEAD without a HEAD endpoint is served by the GET one."""
    try:
        return match_endpoint(endpoints, request.path, request.method).item
    except NotFoundError:
        if request.method != "HEAD":
            raise
    return match_endpoint(endpoints, request.path, "GET").item


def _amended_parameters(body: Any, original: dict[str, Any]) -> dict[str, Any]:
    """What the before-rules leave for the target: ``body._parameters`` when a rule set it (as the
    original), else the body without the request plumbing (``_parameters``, ``_headers`` …), so a
    mapping rule that reshapes the body reshapes what is written."""
    if not isinstance(body, dict):
        return dict(original)
    if isinstance(body.get("_parameters"), dict) and body["_parameters"] != original:
        return dict(body["_parameters"])
    return {k: v for k, v in body.items() if k not in chain.PLUMBING}


def _is_json(response: GatewayResponse) -> bool:
    content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
    return "json" in content_type.lower() and response.body is not None
