"""What the interpreter and the compiled mappings share: error texts, literal array rules, list mode
and the ``#`` root rule (behaviour reference §3.2-§3.3)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core import deadline, php
from openconnector_core.errors import MappingError
from openconnector_core.twig.lexer import normalize_newlines
from openconnector_core.twig.limits import (
    MAX_DEPTH,
    Budget,
    LimitExceededError,
    check_expanded_size,
    check_list_output,
    current_budget,
    output_size,
    restart_budget,
)

from . import paths

CANONICAL_INT_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
INT_START = frozenset("-0123456789")
ARRAYS = php.ARRAYS


def spec_text(spec: Any) -> str:
    if isinstance(spec, str):
        return spec
    return php.json_encode(spec) if isinstance(spec, ARRAYS) else php.to_string(spec)


def error_prefix(mapping: Mapping[str, Any], key: str, spec: Any) -> str:
    name = php.to_string(mapping.get("name", ""))
    return f"Error for mapping: {name}, key: {key}, value: {spec_text(spec)} and with message thrown: "


def rule_error(mapping: Mapping[str, Any], key: str, spec: Any, cause: str) -> MappingError:
    return MappingError(error_prefix(mapping, key, spec) + cause)


def is_number_key(target: str) -> bool:
    """A digit-only target key: upstream it replaces the whole output (quirk Q4), here an error."""
    return target[:1] in INT_START and CANONICAL_INT_KEY.match(target) is not None


NUMBER_KEY_CAUSE = "a target key cannot be a number (it replaces the output)"
NULL_SPEC_CAUSE = "the value of a mapping rule cannot be null"


def literal_value(
    mapping: Mapping[str, Any], target: str, spec: dict[str, Any] | list[Any], encoded: Any
) -> Any:
    """A literal array spec. Upstream feeds it to the path library's has(): nested arrays or "all
    leaves are existing keys" make it crash (quirk Q3); otherwise it is written as-is."""
    if not encoded:  # an empty input: has() answers before looking at the spec
        return paths.deep_copy(spec)
    leaves = list(spec.values()) if isinstance(spec, dict) else spec
    if any(isinstance(leaf, ARRAYS) for leaf in leaves):
        raise rule_error(mapping, target, spec, "a literal array value cannot contain nested arrays")
    if leaves and all(paths.exists(encoded, php.to_string(leaf)) for leaf in leaves):
        raise rule_error(mapping, target, spec, "a literal array value cannot consist of existing paths")
    return paths.deep_copy(spec)


def literal_text(text: str) -> str:
    """A spec that is neither a path found nor a template: what rendering it gives (Twig reads its line
    ends as ``\n``; the output's entities are decoded)."""
    return php.html_entity_decode(normalize_newlines(text))


def scalar_spec(spec: bool | float, encoded: Any) -> Any:
    """A ``true``/``false`` or float spec as the original's path library reads it: the input's item at
    the integer the spec converts to (``false`` → 0, ``1.5`` → 1); else ``null`` where the spec's text
    names a path (found, but only string paths are read); else the spec's text."""
    if type(spec) is bool or math.isfinite(spec):
        value = paths.child(encoded, str(int(spec) if type(spec) is bool else php.float_to_int(spec)))
        if paths.found(value):
            return paths.deep_copy(value) if isinstance(value, ARRAYS) else value
    text = php.to_string(spec)
    return None if paths.found(paths.lookup(encoded, text)) else literal_text(text)


def input_error(mapping: Mapping[str, Any], data: Any) -> MappingError:
    return rule_error(mapping, "", "", f"the input must be an array, {php.php_type(data)} given")


def root_rule(output: dict[str, Any]) -> dict[str, Any] | list[Any]:
    """A single ``#`` key: its value is the result (an array as-is, ``null`` → ``[]``, ``x`` → ``[x]``)."""
    if len(output) == 1 and "#" in output:
        root = output["#"]
        if isinstance(root, ARRAYS):
            return root
        return [] if root is None else [root]
    return output


