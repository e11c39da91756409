"""The ``/api/docs`` page: Swagger UI served from the assets inside the Powertools wheel (no CDN).

The page, its two assets and ``openapi.json`` need no token (the document describes no secret); the
"Authorize" button takes the bearer token that "Try it out" then sends. URLs are relative, so the page
also works behind a custom domain with a base path.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

ASSET_TYPES = {
    "swagger-ui-bundle.min.js": "text/javascript; charset=utf-8",
    "swagger-ui.min.css": "text/css; charset=utf-8",
}
CACHE_FOREVER = "public, max-age=31536000, immutable"  # the URLs carry the Powertools version


def _assets_dir() -> Path:
    import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui

    return Path(swagger_ui.__file__).parent


@lru_cache(maxsize=len(ASSET_TYPES) * 2)
def asset(name: str, *, compressed: bool) -> bytes:
    """One asset's bytes (gzipped once per container when asked); ``KeyError`` for other names."""
    if name not in ASSET_TYPES:  # only the two known files, never a path from the request
        raise KeyError(name)
    raw = (_assets_dir() / name).read_bytes()
    return gzip.compress(raw, compresslevel=6, mtime=0) if compressed else raw


@lru_cache(maxsize=1)
def page() -> str:
    tag = version("aws-lambda-powertools")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>OpenConnector management API</title>
  <link rel="stylesheet" href="docs/swagger-ui.min.css?v={tag}">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript>The OpenAPI document is at <a href="openapi.json">openapi.json</a>.</noscript>
  <script src="docs/swagger-ui-bundle.min.js?v={tag}"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      docExpansion: "list",
      filter: true,
      presets: [SwaggerUIBundle.presets.apis],
    }});
  </script>
</body>
</html>
"""
