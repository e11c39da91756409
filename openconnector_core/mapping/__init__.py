"""The mapping engine: dot paths, PHP-compatible casts and sandboxed Twig-compatible templates.

from openconnector_core.mapping import MappingEngine, validate_mapping
MappingEngine(resolver=None, functions=None).run(mapping, data, list_mode=False)
"""

from .engine import MappingEngine
from .validation import validate_mapping

__all__ = ["MappingEngine", "validate_mapping"]
