"""Action routes: mapping test, condition test, source test, and the call-log query.

Engines are imported inside the routes that use them (cold start: the mapping engine pulls in
jinja2, the call engine httpx and the auth schemes).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import json_body, json_response, query_params
from openconnector_core.errors import MethodNotAllowedError, ValidationError

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

# Content types of the source test's ``type`` shorthand (upstream `SourcesController::test`).
BODY_TYPES = {"json": "application/json", "xml": "application/xml", "yaml": "application/x-yaml"}


def _require(body: dict[str, Any], *fields: str) -> None:
    missing = [field for field in fields if field not in body or body[field] is None]
    if missing:
        raise ValidationError(f"Missing required field(s): {', '.join(missing)}", fields=missing)


def _expect(body: dict[str, Any], field: str, kinds: tuple[type, ...], what: str) -> None:
    if field in body and body[field] is not None and not isinstance(body[field], kinds):
        raise ValidationError(f"'{field}' must be {what}", fields=[field])


@router.post("/api/mappings/test")
def test_mapping() -> Response[Any]:
    body = json_body(router)
    _require(body, "inputObject", "mapping")
    list_mode = body.get("list", False)
    if not isinstance(list_mode, bool):
        raise ValidationError("'list' must be a boolean", fields=["list"])
    if list_mode:
        _expect(body, "inputObject", (list, dict), "an array or an object")
    else:
        _expect(body, "inputObject", (dict,), "an object")
    _expect(body, "mapping", (dict, str), "a mapping object or the id, uuid or slug of a stored mapping")

    services = container()
    services.configuration.current(recheck=True)  # a sub-mapping saved a moment ago is the one tested
    mapping, stored = body["mapping"], isinstance(body["mapping"], str)
    if stored:
        mapping = services.entities.get("mappings", mapping).item
    result = services.mapping_engine.run(mapping, body["inputObject"], list_mode=list_mode, stored=stored)
    errors = _schema_errors(body, result) if body.get("schema") not in (None, "") else []
    return json_response(200, {"resultObject": result, "isValid": not errors, "validationErrors": errors})


def _schema_errors(body: dict[str, Any], result: Any) -> list[dict[str, str]]:
    """With ``schema`` (an id, uuid or slug of a stored schema) and ``validation``, the result's
    JSON-Schema errors, as the objects API reports them; each item of a list-mode result on its own."""
    from openconnector_core.objects.validation import object_errors

    schema = container().entities.get("schemas", str(body["schema"])).item
    if not body.get("validation"):
        return []
    if isinstance(result, list):
        return [
            {**error, "property": f"{index}.{error['property']}".rstrip(".")}
            for index, item in enumerate(result)
            for error in object_errors(schema, item if isinstance(item, dict) else {})
        ]
    return object_errors(schema, result if isinstance(result, dict) else {})


@router.post("/api/conditions/test")
def test_conditions() -> Response[Any]:
    from openconnector_core.logic import evaluate

    body = json_body(router)
    _require(body, "conditions")
    data = body.get("data")
    if data is None:
        data = {}
    return json_response(200, {"result": evaluate(body["conditions"], data)})


@router.post("/api/sources/<key>/test")
def test_source(key: str) -> Response[Any]:
    key = unquote(key)
    body = json_body(router, required=False)
    for field in ("method", "endpoint", "type"):
        _expect(body, field, (str,), "a string")
    for field in ("headers", "query"):
        _expect(body, field, (dict,), "an object")
    config: dict[str, Any] = {}
    headers = {str(name): str(value) for name, value in (body.get("headers") or {}).items()}
    body_type = body.get("type")
    if body_type is not None:
        if body_type not in BODY_TYPES:
            raise ValidationError(f"'type' must be one of: {', '.join(BODY_TYPES)}", fields=["type"])
        headers["Content-Type"] = BODY_TYPES[body_type]
    if headers:
        config["headers"] = headers
    if body.get("query"):
        config["query"] = body["query"]
    payload = body.get("body")
    if isinstance(payload, str):
        config["body"] = payload
    elif payload is not None:
        config["json"] = payload  # Guzzle's ``json`` option: encoded, with Content-Type application/json
    method = (body.get("method") or "GET").upper()
    endpoint = body.get("endpoint") or ""

    # An unknown source is a NotFoundError (404) from the engine's lookup, before anything is sent.
    log = container().call_engine.call(key, endpoint=endpoint, method=method, config=config)
    response = log.get("response")
    # The decoded body lives in memory only, never in a stored call log.
    if isinstance(response, dict) and "data" in response:
        log = {**log, "response": {k: v for k, v in response.items() if k != "data"}}
    return json_response(200, log)


@router.get("/api/call-logs")
def list_call_logs() -> Response[Any]:
    page = container().call_logs.list(query_params(router))
    return json_response(200, {"results": page.items, "next": page.next})


# The action paths are not resources: keep GET/PUT/DELETE on them out of the CRUD routes.
@router.route("/api/mappings/test", method=["GET", "PUT", "PATCH", "DELETE"])
def mapping_test_not_allowed() -> Response[Any]:
    raise MethodNotAllowedError("Use POST to test a mapping", allow=["POST"])


@router.route("/api/conditions/test", method=["GET", "PUT", "PATCH", "DELETE"])
def conditions_test_not_allowed() -> Response[Any]:
    raise MethodNotAllowedError("Use POST to test conditions", allow=["POST"])


@router.route("/api/sources/<key>/test", method=["GET", "PUT", "PATCH", "DELETE"])
def source_test_not_allowed(key: str) -> Response[Any]:
    raise MethodNotAllowedError("Use POST to test a source", allow=["POST"])
