"""The OpenAPI 3.1 document of the management API, generated from the pydantic entity models.

Built on first request and cached per execution environment. Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

ERROR_RESPONSES = {
    "400": "Bad input (malformed JSON, invalid or unknown fields — named in `fields`)",
    "401": "Missing or invalid credentials",
    "403": "Forbidden",
    "404": "Unknown resource, entity or route",
    "409": "Conflict (e.g. a slug that is already taken)",
    "412": "Stale `If-Match`",
    "429": "Too many requests",
    "500": "Unexpected error (the body carries the request id, never details)",
}

CALL_LOG_FILTERS: list[dict[str, Any]] = [
    {"name": "sourceId", "in": "query", "description": "Calls of this source", "schema": {"type": "string"}},
    {
        "name": "statusCode",
        "in": "query",
        "description": "One status code, or a range `min,max`",
        "schema": {"type": "string"},
    },
    {"name": "date_from", "in": "query", "description": "ISO-8601", "schema": {"type": "string"}},
    {"name": "date_to", "in": "query", "description": "ISO-8601", "schema": {"type": "string"}},
    {
        "name": "slow",
        "in": "query",
        "description": "Only calls slower than this many ms (`true`: 5000)",
        "schema": {"type": "string"},
    },
]


def camel(name: str) -> str:
    """``synchronization-contracts`` → ``synchronizationContracts``."""
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}


def _etag_header() -> dict[str, Any]:
    return {"ETag": {"description": "Revision of the entity, for `If-Match`", "schema": {"type": "string"}}}


def _resource_paths(resource: str, schema_name: str, read_only: bool) -> dict[str, dict[str, Any]]:
    tag = resource
    item = _ref(schema_name)
    list_op = {
        "tags": [tag],
        "operationId": f"list-{resource}",
        "summary": f"List {resource}",
        "parameters": [
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/next"},
            {"$ref": "#/components/parameters/search"},
            {"$ref": "#/components/parameters/filters"},
        ],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "required": ["results", "next"],
                    "properties": {
                        "results": {"type": "array", "items": item},
                        "next": {"type": ["string", "null"], "description": "Token for `_next`"},
                    },
                },
                f"A page of {resource}",
            ),
            **_errors("400", "401", "403"),
        },
    }
    get_op = {
        "tags": [tag],
        "operationId": f"get-{resource}",
        "summary": f"Get one of {resource} by id, uuid or slug",
        "responses": {
            "200": {**_json(item, "The entity"), "headers": _etag_header()},
            **_errors("401", "403", "404"),
        },
    }
    if resource == "call-logs":
        list_op["summary"] = "List call logs, newest first"
        list_op["parameters"] = [
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/next"},
            *CALL_LOG_FILTERS,
        ]
    collection: dict[str, Any] = {"get": list_op}
    entity: dict[str, Any] = {"parameters": [{"$ref": "#/components/parameters/key"}], "get": get_op}
    if not read_only:
        collection["post"] = {
            "tags": [tag],
            "operationId": f"create-{resource}",
            "summary": f"Create one of {resource} (an `id` and a `slug` are generated when absent)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": item}}},
            "responses": {
                "201": {
                    **_json(item, "The created entity"),
                    "headers": {
                        **_etag_header(),
                        "Location": {"description": "URL of the entity", "schema": {"type": "string"}},
                    },
                },
                **_errors("400", "401", "403", "409"),
            },
        }
        entity["put"] = {
            "tags": [tag],
            "operationId": f"update-{resource}",
            "summary": f"Update one of {resource} (partial; the version is bumped)",
            "parameters": [{"$ref": "#/components/parameters/ifMatch"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": item}}},
            "responses": {
                "200": {**_json(item, "The updated entity"), "headers": _etag_header()},
                **_errors("400", "401", "403", "404", "409", "412"),
            },
        }
        entity["delete"] = {
            "tags": [tag],
            "operationId": f"delete-{resource}",
            "summary": f"Delete one of {resource}",
            "parameters": [{"$ref": "#/components/parameters/ifMatch"}],
            "responses": {"204": {"description": "Deleted"}, **_errors("401", "403", "404", "412")},
        }
    return {f"/api/{resource}": collection, f"/api/{resource}/{{key}}": entity}


def _action_paths() -> dict[str, dict[str, Any]]:
    any_value: dict[str, Any] = {}
    return {
        "/api/health": {
            "get": {
                "tags": ["system"],
                "operationId": "health",
                "summary": "Liveness (no authentication)",
                "security": [],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["status", "version"],
                            "properties": {"status": {"const": "ok"}, "version": {"type": "string"}},
                        },
                        "The service is up",
                    )
                },
            }
        },
        "/api/dashboard": {
            "get": {
                "tags": ["system"],
                "operationId": "dashboard",
                "summary": "Number of entities per resource (camelCase resource names)",
                "responses": {
                    "200": _json(
                        {"type": "object", "additionalProperties": {"type": "integer"}}, "Counts per resource"
                    ),
                    **_errors("401", "403"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "tags": ["system"],
                "operationId": "openapi",
                "summary": "This document (no authentication)",
                "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 document")},
            }
        },
        "/api/docs": {
            "get": {
                "tags": ["system"],
                "operationId": "docs",
                "summary": "Swagger UI for this document (no authentication; Authorize takes the token)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "HTML page",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/api/mappings/test": {
            "post": {
                "tags": ["mappings"],
                "operationId": "test-mapping",
                "summary": "Run a mapping (inline or stored) on an input object; nothing is persisted",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("MappingTestRequest")}},
                },
                "responses": {
                    "200": _json(_ref("MappingTestResult"), "The mapped object"),
                    **_errors("400", "401", "403", "404"),
                },
            }
        },
        "/api/conditions/test": {
            "post": {
                "tags": ["rules"],
                "operationId": "test-conditions",
                "summary": "Evaluate a JSON-logic rule against data",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["conditions"],
                                "properties": {
                                    "conditions": {"description": "A JSON-logic rule"},
                                    "data": {"type": "object"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {"type": "object", "required": ["result"], "properties": {"result": any_value}},
                        "The raw result of the rule",
                    ),
                    **_errors("400", "401", "403"),
                },
            }
        },
        "/api/sources/{key}/test": {
            "parameters": [{"$ref": "#/components/parameters/key"}],
            "post": {
                "tags": ["sources"],
                "operationId": "test-source",
                "summary": "One call through the source; 200 with the call log whatever the remote status",
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": _ref("SourceTestRequest")}},
                },
                "responses": {
                    "200": _json(_ref("CallLog"), "The call log (credentials redacted)"),
                    **_errors("400", "401", "403", "404"),
                },
            },
        },
    }


ALIAS_TAG = "original routes"


def _alias_paths() -> dict[str, dict[str, Any]]:
    """Every alias of ``openconnector_core.api.aliases``, documented under one tag."""
    from openconnector_core.api.aliases import ALIASES

    paths: dict[str, dict[str, Any]] = {}
    for alias in ALIASES:
        slug = re.sub(r"[^a-z0-9]+", "-", alias.openapi_path.lower()).strip("-")
        operation: dict[str, Any] = {
            "tags": [ALIAS_TAG],
            "operationId": f"original-{alias.method.lower()}-{slug}",
            "summary": alias.summary,
            "responses": {"200": _json({}, "The original's shape"), **_errors("400", "401", "403", "404")},
        }
        if alias.method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": {}}}}
        item = paths.setdefault(alias.openapi_path, {})
        if "{key}" in alias.openapi_path:
            item["parameters"] = [{"$ref": "#/components/parameters/key"}]
        item[alias.method.lower()] = operation
    return paths


def _action_schemas() -> dict[str, Any]:
    return {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "description": "Short title, e.g. `Not found`"},
                "message": {"type": "string", "description": "What went wrong"},
                "code": {"type": "string", "description": "Stable kebab-case code"},
                "fields": {"type": "array", "items": {"type": "string"}, "description": "Offending fields"},
                "requestId": {"type": ["string", "null"]},
            },
            "additionalProperties": True,
        },
        "MappingTestRequest": {
            "type": "object",
            "required": ["inputObject", "mapping"],
            "properties": {
                "inputObject": {"type": ["object", "array"]},
                "mapping": {
                    "oneOf": [
                        {"type": "object", "description": "An inline mapping"},
                        {"type": "string", "description": "id, uuid or slug of a stored mapping"},
                    ]
                },
                "list": {"type": "boolean", "default": False, "description": "Map each item of inputObject"},
            },
        },
        "MappingTestResult": {
            "type": "object",
            "required": ["resultObject", "isValid", "validationErrors"],
            "properties": {
                "resultObject": {"type": ["object", "array"]},
                "isValid": {"type": "boolean"},
                "validationErrors": {"type": "array", "items": {}},
            },
        },
        "SourceTestRequest": {
            "type": "object",
            "properties": {
                "method": {"type": "string", "default": "GET"},
                "endpoint": {"type": "string", "default": ""},
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                "query": {"type": "object"},
                "body": {"description": "A string, or JSON that is sent as application/json"},
                "type": {"enum": ["json", "xml", "yaml"], "description": "Sets Content-Type"},
            },
        },
    }


def _components(resources: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """JSON schemas of every entity model (camelCase wire names) and the schema name per resource."""
    from pydantic.json_schema import models_json_schema

    models = {spec.model for spec in resources.values()}
    from openconnector_core.entities.records import CallLog

    models.add(CallLog)
    ordered = sorted(models, key=lambda model: model.__name__)
    keys, definitions = models_json_schema(
        [(model, "validation") for model in ordered],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    names: dict[str, str] = {}
    for resource, spec in resources.items():
        ref = keys[(spec.model, "validation")]["$ref"]
        names[resource] = ref.rsplit("/", 1)[-1]
    return schemas, names


@lru_cache(maxsize=2)
def openapi_document(version: str) -> dict[str, Any]:
    from openconnector_core.api import objects
    from openconnector_core.entities.registry import RESOURCES

    schemas, names = _components(dict(RESOURCES))
    schemas.update(_action_schemas())
    from openconnector_core.api.openapi_operations import jobs_events_configuration_paths

    paths = _action_paths()
    paths.update(_alias_paths())
    paths.update(jobs_events_configuration_paths())
    for resource in sorted(RESOURCES):
        paths.update(_resource_paths(resource, names[resource], bool(RESOURCES[resource].read_only)))
    paths.update(objects.openapi_paths())
    responses = {
        f"Error{status}": _json(_ref("Error"), description) for status, description in ERROR_RESPONSES.items()
    }
    tags = [{"name": "system"}] + [{"name": resource} for resource in sorted(RESOURCES)]
    tags.append({"name": ALIAS_TAG, "description": "The PHP app's paths, answering in its shapes"})
    tags.append({"name": "objects", "description": "The object store (docs/objects.md)"})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OpenConnector management API",
            "version": version,
            "description": (
                "CRUD for every OpenConnector resource and the management actions. "
                "Errors are `{error, message, ...}`; secrets are accepted on write and come back masked."
            ),
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "tags": tags,
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses,
            "parameters": {
                "key": {
                    "name": "key",
                    "in": "path",
                    "required": True,
                    "description": "id, uuid or slug",
                    "schema": {"type": "string"},
                },
                "limit": {
                    "name": "_limit",
                    "in": "query",
                    "description": "Page size",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                },
                "next": {
                    "name": "_next",
                    "in": "query",
                    "description": "The `next` token of the previous page",
                    "schema": {"type": "string"},
                },
                "search": {
                    "name": "_search",
                    "in": "query",
                    "description": "Case-insensitive substring over name and description",
                    "schema": {"type": "string"},
                },
                "filters": {
                    "name": "filters",
                    "in": "query",
                    "description": "Any other parameter filters on the field of that name (equality)",
                    "style": "form",
                    "explode": True,
                    "schema": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "ifMatch": {
                    "name": "If-Match",
                    "in": "header",
                    "description": "The `ETag` of the revision being changed; a stale one gets 412",
                    "schema": {"type": "string"},
                },
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Local stack: OPENCONNECTOR_ADMIN_TOKEN; AWS: the configured authorizer",
                }
            },
        },
    }
