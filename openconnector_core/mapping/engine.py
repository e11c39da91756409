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
    Budget,
    current_budget,
    running_budget,
)
from openconnector_core.twig.rendering import (
    EXECUTE_JSON,
    EXECUTE_JSON_LAZY,
    EXECUTE_JSON_VALUE,
    LazyJson,
)

from . import rules
from .compiler import CACHE_SIZE, CompiledMapping, Runtime, compiled
from .memo import RenderMemo
from .results import result_json
from .runner import Runner

# The forms of a sub-mapping's JSON: its text, a JsonText carrying its value, or perhaps a LazyJson.
_TEXT, _CARRIED, _LAZY = 0, 1, 2

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
        # The functions _bound made, by the id of the compiled mapping (which they keep alive).
        self._functions: dict[int, tuple[CompiledMapping, Any]] = {}

    def _template_functions(self) -> dict[str, Callable[..., Any]]:
        # The one-step executeMapping(...)|json_encode: its name starts with _, templates cannot call it
        return {
            **super()._template_functions(),
            EXECUTE_JSON: self._execute_json,
            EXECUTE_JSON_VALUE: self._execute_json_value,
            EXECUTE_JSON_LAZY: self._execute_json_lazy,
        }

    def _single_of(
        self, mapping: Mapping[str, Any], stored: bool = False
    ) -> Callable[[Any], dict[str, Any] | list[Any]]:
        single: Callable[[Any], dict[str, Any] | list[Any]] = self._bound(current_budget(), mapping, stored)
        return single

    def _bound(self, budget: Budget, mapping: Any, stored: bool = False) -> Any:
        # The compiled function of a mapping object seen before in this run (sub-mappings of a list
        # or a loop): no cache key to compute again.
        runtime = self._runtime
        known = budget.compiled.get((id(mapping), id(runtime)))  # two engines may share a run
        if known is not None and known[0] is mapping:
            return known[1]
        # Only what the store returned is known by id and version: a definition given to run()
        # (e.g. one being edited in the UI, with the id it was stored under) is known by its text.
        stored = stored or any(found is mapping for found in budget.resolved.values())
        program = compiled(mapping, stored)
        functions = self._functions
        made = functions.get(id(program))
        if made is not None and made[0] is program:
            bound = made[1]
        else:
            bound = _bind(program, runtime)
            if len(functions) >= CACHE_SIZE:
                functions.clear()
            functions[id(program)] = (program, bound)
        budget.compiled[(id(mapping), id(runtime))] = (mapping, bound)
        return bound

    def _program_of(self, mapping: Any) -> object:
        """The compiled form of a mapping in the running run (for the memo)."""
        return self._single_of(mapping).program  # type: ignore[attr-defined]

    def _execute_json(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """``executeMapping(...)|json_encode`` without walking the result three times."""
        return self._kept_json(reference, data, list_mode, _TEXT)  # type: ignore[return-value]

    def _execute_json_value(self, reference: Any, data: Any = None, list_mode: Any = False) -> str | bool:
        """The printed ``executeMapping(...)|json_encode``: its text carrying its value (see JsonText)."""
        return self._kept_json(reference, data, list_mode, _CARRIED)  # type: ignore[return-value]

    def _execute_json_lazy(
        self, reference: Any, data: Any = None, list_mode: Any = False
    ) -> str | bool | LazyJson:
        """:meth:`_execute_json_value`, its text perhaps not made yet (see LazyJson)."""
        return self._kept_json(reference, data, list_mode, _LAZY)

    def _kept_json(self, reference: Any, data: Any, list_mode: Any, form: int) -> str | bool | LazyJson:
        """The sub-mapping's JSON in ``form``, kept for data seen before (mapping.memo). What the call
        would refuse (too deep, an unknown reference) is left to the call, which refuses it as it
        always does."""
        budget = running_budget()
        if budget is None or budget.depth >= MAX_DEPTH:  # outside a run there is nothing to keep it for
            return self._json_of(reference, data, list_mode, form)
        try:
            mapping = rules.resolve_reference(self._resolver, reference, budget)
        except MappingError:
            return self._json_of(reference, data, list_mode, form)
        # A mapping that is not the reference came from the store (it is in budget.resolved).
        bound = self._bound(budget, mapping, mapping is not reference)
        listed = rules.list_flag(list_mode)
        if type(mapping) is not dict and not isinstance(mapping, Mapping):  # the call refuses it
            return self._runtime.memo.call(
                bound.program, (listed, form), data, self._json_of, mapping, data, listed, form
            )
        return self._runtime.memo.call(  # type: ignore[no-any-return]
            bound.program,
            (listed, form),
            data,
            self._bound_json,
            budget,
            mapping,
            bound,
            data,
            listed,
            form,
        )

    def _bound_json(
        self, budget: Budget, mapping: Mapping[str, Any], bound: Any, data: Any, listed: bool, form: int
    ) -> str | bool | LazyJson:
        """:meth:`_json_of` for a resolved mapping and its compiled function (from :meth:`_bound`)."""
        return result_json(
            rules.execute_sub_mapping(self._resolver, mapping, data, listed, bound.run, budget),
            form != _TEXT,
            budget,
            lazy=form == _LAZY,
        )

    def _json_of(self, reference: Any, data: Any, list_mode: Any, form: int) -> str | bool | LazyJson:
        """``executeMapping(reference, data, list_mode)|json_encode`` in ``form``, not kept."""
        return result_json(
            rules.execute_sub_mapping(self._resolver, reference, data, list_mode, self._run_sub_mapping),
            form != _TEXT,
            lazy=form == _LAZY,
        )


def _bind(program: CompiledMapping, runtime: Runtime) -> Any:
    """``program``'s function run by ``runtime``, carrying the program (for the memo) and
    ``run(mapping, data, listed)``: what running it from a template does (see Runner._run_sub_mapping)."""
    single = program.single

    def bound(data: Any) -> dict[str, Any] | list[Any]:
        return single(data, runtime)

    def run(mapping: Mapping[str, Any], data: Any, listed: bool) -> Any:
        return rules.run_list(bound, mapping, data) if listed else single(data, runtime)

    bound.program = program  # type: ignore[attr-defined]
    bound.run = run  # type: ignore[attr-defined]
    return bound
