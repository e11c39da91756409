"""The mapping engine: passThrough → mapping → unset → cast → ``#`` root rule (behaviour reference §3).

No I/O: stored mappings referenced by ``executeMapping`` come from the ``resolver`` callable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core import php
from openconnector_core.errors import MappingError
from openconnector_core.twig.environment import TemplateRenderer, TemplateRenderError
from openconnector_core.twig.limits import (
    MAX_DEPTH,
    TIME_BUDGET_SECONDS,
    LimitExceededError,
    check_expanded_size,
    current_budget,
    end_budget,
    restart_budget,
    start_budget,
)

from . import paths
from .casts import DELETE, CastContext, CastError, resolve_casts

Resolver = Callable[[str], Mapping[str, Any] | None]

_CANONICAL_INT_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
_INT_START = frozenset("-0123456789")
# PHP arrays, as a tuple for isinstance: a ``dict | list`` union is built anew on every call (slower).
_ARRAYS = (dict, list)


def _spec_text(spec: Any) -> str:
    if isinstance(spec, str):
        return spec
    return php.json_encode(spec) if isinstance(spec, _ARRAYS) else php.to_string(spec)


def _error(mapping: Mapping[str, Any], key: str, spec: Any, cause: str) -> MappingError:
    name = php.to_string(mapping.get("name", ""))
    return MappingError(
        f"Error for mapping: {name}, key: {key}, value: {_spec_text(spec)} and with message thrown: {cause}"
    )


class MappingEngine:
    """Runs mapping definitions (wire shape: ``name``, ``mapping``, ``unset``, ``cast``, ``passThrough``)."""

    def __init__(
        self,
        resolver: Resolver | None = None,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        time_budget_seconds: float = TIME_BUDGET_SECONDS,
    ) -> None:
        self._resolver = resolver
        self._time_budget = time_budget_seconds
        self.renderer = TemplateRenderer(
            functions={**(functions or {}), "executeMapping": self._execute_from_template}
        )

    # ------------------------------------------------------------------ public

    def run(
        self, mapping: Mapping[str, Any], data: Any, list_mode: bool = False
    ) -> dict[str, Any] | list[Any]:
        """Map ``data``; raises :class:`MappingError` (never another exception).

        The time budget covers one mapping run; in list mode every item is a run of its own.
        """
        budget, token = start_budget(self._time_budget)
        try:
            result = self._run(mapping, data, list_mode)
            return paths.finish_output(result)
        except MappingError:
            raise
        except LimitExceededError as error:
            raise MappingError(f"Error for mapping: {mapping.get('name', '')}: {error}") from error
        except Exception as error:  # the public entry point never leaks a raw exception
            raise MappingError(
                f"Error for mapping: {_name_of(mapping)} and with message thrown: {error}"
            ) from error
        finally:
            end_budget(token)
            del budget

    # ------------------------------------------------------------------ internals

    def _run(self, mapping: Mapping[str, Any], data: Any, list_mode: bool) -> dict[str, Any] | list[Any]:
        if not isinstance(mapping, Mapping):
            raise MappingError("A mapping must be an object")
        if list_mode:
            return self._run_list(mapping, data, budget_per_item=True)
        return self._run_single(mapping, data)

    def _run_list(
        self, mapping: Mapping[str, Any], data: Any, budget_per_item: bool = False
    ) -> dict[str, Any] | list[Any]:
        if not isinstance(data, _ARRAYS):
            raise MappingError(
                _error(mapping, "", "", f"list input must be an array, {php.php_type(data)} given").message
            )
        extra: dict[str, Any] = {}
        items: Any = data
        if isinstance(data, dict) and data.get("listInput") is not None:
            extra = {key: value for key, value in data.items() if key not in ("listInput", "value")}
            items = data["listInput"]
        if not isinstance(items, _ARRAYS):
            raise MappingError(_error(mapping, "", "", "listInput must be an array").message)
        pairs = items.items() if isinstance(items, dict) else enumerate(items)
        results: dict[str, Any] = {}
        for key, item in pairs:
            if budget_per_item:
                restart_budget(self._time_budget)
            current_budget().tick()
            if not isinstance(item, _ARRAYS) or extra:
                item_input: dict[str, Any] | list[Any] = _php_array_merge(
                    _as_array(item), {"value": item}, extra
                )
            else:
                item_input = item
            results[str(key)] = self._run_single(mapping, item_input)
        return list(results.values()) if isinstance(items, list) else results

    def _run_single(self, mapping: Mapping[str, Any], data: Any) -> dict[str, Any] | list[Any]:
        if not isinstance(data, _ARRAYS):
            raise MappingError(
                _error(mapping, "", "", f"the input must be an array, {php.php_type(data)} given").message
            )
        pass_through = php.truthy(mapping.get("passThrough"))
        clean = None if pass_through else current_budget().clean_containers
        encoded = paths.encode_keys(data, copy=pass_through, clean=clean)
        output: dict[str, Any] | list[Any] = encoded if pass_through else {}
        if pass_through and isinstance(output, list):
            output = {str(index): item for index, item in enumerate(output)}

        rules = mapping.get("mapping") or {}
        if type(rules) is not dict and not isinstance(rules, Mapping):  # dict first: ABC checks are slow
            rules = {}
        for target, spec in rules.items():
            target_key = str(target)
            if target_key[:1] in _INT_START and _CANONICAL_INT_KEY.match(target_key):
                raise _error(
                    mapping, target_key, spec, "a target key cannot be a number (it replaces the output)"
                )
            output = paths.write(
                output, target_key, self._value_for(mapping, target_key, spec, encoded, data)
            )

        unset = mapping.get("unset")
        if isinstance(unset, list):
            for path in unset:
                output = paths.delete(output, php.to_string(path))

        cast_rules = mapping.get("cast") or {}
        if type(cast_rules) is dict or isinstance(cast_rules, Mapping):
            for path, spec in cast_rules.items():
                output = self._apply_casts(mapping, output, str(path), spec)

        if isinstance(output, dict) and len(output) == 1 and "#" in output:
            root = output["#"]
            if isinstance(root, _ARRAYS):
                return root
            return [] if root is None else [root]
        return output

    def _value_for(self, mapping: Mapping[str, Any], target: str, spec: Any, encoded: Any, data: Any) -> Any:
        if spec is None:
            raise _error(mapping, target, spec, "the value of a mapping rule cannot be null")
        if isinstance(spec, _ARRAYS):
            return self._literal_value(mapping, target, spec, encoded)
        text = spec if isinstance(spec, str) else php.to_string(spec)
        value = paths.lookup(encoded, text)
        if paths.found(value):
            return paths.deep_copy(value) if isinstance(value, _ARRAYS) else value
        if "{" not in text:
            return php.html_entity_decode(text)
        try:
            return self.renderer.render(text, data)
        except TemplateRenderError as error:
            raise _error(mapping, target, spec, error.message) from error

    @staticmethod
    def _literal_value(
        mapping: Mapping[str, Any], target: str, spec: dict[str, Any] | list[Any], encoded: Any
    ) -> Any:
        # Upstream feeds the literal to the path library's has(): nested arrays or "all leaves are
        # existing keys" make it crash (quirk Q3); otherwise the literal is written as-is.
        leaves = list(spec.values()) if isinstance(spec, dict) else spec
        if any(isinstance(leaf, _ARRAYS) for leaf in leaves):
            raise _error(mapping, target, spec, "a literal array value cannot contain nested arrays")
        if leaves and all(paths.exists(encoded, php.to_string(leaf)) for leaf in leaves):
            raise _error(mapping, target, spec, "a literal array value cannot consist of existing paths")
        return paths.deep_copy(spec)

    def _apply_casts(
        self, mapping: Mapping[str, Any], output: dict[str, Any] | list[Any], path: str, spec: Any
    ) -> dict[str, Any] | list[Any]:
        value = paths.lookup(output, path)
        if not paths.found(value):
            return output
        context = CastContext(output, path)
        for function, argument in resolve_casts(spec):
            context.argument = argument
            try:
                new_value = function(value, context)
            except (CastError, php.PhpTypeError, TypeError, ValueError, ZeroDivisionError) as error:
                raise _error(mapping, path, spec, str(error)) from error
            if new_value is DELETE:
                return paths.delete(output, path)
            if new_value is not value:
                value = new_value
                output = context.output = paths.write(output, path, value)
        return output

    # ------------------------------------------------------------------ sub-mappings

    def _execute_from_template(self, reference: Any, data: Any = None, list_mode: Any = False) -> Any:
        budget = current_budget()
        if budget.depth >= MAX_DEPTH:
            raise LimitExceededError(f"executeMapping nested deeper than {MAX_DEPTH} levels")
        mapping = self._resolve(reference)
        if php.is_null(data):
            data = None
        # Data built in a template can share sub-arrays: refuse what would expand beyond any memory.
        check_expanded_size(data)
        budget.depth += 1
        try:
            budget.check_time()
            if list_mode is True or (not isinstance(list_mode, bool) and php.truthy(list_mode)):
                return paths.finish_output(self._run_list(mapping, data))
            return paths.finish_output(self._run_single(mapping, data))
        finally:
            budget.depth -= 1

    def _resolve(self, reference: Any) -> Mapping[str, Any]:
        # A number is the common reference: no (slow) ABC check for it.
        if type(reference) is not int and isinstance(reference, Mapping):
            return reference
        if php.is_null(reference) or isinstance(reference, list | bool):
            raise MappingError(f"executeMapping: invalid mapping reference {php.to_string(reference)!r}")
        key = php.to_string(reference)
        resolved = current_budget().resolved
        found = resolved.get(key)
        if found is None:
            found = self._resolver(key) if self._resolver is not None else None
            if found is None:
                raise MappingError(f"executeMapping: mapping {key!r} not found")
            resolved[key] = found
        return found


def _name_of(mapping: Any) -> str:
    return php.to_string(mapping.get("name", "")) if isinstance(mapping, Mapping) else ""


def _as_array(value: Any) -> dict[str, Any]:
    """PHP ``(array) $value`` as a dict."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    return {} if value is None else {"0": value}


def _php_array_merge(*arrays: dict[str, Any]) -> dict[str, Any]:
    """``array_merge``: string keys override, integer keys are renumbered."""
    result: dict[str, Any] = {}
    next_index = 0
    for array in arrays:
        for key, value in array.items():
            if _CANONICAL_INT_KEY.match(key):
                result[str(next_index)] = value
                next_index += 1
            else:
                result[key] = value
    return result