def run_list(
    single: Callable[[Any], dict[str, Any] | list[Any]],
    mapping: Mapping[str, Any],
    data: Any,
    budget_per_item: float | None = None,
) -> dict[str, Any] | list[Any]:
    """List mode: ``single`` on every item (with ``listInput`` extras and ``value``); with
    ``budget_per_item`` every item is a run of its own (a fresh time budget)."""
    if not isinstance(data, ARRAYS):
        raise rule_error(mapping, "", "", f"list input must be an array, {php.php_type(data)} given")
    extra: dict[str, Any] = {}
    items: Any = data
    if isinstance(data, dict) and "listInput" in data:  # array_key_exists: a null listInput too
        extra = {key: value for key, value in data.items() if key not in ("listInput", "value")}
        items = data["listInput"]
    if not isinstance(items, ARRAYS):
        return []  # PHP's foreach over anything but an array only warns: no items
    pairs = items.items() if isinstance(items, dict) else enumerate(items)
    results: dict[str, Any] = {}
    total = 0
    for key, item in pairs:
        if budget_per_item is not None:
            restart_budget(budget_per_item)
        current_budget().tick()
        if not isinstance(item, ARRAYS) or extra:
            item_input: dict[str, Any] | list[Any] = php_array_merge(as_array(item), {"value": item}, extra)
        else:
            item_input = item
        if budget_per_item is None:
            result = single(item_input)
        else:  # each item a run of its own (its deadline too), the whole output capped
            with deadline.within(current_budget().deadline):
                result = single(item_input)
            total += output_size(result)
            check_list_output(total)
        results[str(key)] = result
    return list(results.values()) if isinstance(items, list) else paths.KeyedResults(results)


def as_array(value: Any) -> dict[str, Any]:
    """PHP ``(array) $value`` as a dict."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    return {} if value is None else {"0": value}


def php_array_merge(*arrays: dict[str, Any]) -> dict[str, Any]:
    """``array_merge``: string keys override, integer keys are renumbered."""
    result: dict[str, Any] = {}
    next_index = 0
    for array in arrays:
        for key, value in array.items():
            if CANONICAL_INT_KEY.match(key):
                result[str(next_index)] = value
                next_index += 1
            else:
                result[key] = value
    return result


Resolver = Callable[[str], Mapping[str, Any] | None]
_NOT_REFERENCES = (list, bool)


def execute_sub_mapping(
    resolver: Resolver | None,
    reference: Any,
    data: Any,
    list_mode: Any,
    run: Callable[[Mapping[str, Any], Any, bool], Any],
    budget: Budget | None = None,
) -> Any:
    """``executeMapping(reference, data, list_mode)`` from a template: resolve, check and ``run`` the
    sub-mapping one level deeper in the caller's run (``budget``, when the caller has it at hand)."""
    if budget is None:
        budget = current_budget()
    if budget.depth >= MAX_DEPTH:
        raise LimitExceededError(f"executeMapping nested deeper than {MAX_DEPTH} levels")
    mapping = resolve_reference(resolver, reference, budget)
    if php.is_null(data):
        data = None
    # Data built in a template can share sub-arrays: refuse what would expand beyond any memory.
    check_expanded_size(data, budget=budget)
    budget.depth += 1
    if budget.depth > budget.deepest:
        budget.deepest = budget.depth
    try:
        budget.check_time()
        return run(mapping, data, list_flag(list_mode))
    finally:
        budget.depth -= 1


def list_flag(list_mode: Any) -> bool:
    """``executeMapping``'s list mode argument, read as PHP reads it (truthy)."""
    return list_mode is True or (not isinstance(list_mode, bool) and php.truthy(list_mode))


def resolve_reference(
    resolver: Resolver | None, reference: Any, budget: Budget | None = None
) -> Mapping[str, Any]:
    """The mapping ``executeMapping`` names: inline, or stored (looked up once per run, ``budget``'s)."""
    if type(reference) is int and php.INT_MIN <= reference <= php.INT_MAX:  # the common reference
        key = str(reference)  # (no slow ABC check for it)
    elif type(reference) is str:  # a stored mapping's id, or a reference the memo checks again
        key = reference
    elif type(reference) is dict:  # inline, or resolved before (no slow ABC check either)
        return reference
    else:
        if isinstance(reference, Mapping):
            return reference
        if php.is_null(reference) or isinstance(reference, _NOT_REFERENCES):
            raise MappingError(f"executeMapping: invalid mapping reference {php.to_string(reference)!r}")
        key = php.to_string(reference)
    if budget is None:
        budget = current_budget()
    found = budget.resolved.get(key)
    if found is None:
        found = resolver(key) if resolver is not None else None
        if found is None:
            raise MappingError(f"executeMapping: mapping {key!r} not found")
        budget.resolved[key] = found
    budget.references.append((key, found))  # what a memoized render depends on (mapping.memo)
    return found


def name_of(mapping: Any) -> str:
    return php.to_string(mapping.get("name", "")) if isinstance(mapping, Mapping) else ""
