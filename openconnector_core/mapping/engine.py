"""The mapping engine: runs mapping definitions as compiled Python functions (behaviour reference §3).

No I/O: stored mappings referenced by ``executeMapping`` come from the ``resolver`` callable. Each
definition is compiled once (:mod:`.compiler`) and the compiled function is what runs; a sub-mapping
called from a template runs its own compiled function, in the caller's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core.errors import MappingError
from openconnector_core.twig.limits import (
    MAX_DEPTH,
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
        memo = RenderMemo(
            lambda reference: rules.resolve_reference(self._resolver, reference), self._program_of
        )
        self._runtime = Runtime(table, frozenset(table), self.renderer, memo)

    def _template_functions(self) -> dict[str, Callable[..., Any]]:
        # The one-step executeMapping(...)|json_encode: its name starts with _, templates cannot call it
        return {
            **super()._template_functions(),
            EXECUTE_JSON: self._execute_json,
            EXECUTE_JSON_VALUE: self._execute_json_value,
        }

    def _single_of(
        self, mapping: Mapping[str, Any], stored: bool = False
    ) -> Callable[[Any], dict[str, Any] | list[Any]]:
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
        stored = stored or any(found is mapping for found in budget.resolved.values())
        program = compiled(mapping, stored)
        single = program.single

        def bound(data: Any) -> dict[str, Any] | list[Any]:
            return single(data, runtime)

        bound.program = program  # type: ignore[attr-defined]
        budget.compiled[key] = (mapping, bound)
        return bound

    def _program_of(self, mapping: Any) -> object:
        """The compiled form of a mapping in the running run (for the memo)."""
        return self._single_of(mapping).program  # type: ignore[attr-defined]

    def _execute_json(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """``executeMapping(...)|json_encode`` without walking the result three times."""
        return self._kept_json(reference, data, list_mode, False)

    def _execute_json_value(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """The printed ``executeMapping(...)|json_encode``: its text carrying its value (see JsonText)."""
        return self._kept_json(reference, data, list_mode, True)

    def _kept_json(self, reference: Any, data: Any, list_mode: Any, carry: bool) -> str | bool:
        """The sub-mapping's JSON, kept for data seen before (mapping.memo). What the call would refuse
        (too deep, an unknown reference) is left to the call, which refuses it as it always does."""

        def call(target: Any) -> str | bool:  # the reference, or the mapping it names (resolved)
            return result_json(
                rules.execute_sub_mapping(self._resolver, target, data, list_mode, self._run_sub_mapping),
                carry,
            )

        if current_budget().depth >= MAX_DEPTH:
            return call(reference)
        try:
            mapping = rules.resolve_reference(self._resolver, reference)
        except MappingError:
            return call(reference)
        program = self._program_of(mapping)
        key = (rules.list_flag(list_mode), carry)
        return self._runtime.memo.call(program, key, data, lambda: call(mapping))  # type: ignore[no-any-return]
