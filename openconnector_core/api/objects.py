"""The objects API (``/api/objects/{register}/{schema}[/{id}[/audit-trail]]``) and the two routes
the object store guards: deleting a schema or register that still holds objects is a 409.

Registered before the generic CRUD router, so ``DELETE /api/schemas|registers/<key>`` is answered
here. The object paths have more segments than any generic route, which never match them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import (
    empty_response,
    format_etag,
    header,
    json_body,
    json_response,
    parse_if_match,
    query_params,
)
from openconnector_core.errors import MethodNotAllowedError
from openconnector_core.objects.holders import delete_holder
from openconnector_core.objects.ports import StoredObject
from openconnector_core.store.query import parse_limit

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

_COLLECTION = "/api/objects/<register>/<schema>"
_ITEM = f"{_COLLECTION}/<object_id>"


def _ref(register: str, schema: str) -> str:
    return f"{unquote(register)}/{unquote(schema)}"


def principal() -> str | None:
    """Who calls the management API, for the audit trail: the JWT subject or the IAM caller."""
    context = router.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    claims = (context.get("jwt") or {}).get("claims") or {}
    iam = context.get("iam") or {}
    subject = claims.get("sub") or claims.get("username") or iam.get("userArn") or iam.get("callerId")
    return str(subject) if subject else None


def _stored(status: int, stored: StoredObject, headers: dict[str, str] | None = None) -> Response[Any]:
    return json_response(status, stored.object, {"ETag": format_etag(stored.etag), **(headers or {})})


@router.get(_COLLECTION)
def list_objects(register: str, schema: str) -> Response[Any]:
    params = query_params(router)
    page = container().objects.list(
        _ref(register, schema),
        filters={key: value for key, value in params.items() if not key.startswith("_")},
        search=params.get("_search") or None,
        limit=parse_limit(params.get("_limit")),
        cursor=params.get("_next") or None,
    )
    return json_response(200, {"results": page.items, "next": page.next})


@router.post(_COLLECTION)
def create_object(register: str, schema: str) -> Response[Any]:
    stored = container().objects.create(_ref(register, schema), json_body(router), actor=principal())
    location = f"/api/objects/{register}/{schema}/{stored.object['id']}"
    return _stored(201, stored, {"Location": location})


@router.get(_ITEM)
def get_object(register: str, schema: str, object_id: str) -> Response[Any]:
    return _stored(200, container().objects.get(_ref(register, schema), unquote(object_id)))


@router.put(_ITEM)
def replace_object(register: str, schema: str, object_id: str) -> Response[Any]:
    return _write(container().objects.replace, register, schema, object_id)


@router.patch(_ITEM)
def patch_object(register: str, schema: str, object_id: str) -> Response[Any]:
    return _write(container().objects.patch, register, schema, object_id)


def _write(method: Callable[..., StoredObject], register: str, schema: str, object_id: str) -> Response[Any]:
    """PUT (replace) or PATCH (merge) with the request body, its ``If-Match`` and the caller."""
    stored = method(
        _ref(register, schema),
        unquote(object_id),
        json_body(router),
        if_match=parse_if_match(header(router, "If-Match")),
        actor=principal(),
    )
    return _stored(200, stored)


@router.delete(_ITEM)
def delete_object(register: str, schema: str, object_id: str) -> Response[Any]:
    container().objects.delete(
        _ref(register, schema),
        unquote(object_id),
        if_match=parse_if_match(header(router, "If-Match")),
        actor=principal(),
    )
    return empty_response(204)


@router.get(f"{_ITEM}/audit-trail")
def object_audit_trail(register: str, schema: str, object_id: str) -> Response[Any]:
    params = query_params(router)
    page = container().objects.audit_trail(
        _ref(register, schema),
        unquote(object_id),
        limit=parse_limit(params.get("_limit")),
        cursor=params.get("_next") or None,
    )
    return json_response(200, {"results": page.items, "next": page.next})


@router.route(_COLLECTION, method=["PUT", "PATCH", "DELETE"])
def collection_method_not_allowed(register: str, schema: str) -> Response[Any]:
    raise MethodNotAllowedError(
        "Method not allowed on /api/objects/{register}/{schema}", allow=["GET", "POST"]
    )


@router.route(_ITEM, method=["POST"])
def item_method_not_allowed(register: str, schema: str, object_id: str) -> Response[Any]:
    raise MethodNotAllowedError(
        "Method not allowed on /api/objects/{register}/{schema}/{id}", allow=["DELETE", "GET", "PATCH", "PUT"]
    )


@router.delete("/api/schemas/<key>")
def delete_schema(key: str) -> Response[Any]:
    return _delete_unless_in_use("schemas", unquote(key))


@router.delete("/api/registers/<key>")
def delete_register(key: str) -> Response[Any]:
    return _delete_unless_in_use("registers", unquote(key))


def _delete_unless_in_use(resource: str, key: str) -> Response[Any]:
    """A schema or register that still holds objects is kept: 409 (delete its objects first)."""
    services = container()
    delete_holder(
        services.entities,
        services.objects,
        resource,
        key,
        if_match=parse_if_match(header(router, "If-Match")),
    )
    return empty_response(204)


def openapi_paths() -> dict[str, dict[str, Any]]:
    """This router's part of ``/api/openapi.json`` (the parameter and response components are shared)."""

    def path_param(name: str, description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": description,
        }

    def errors(*statuses: str) -> dict[str, Any]:
        return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}

    def json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema or obj}}}

    obj: dict[str, Any] = {
        "type": "object",
        "description": "The object as stored, plus `id` and `@self` "
        "(`register`, `schema`, `version`, `created`, `updated`)",
        "required": ["id", "@self"],
    }
    page = {
        "type": "object",
        "required": ["results", "next"],
        "properties": {"results": {"type": "array", "items": obj}, "next": {"type": ["string", "null"]}},
    }
    etag = {"ETag": {"description": "Revision of the object, for `If-Match`", "schema": {"type": "string"}}}
    ref = [
        path_param("register", "Register id, uuid or slug"),
        path_param("schema", "Schema id, uuid or slug"),
    ]
    item = [*ref, path_param("id", "Object id (a uuid)")]
    if_match = [{"$ref": "#/components/parameters/ifMatch"}]
    body = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    tags = ["objects"]
    written = {
        "200": {**json("The object"), "headers": etag},
        **errors("400", "401", "403", "404", "409", "412"),
    }
    return {
        "/api/objects/{register}/{schema}": {
            "parameters": ref,
            "get": {
                "tags": tags,
                "operationId": "list-objects",
                "summary": "List objects: stable order, equality filters on (dot-path) fields, `_search`",
                "parameters": [
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/next"},
                    {"$ref": "#/components/parameters/search"},
                    {"$ref": "#/components/parameters/filters"},
                ],
                "responses": {"200": json("A page of objects", page), **errors("400", "401", "403", "404")},
            },
            "post": {
                "tags": tags,
                "operationId": "create-object",
                "summary": "Create an object, validated against the schema",
                "requestBody": body,
                "responses": {
                    "201": {**json("The created object"), "headers": etag},
                    **errors("400", "401", "403", "404", "409"),
                },
            },
        },
        "/api/objects/{register}/{schema}/{id}": {
            "parameters": item,
            "get": {
                "tags": tags,
                "operationId": "get-object",
                "summary": "Read an object",
                "responses": {"200": {**json("The object"), "headers": etag}, **errors("401", "403", "404")},
            },
            "put": {
                "tags": tags,
                "operationId": "replace-object",
                "summary": "Replace an object",
                "parameters": if_match,
                "requestBody": body,
                "responses": written,
            },
            "patch": {
                "tags": tags,
                "operationId": "patch-object",
                "summary": "Merge top-level fields into an object",
                "parameters": if_match,
                "requestBody": body,
                "responses": written,
            },
            "delete": {
                "tags": tags,
                "operationId": "delete-object",
                "summary": "Delete an object",
                "parameters": if_match,
                "responses": {"204": {"description": "Deleted"}, **errors("401", "403", "404", "412")},
            },
        },
        "/api/objects/{register}/{schema}/{id}/audit-trail": {
            "parameters": item,
            "get": {
                "tags": tags,
                "operationId": "object-audit-trail",
                "summary": "Who created, changed or deleted the object, newest first",
                "parameters": [
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/next"},
                ],
                "responses": {"200": json("A page of audit entries", page), **errors("401", "403", "404")},
            },
        },
    }
