"""Health, dashboard, the OpenAPI document and its Swagger UI page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import json_response

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

FALLBACK_VERSION = "0.1.0"


@lru_cache(maxsize=1)
def version() -> str:
    """The installed package version (the CoreLayer ships the package metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("openconnector")
    except PackageNotFoundError:
        return FALLBACK_VERSION


@router.get("/api/health")
def health() -> Response[Any]:
    return json_response(200, {"status": "ok", "version": version()})


@router.get("/api/dashboard")
def dashboard() -> Response[Any]:
    from openconnector_core.api.openapi import camel

    counts = container().entities.counts()
    return json_response(200, {camel(name): count for name, count in counts.items()})


@router.get("/api/openapi.json")
def openapi_document() -> Response[Any]:
    from openconnector_core.api.openapi import openapi_document as build

    return json_response(200, build(version()))


@router.get("/api/docs")
def swagger_ui() -> Response[Any]:
    from openconnector_core.api.swagger import page

    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page())


@router.get("/api/docs/<name>")
def swagger_ui_asset(name: str) -> Response[Any]:
    from openconnector_core.api.swagger import ASSET_TYPES, CACHE_FOREVER, asset
    from openconnector_core.errors import NotFoundError

    if name not in ASSET_TYPES:
        raise NotFoundError(f"No documentation asset {name!r}")
    compressed = "gzip" in (router.current_event.headers.get("accept-encoding") or "")
    headers = {"Cache-Control": CACHE_FOREVER, "Vary": "Accept-Encoding"}
    if compressed:
        headers["Content-Encoding"] = "gzip"
    body = asset(name, compressed=compressed)
    return Response(status_code=200, content_type=ASSET_TYPES[name], body=body, headers=headers)
