"""OpenAPI paths of the job, event and configuration routes (merged into ``openapi.py``'s document)."""

from __future__ import annotations

from typing import Any

_KEY = [{"$ref": "#/components/parameters/key"}]
_OBJECT: dict[str, Any] = {"type": "object"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}


def _post(
    tag: str, operation: str, summary: str, body: dict[str, Any] | None, ok: dict[str, Any], *errors: str
) -> dict[str, Any]:
    post: dict[str, Any] = {
        "tags": [tag],
        "operationId": operation,
        "summary": summary,
        "responses": {**ok, **_errors(*errors)},
    }
    if body is not None:
        post["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    return {"post": post}


def _get(
    tag: str, operation: str, summary: str, ok: dict[str, Any], parameters: list[dict[str, Any]], *errors: str
) -> dict[str, Any]:
    return {
        "get": {
            "tags": [tag],
            "operationId": operation,
            "summary": summary,
            "parameters": parameters,
            "responses": {**ok, **_errors(*errors)},
        }
    }


def _query(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": kind}}


def jobs_events_configuration_paths() -> dict[str, dict[str, Any]]:
    report = {
        "type": "object",
        "properties": {
            name: {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
            for name in ("created", "updated", "unchanged")
        }
        | {name: {"type": "array", "items": _OBJECT} for name in ("errors", "unresolved", "warnings")},
    }
    return {
        "/api/jobs/{key}/run": {
            "parameters": _KEY,
            **_post(
                "jobs",
                "run-job",
                "Run a job now; null when it is not due (forceRun runs it anyway)",
                {"type": "object", "properties": {"forceRun": {"type": "boolean", "default": False}}},
                {
                    "200": _json(
                        {"oneOf": [{"$ref": "#/components/schemas/JobLog"}, {"type": "null"}]}, "The job log"
                    )
                },
                "400",
                "401",
                "403",
                "404",
                "409",
            ),
        },
        "/api/events/incoming": _post(
            "events",
            "incoming-event",
            "Accept a CloudEvent (structured application/cloudevents+json, or binary with ce-* headers)",
            _OBJECT,
            {"202": _json(_OBJECT, "Accepted; matching subscriptions get it")},
            "400",
            "401",
            "403",
        ),
        "/api/event-subscriptions/{key}/pull": {
            "parameters": _KEY,
            **_get(
                "event-subscriptions",
                "pull-events",
                "Pending messages of a pull subscription after the cursor, oldest first",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "messages": {"type": "array", "items": _OBJECT},
                                "cursor": {"type": ["string", "null"]},
                            },
                        },
                        "Messages",
                    )
                },
                [
                    _query("cursor", "The id of the last message seen"),
                    _query("limit", "At most this many (100)", "integer"),
                ],
                "400",
                "401",
                "403",
                "404",
            ),
        },
        "/api/event-subscriptions/{key}/messages": {
            "parameters": _KEY,
            **_get(
                "event-subscriptions",
                "subscription-messages",
                "Deliveries of a subscription, newest first",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "results": {"type": "array", "items": _OBJECT},
                                "next": {"type": ["string", "null"]},
                            },
                        },
                        "Messages",
                    )
                },
                [_query("status", "pending, delivered or failed"), _query("_next", "Next page token")],
                "400",
                "401",
                "403",
                "404",
            ),
        },
        "/api/configurations/import": _post(
            "configurations",
            "import-configuration",
            "Import a bundle ({components}) or one JSON-LD object; upsert by slug",
            _OBJECT,
            {"200": _json(report, "What was created, updated, unchanged, broken or unresolved")},
            "400",
            "401",
            "403",
        ),
        "/api/configurations/{key}/export": {
            "parameters": _KEY,
            **_get(
                "configurations",
                "export-configuration",
                "The configuration's bundle, without secrets",
                {"200": _json(_OBJECT, "The bundle")},
                [],
                "401",
                "403",
                "404",
            ),
        },
        "/api/export/{type}/{key}": {
            "parameters": [
                {"name": "type", "in": "path", "required": True, "schema": {"type": "string"}},
                *_KEY,
            ],
            **_get(
                "configurations",
                "export-entity",
                "One entity as JSON-LD, without secrets",
                {"200": _json(_OBJECT, "The entity")},
                [],
                "400",
                "401",
                "403",
                "404",
            ),
        },
    }
