"""The mapping interpreter: walks a mapping definition for every record (behaviour reference §3).

It is the reference the compiled mappings (:mod:`.compiler`, what runs in production) are checked
against, case by case and on generated mappings; it stays simple on purpose.
"""

from __future__ import annotations

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
    start_budget,
)

from . import paths, rules
from .casts import DELETE, CastContext, CastError, resolve_casts

Resolver = Callable[[str], Mapping[str, Any] | None]


def _error(mapping: Mapping[str, Any], key: str, spec: Any, cause: str) -> MappingError:
    return rules.rule_error(mapping, key, spec, cause)


class MappingInterpreter:
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
            finished: dict[str, Any] | list[Any] = paths.finish_output(self._run(mapping, data, list_mode))
            return finished
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
        return rules.run_list(
            lambda item: self._run_single(mapping, item),
            mapping,
            data,
            self._time_budget if budget_per_item else None,
        )

    def _run_single(self, mapping: Mapping[str, Any], data: Any) -> dict[str, Any] | list[Any]:
        if not isinstance(data, php.ARRAYS):
            raise MappingError(rules.input_error(mapping, data).message)
        pass_through = php.truthy(mapping.get("passThrough"))
        clean = None if pass_through else current_budget().clean_containers
        encoded = paths.encode_keys(data, copy=pass_through, clean=clean)
        output: dict[str, Any] | list[Any] = encoded if pass_through else {}
        if pass_through and isinstance(output, list):
            output = {str(index): item for index, item in enumerate(output)}

        definitions = mapping.get("mapping") or {}
        if type(definitions) is not dict and not isinstance(definitions, Mapping):  # dict first: ABC is slow
            definitions = {}
        for target, spec in definitions.items():
            target_key = str(target)
            if rules.is_number_key(target_key):
                raise _error(mapping, target_key, spec, rules.NUMBER_KEY_CAUSE)
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

        return rules.root_rule(output) if isinstance(output, dict) else output

    def _value_for(self, mapping: Mapping[str, Any], target: str, spec: Any, encoded: Any, data: Any) -> Any:
        if spec is None:
            raise _error(mapping, target, spec, rules.NULL_SPEC_CAUSE)
        if isinstance(spec, php.ARRAYS):
            return rules.literal_value(mapping, target, spec, encoded)
        text = spec if isinstance(spec, str) else php.to_string(spec)
        value = paths.lookup(encoded, text)
        if paths.found(value):
            return paths.deep_copy(value) if isinstance(value, php.ARRAYS) else value
        if "{" not in text:
            return php.html_entity_decode(text)
        try:
            return self.renderer.render(text, data)
        except TemplateRenderError as error:
            raise _error(mapping, target, spec, error.message) from error

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
