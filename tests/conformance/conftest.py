"""Shared helpers for the conformance corpora in ``shared/conformance`` (beside the checkout)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONFORMANCE_DIR = Path(__file__).parents[2].parent / "shared" / "conformance"


@cache
def _load(name: str) -> tuple[dict[str, Any], ...]:
    file_name = name if name.endswith(".json") else f"{name}.json"
    with (CONFORMANCE_DIR / file_name).open(encoding="utf-8") as handle:
        return tuple(json.load(handle)["cases"])


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of ``shared/conformance/<name>.json`` (e.g. ``load_cases("mapping")``)."""
    return list(_load(name))
