"""``openconnector objects list REGISTER/SCHEMA [--filter k=v] [--json]``: objects as a table."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from openconnector_local.client import EXIT_USAGE, CliError, ManagementClient

_MAX_COLUMNS = 8
_MAX_WIDTH = 40


def add_parser(commands: Any, client: argparse.ArgumentParser) -> None:
    objects = commands.add_parser("objects", help="objects of the object store")
    object_commands = objects.add_subparsers(dest="objects_command", required=True, metavar="SUBCOMMAND")
    listing = object_commands.add_parser(
        "list", parents=[client], help="list the objects of a register/schema"
    )
    listing.add_argument("reference", metavar="REGISTER/SCHEMA", help="each half an id, uuid or slug")
    listing.add_argument(
        "--filter", action="append", default=[], metavar="FIELD=VALUE", help="equality filter (dot paths too)"
    )
    listing.add_argument("--search", help="case-insensitive text search over string fields")
    listing.add_argument("--limit", type=int, default=50, help="at most this many objects (default 50)")


def _path(reference: str) -> str:
    register, slash, schema = reference.strip("/").partition("/")
    if not slash or not register or not schema or "/" in schema:
        raise CliError(f"Expected REGISTER/SCHEMA, got {reference!r}", EXIT_USAGE)
    return f"/api/objects/{quote(register, safe='')}/{quote(schema, safe='')}"


def _filters(pairs: Sequence[str]) -> dict[str, str]:
    filters: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise CliError(f"--filter expects FIELD=VALUE, got {pair!r}", EXIT_USAGE)
        filters[name] = value
    return filters


def fetch(client: ManagementClient, arguments: argparse.Namespace) -> list[dict[str, Any]]:
    """Up to ``--limit`` objects, following ``next`` tokens."""
    path = _path(arguments.reference)
    params: dict[str, Any] = _filters(arguments.filter)
    if arguments.search:
        params["_search"] = arguments.search
    found: list[dict[str, Any]] = []
    while len(found) < arguments.limit:
        page = client.json("GET", path, params={**params, "_limit": min(arguments.limit - len(found), 500)})
        found += page.get("results", [])
        if not page.get("next"):
            break
        params["_next"] = page["next"]
    return found[: arguments.limit]


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_WIDTH else text[: _MAX_WIDTH - 1] + "…"


def table(objects: Sequence[dict[str, Any]]) -> str:
    """``id`` and the first top-level fields, one row per object (``@self`` left out)."""
    if not objects:
        return "(no objects)"
    columns = ["id"]
    for obj in objects:
        for name in obj:
            if name not in columns and name != "@self" and len(columns) < _MAX_COLUMNS:
                columns.append(name)
    rows = [[_cell(obj.get(name, "")) for name in columns] for obj in objects]
    widths = [max(len(name), *(len(row[n]) for row in rows)) for n, name in enumerate(columns)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
