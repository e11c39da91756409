"""The mapping engine: runs mapping definitions as compiled Python functions (behaviour reference §3).

No I/O: stored mappings referenced by ``executeMapping`` come from the ``resolver`` callable. Each
definition is compiled once (:mod:`.compiler`) and the compiled function is what runs; a sub-mapping
called from a template runs its own compiled function, in the caller's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core import deadline, php
from openconnector_core.errors import MappingError
from openconnector_core.twig.environment import TemplateRenderer
from openconnector_core.twig.limits import (
    MAX_DEPTH,
    TIME_BUDGET_SECONDS,
    LimitExceededError,
    check_expanded_size,
    current_budget,
    end_budget,
    start_budget,
)
from openconnector_core.twig.rendering import EXECUTE_JSON

from . import paths, rules
from .compiler import CompiledMapping, Runtime, compiled
from .results import result_json

Resolver = Callable[[str], Mapping[str, Any] | None]


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
            functions={
                **(functions or {}),
                "executeMapping": self._execute_from_template,
                EXECUTE_JSON: self._execute_json,  # not callable from templates: the name starts with _
            }
        )
        table = self.renderer.functions
        self._runtime = Runtime(table, frozenset(table), self.renderer)

    # ------------------------------------------------------------------ public

    def run(
        self, mapping: Mapping[str, Any], data: Any, list_mode: bool = False
    ) -> dict[str, Any] | list[Any]:
        """Map ``data``; raises :class:`MappingError` (never another exception).

        The time budget covers one mapping run, source calls made from templates included; in list
        mode every item is a run of its own and the whole output is capped.
        """
        budget, token = start_budget(self._time_budget)
        try:
            if not isinstance(mapping, Mapping):
                raise MappingError("A mapping must be an object")
            function = compiled(mapping)
            if list_mode:
                result = rules.run_list(
                    lambda item: self._single(function, item), mapping, data, self._time_budget
                )
            else:
                with deadline.within(budget.deadline):
                    result = function.single(data, self._runtime)
            finished: dict[str, Any] | list[Any] = paths.finish_output(result)
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

    def _single(self, function: CompiledMapping, data: Any) -> dict[str, Any] | list[Any]:
        with deadline.within(current_budget().deadline):
            return function.single(data, self._runtime)

    # ------------------------------------------------------------------ sub-mappings

    def _execute_from_template(self, reference: Any, data: Any = None, list_mode: Any = False) -> Any:
        return paths.finish_output(self._execute(reference, data, list_mode))

    def _execute_json(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """``executeMapping(...)|json_encode`` without walking the result three times."""
        return result_json(self._execute(reference, data, list_mode))

    def _execute(self, reference: Any, data: Any, list_mode: Any) -> Any:
        """A sub-mapping's result before :func:`paths.finish_output`."""
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
            # The compiled function of a mapping object seen before in this run (sub-mappings of a
            # list or a loop): no cache key to compute again.
            known = budget.compiled.get(id(mapping))
            if known is not None and known[0] is mapping:
                function: CompiledMapping = known[1]  # type: ignore[assignment]
            else:
                function = compiled(mapping)
                budget.compiled[id(mapping)] = (mapping, function)
            if list_mode is True or (not isinstance(list_mode, bool) and php.truthy(list_mode)):
                return rules.run_list(lambda item: function.single(item, self._runtime), mapping, data)
            return function.single(data, self._runtime)
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
