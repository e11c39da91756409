"""The mapping engine: dot paths, PHP-compatible casts and sandboxed Twig-compatible templates.

    from openconnector_core.mapping import MappingEngine, validate_mapping
    MappingEngine(resolver=None, functions=None).run(mapping, data, list_mode=False)

Imported lazily: Jinja2 is only loaded when a mapping is actually used (cold starts of handlers
that never map stay short).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import MappingEngine
    from .validation import validate_mapping

__all__ = ["REVISION_KEY", "MappingEngine", "validate_mapping"]

# Set by the resolver on a stored mapping it returns: the entity's revision, which (with id, version
# and update time) keys the compiled function (two saves within one second may keep version and time).
REVISION_KEY = "@etag"


def __getattr__(name: str) -> Any:
    if name == "MappingEngine":
        from .engine import MappingEngine

        return MappingEngine
    if name == "validate_mapping":
        from .validation import validate_mapping

        return validate_mapping
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
