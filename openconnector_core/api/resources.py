"""Generic CRUD for every resource of ``openconnector_core.entities.registry.RESOURCES``.

Registered after the action routers: Powertools tries static routes before dynamic ones and
dynamic ones in registration order, and a ``<param>`` never matches ``/``, so ``/api/mappings/test``
and ``/api/sources/<key>/test`` are never captured here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
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

if TYPE_CHECKING:
    from openconnector_core.entities.registry import ResourceSpec

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

COLLECTION_METHODS = ("GET", "POST")
ITEM_METHODS = ("DELETE", "GET", "PUT")


def resource_spec(resource: str) -> ResourceSpec:
    """The registry's spec (imported on first use: the entity models are not needed for health)."""
    from openconnector_core.entities.registry import resource_spec as spec_of

    return spec_of(resource)


def known(res: str) -> str:
    """The (percent-decoded) name of a known resource; unknown → 404 listing the valid names."""
    resource = unquote(res)
    resource_spec(resource)
    return resource


def writable(res: str) -> str:
    """A known, writable resource; writes on a read-only one → 405 with ``Allow: GET``."""
    resource = unquote(res)
    if resource_spec(resource).read_only:
        raise MethodNotAllowedError(f"'{resource}' is read-only", allow=["GET"])
    return resource


def _location(resource: str, item: dict[str, Any]) -> str:
    return f"/api/{resource}/{item.get('id')}"


@router.get("/api/<res>")
def list_items(res: str) -> Response[Any]:
    resource = known(res)
    page = container().entities.list(resource, query_params(router))
    return json_response(200, {"results": page.items, "next": page.next})


@router.post("/api/<res>")
def create_item(res: str) -> Response[Any]:
    resource = writable(res)
    stored = container().entities.create(resource, json_body(router))
    headers = {"ETag": format_etag(stored.etag), "Location": _location(resource, stored.item)}
    return json_response(201, stored.item, headers)


@router.get("/api/<res>/<key>")
def get_item(res: str, key: str) -> Response[Any]:
    resource = known(res)
    stored = container().entities.get(resource, unquote(key))
    return json_response(200, stored.item, {"ETag": format_etag(stored.etag)})


@router.put("/api/<res>/<key>")
def update_item(res: str, key: str) -> Response[Any]:
    resource = writable(res)
    body = json_body(router)
    if_match = parse_if_match(header(router, "If-Match"))
    stored = container().entities.update(resource, unquote(key), body, if_match=if_match)
    return json_response(200, stored.item, {"ETag": format_etag(stored.etag)})


@router.delete("/api/<res>/<key>")
def delete_item(res: str, key: str) -> Response[Any]:
    resource = writable(res)
    if_match = parse_if_match(header(router, "If-Match"))
    container().entities.delete(resource, unquote(key), if_match=if_match)
    return empty_response(204)


@router.route("/api/<res>", method=["PUT", "PATCH", "DELETE"])
def collection_method_not_allowed(res: str) -> Response[Any]:
    resource = unquote(res)
    allow = ["GET"] if resource_spec(resource).read_only else list(COLLECTION_METHODS)
    raise MethodNotAllowedError(f"Method not allowed on /api/{resource}", allow=allow)


@router.route("/api/<res>/<key>", method=["POST", "PATCH"])
def item_method_not_allowed(res: str, key: str) -> Response[Any]:
    resource = unquote(res)
    allow = ["GET"] if resource_spec(resource).read_only else list(ITEM_METHODS)
    raise MethodNotAllowedError(f"Method not allowed on /api/{resource}/<key>", allow=allow)
