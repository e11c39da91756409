"""Validation of a mapping definition on save: every problem the engine would only find at run time."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from openconnector_core import php
from openconnector_core.errors import ValidationError
from openconnector_core.twig.environment import TemplateRenderer, TemplateRenderError

from .casts import cast_names, is_known_cast

# Functions that callers inject at run time; validation only needs to know their names.
_RUNTIME_FUNCTIONS = ("executeMapping", "callSource", "getFileContents", "getFiles")


def _unavailable(*_arguments: Any, **_keywords: Any) -> Any:
    raise RuntimeError("not available during validation")


@lru_cache(maxsize=1)
def _validation_renderer() -> TemplateRenderer:
    return TemplateRenderer(functions=dict.fromkeys(_RUNTIME_FUNCTIONS, _unavailable))


def mapping_problems(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) pairs for everything wrong with ``mapping``; empty when it is valid."""
    problems: list[tuple[str, str]] = []
    rules = mapping.get("mapping", {})
    if rules is None:
        rules = {}
    if not isinstance(rules, Mapping):
        return [("mapping", "mapping must be an object")]
    renderer = _validation_renderer()
    for target, spec in rules.items():
        field = f"mapping.{target}"
        target_text = str(target)
        if target_text.lstrip("-").isdigit():
            problems.append((field, f'target key "{target_text}" consists of digits only'))
        if spec is None:
            problems.append((field, "the value cannot be null"))
        elif isinstance(spec, php.ARRAYS):
            leaves = spec.values() if isinstance(spec, dict) else spec
            if any(isinstance(leaf, php.ARRAYS) for leaf in leaves):
                problems.append((field, "a literal array value cannot contain nested arrays"))
        elif isinstance(spec, str) and "{" in spec:
            try:
                renderer.compile(spec)
            except TemplateRenderError as error:
                problems.append((field, f"template error: {error.message}"))
    unset = mapping.get("unset", [])
    if unset is not None and not isinstance(unset, list):
        problems.append(("unset", "unset must be a list of paths"))
    elif unset:
        problems.extend(
            (f"unset.{index}", "must be a string") for index, p in enumerate(unset) if not isinstance(p, str)
        )
    casts = mapping.get("cast", {})
    if casts is None:
        casts = {}
    if not isinstance(casts, Mapping):
        problems.append(("cast", "cast must be an object"))
    else:
        for path, spec in casts.items():
            if not isinstance(spec, str | list):
                problems.append((f"cast.{path}", "a cast must be a string or a list of strings"))
                continue
            unknown = [name for name in cast_names(spec) if not is_known_cast(name)]
            if unknown:
                problems.append((f"cast.{path}", f"unknown cast {', '.join(repr(n) for n in unknown)}"))
    if "passThrough" in mapping and not isinstance(mapping["passThrough"], bool | int | type(None)):
        problems.append(("passThrough", "passThrough must be a boolean"))
    return problems


def validate_mapping(mapping: Mapping[str, Any]) -> None:
    """Raise :class:`ValidationError` naming every bad key (``fields``) of ``mapping``."""
    if not isinstance(mapping, Mapping):
        raise ValidationError("A mapping must be an object", fields=["mapping"])
    problems = mapping_problems(mapping)
    if problems:
        message = "; ".join(f"{field}: {text}" for field, text in problems)
        raise ValidationError(
            f"Invalid mapping {php.to_string(mapping.get('name', ''))}: {message}".replace(" : ", ": "),
            fields=[field for field, _ in problems],
        )
