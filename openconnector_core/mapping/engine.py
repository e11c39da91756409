"""The mapping engine: runs mapping definitions as compiled Python functions (behaviour reference §3).

No I/O: stored mappings referenced by ``executeMapping`` come from the ``resolver`` callable. Each
definition is compiled once (:mod:`.compiler`) and the compiled function is what runs; a sub-mapping
called from a template runs its own compiled function, in the caller's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core.twig.limits import (
    TIME_BUDGET_SECONDS,
    current_budget,
)
from openconnector_core.twig.rendering import EXECUTE_JSON, EXECUTE_JSON_VALUE

from . import rules
from .compiler import Runtime, compiled
from .memo import RenderMemo
from .results import result_json
from .runner import Runner

Resolver = rules.Resolver


class MappingEngine(Runner):
    """Runs mapping definitions as compiled functions (what runs in production)."""

    def __init__(
        self,
        resolver: Resolver | None = None,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        time_budget_seconds: float = TIME_BUDGET_SECONDS,
    ) -> None:
        super().__init__(resolver, functions, time_budget_seconds=time_budget_seconds)
        table = self.renderer.functions
        self._runtime = Runtime(table, frozenset(table), self.renderer, RenderMemo(self._compiled_of))

    def _template_functions(self) -> dict[str, Callable[..., Any]]:
        # The one-step executeMapping(...)|json_encode: its name starts with _, templates cannot call it
        return {
            **super()._template_functions(),
            EXECUTE_JSON: self._execute_json,
            EXECUTE_JSON_VALUE: self._execute_json_value,
        }

    def _single_of(self, mapping: Mapping[str, Any]) -> Callable[[Any], dict[str, Any] | list[Any]]:
        # The compiled function of a mapping object seen before in this run (sub-mappings of a list
        # or a loop): no cache key to compute again.
        budget = current_budget()
        runtime = self._runtime
        key = (id(mapping), id(runtime))  # two engines may share a run (nested runs)
        known = budget.compiled.get(key)
        if known is not None and known[0] is mapping:
            return known[1]  # type: ignore[return-value]
        # Only what the store returned is known by id and version: a definition given to run()
        # (e.g. one being edited in the UI, with the id it was stored under) is known by its text.
        stored = any(found is mapping for found in budget.resolved.values())
        program = compiled(mapping, stored)
        single = program.single

        def bound(data: Any) -> dict[str, Any] | list[Any]:
            return single(data, runtime)

        bound.program = program  # type: ignore[attr-defined]
        budget.compiled[key] = (mapping, bound)
        return bound

    def _compiled_of(self, reference: str) -> object:
        """The compiled mapping a stored reference names in the running run (for the render memo)."""
        return self._single_of(rules.resolve_reference(self._resolver, reference)).program  # type: ignore[attr-defined]

    def _execute_json(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """``executeMapping(...)|json_encode`` without walking the result three times."""
        return result_json(
            rules.execute_sub_mapping(self._resolver, reference, data, list_mode, self._run_sub_mapping)
        )

    def _execute_json_value(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """The printed ``executeMapping(...)|json_encode``: its text carrying its value (see JsonText)."""
        return result_json(
            rules.execute_sub_mapping(self._resolver, reference, data, list_mode, self._run_sub_mapping),
            carry=True,
        )
