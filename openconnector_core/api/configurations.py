"""Configuration routes: import bundles and single objects, export a bundle or one entity."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import header, json_body, json_response, query_params
from openconnector_core.errors import BadRequestError, MethodNotAllowedError

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call, unused-ignore]


def import_document() -> Response[Any]:
    from openconnector_core.configuration.importer import Importer

    document = json_body(router)
    result = Importer(container()).run(document, query_params(router).get("type") or None)
    return json_response(200, result)


def import_original() -> Response[Any]:
    """``POST /api/import`` (§9.2): one object answers in the original's shape — ``201`` with
    ``Import successful, created``, ``200`` updated or ``Import ok, but nothing changed`` — and the
    object; a bundle answers with the import report."""
    from openconnector_core.configuration.importer import Importer

    report = Importer(container()).run(json_body(router), query_params(router).get("type") or None)
    outcomes = [(kind, resource, slug) for kind in ("created", "updated", "unchanged")
                for resource, slugs in report[kind].items() for slug in slugs]  # fmt: skip
    if len(outcomes) != 1 or report["errors"]:
        return json_response(200, report)
    kind, resource, slug = outcomes[0]
    message = {
        "created": "Import successful, created",
        "updated": "Import successful, updated",
        "unchanged": "Import ok, but nothing changed",
    }[kind]
    entity = container().entities.get(resource, slug).item
    body = {"message": message, "object": entity, "unresolved": report["unresolved"]}
    return json_response(201 if kind == "created" else 200, body)


@router.post("/api/configurations/import")
def import_configuration() -> Response[Any]:
    return import_document()


@router.route("/api/configurations/import", method=["GET", "PUT", "PATCH", "DELETE"])
def import_not_allowed() -> Response[Any]:
    raise MethodNotAllowedError("Use POST to import a configuration", allow=["POST"])


@router.get("/api/configurations/<key>/export")
def export_configuration(key: str) -> Response[Any]:
    from openconnector_core.configuration.exporter import Exporter

    return json_response(200, Exporter(container()).configuration(unquote(key)))


def export_single(kind: str, key: str) -> Response[Any]:
    from openconnector_core.configuration.exporter import Exporter

    accept = header(router, "Accept") or "application/json"
    if not any(kind_ in accept for kind_ in ("application/json", "*/*", "application/ld+json")):
        raise BadRequestError(f"The Accept type {accept} is not supported (application/json is)")
    document = Exporter(container()).single(unquote(kind), unquote(key))
    name = re.sub(r"[^A-Za-z0-9 ._-]", "", str(document.get("name") or document.get("slug") or key))
    filename = f"{unquote(kind).title()}-{name}-v{document.get('version') or '0.0.0'}.json"
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(document, indent=4, ensure_ascii=False),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/api/export/<kind>/<key>")
def export_one(kind: str, key: str) -> Response[Any]:
    return export_single(kind, key)
