"""Entity versions: ``0.0.1`` on create, patch bumped on every update without a version."""

from __future__ import annotations

import re

INITIAL_VERSION = "0.0.1"
_TRAILING_NUMBER = re.compile(r"(\d+)$")


def bump_patch(version: str | None) -> str:
    """``0.0.3`` → ``0.0.4``; ``1.2`` → ``1.3``; no trailing number → ``.1`` appended."""
    if not version:
        return INITIAL_VERSION
    match = _TRAILING_NUMBER.search(version)
    if match is None:
        return f"{version}.1"
    return f"{version[: match.start()]}{int(match.group(1)) + 1}"
