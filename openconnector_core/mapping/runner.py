"""What every way of running mappings shares: the public ``run`` (budget, deadline, errors) and the
template functions it offers (``executeMapping``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core import deadline
from openconnector_core.errors import MappingError
from openconnector_core.twig.environment import TemplateRenderer
from openconnector_core.twig.limits import (
    TIME_BUDGET_SECONDS,
    LimitExceededError,
    end_budget,
    mark_impure,
    start_budget,
)

from . import paths, rules


class Runner:
    """Runs mapping definitions (wire shape: ``name``, ``mapping``, ``unset``, ``cast``, ``passThrough``)."""

    def __init__(
        self,
        resolver: rules.Resolver | None = None,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        time_budget_seconds: float = TIME_BUDGET_SECONDS,
    ) -> None:
        self._resolver = resolver
        self._time_budget = time_budget_seconds
        outside = {name: _marked_impure(function) for name, function in (functions or {}).items()}
        self.renderer = TemplateRenderer(functions={**outside, **self._template_functions()})

    def _template_functions(self) -> dict[str, Callable[..., Any]]:
        return {"executeMapping": self._execute_from_template}

    def run(
        self, mapping: Mapping[str, Any], data: Any, list_mode: bool = False, *, stored: bool = False
    ) -> dict[str, Any] | list[Any]:
        """Map ``data``; raises :class:`MappingError` (never another exception). ``stored``: ``mapping``
        is what the store returned, unchanged (known by id and version, not by its text).

        The time budget covers one mapping run, source calls made from templates included (the run's
        deadline is set for them); in list mode every item is a run of its own and the whole output
        is capped.
        """
        budget, token = start_budget(self._time_budget)
        try:
            if not isinstance(mapping, Mapping):
                raise MappingError("A mapping must be an object")
            if list_mode:
                result = rules.run_list(self._single_of(mapping, stored), mapping, data, self._time_budget)
            else:
                with deadline.within(budget.deadline):
                    result = self._single_of(mapping, stored)(data)
            finished: dict[str, Any] | list[Any] = paths.finish_output(result, budget.carried)
            return finished
        except MappingError:
            raise
        except LimitExceededError as error:
            raise MappingError(f"Error for mapping: {mapping.get('name', '')}: {error}") from error
        except Exception as error:  # the public entry point never leaks a raw exception
            raise MappingError(
                f"Error for mapping: {rules.name_of(mapping)} and with message thrown: {error}"
            ) from error
        finally:
            end_budget(token)
            del budget

    def _single_of(
        self, mapping: Mapping[str, Any], stored: bool = False
    ) -> Callable[[Any], dict[str, Any] | list[Any]]:
        """The function mapping one object with ``mapping`` (before finishing its keys); ``stored``: as
        :meth:`run` says."""
        raise NotImplementedError

    def _execute_from_template(self, reference: Any, data: Any = None, list_mode: Any = False) -> Any:
        return paths.finish_output(
            rules.execute_sub_mapping(self._resolver, reference, data, list_mode, self._run_sub_mapping)
        )

    def _run_sub_mapping(self, mapping: Mapping[str, Any], data: Any, listed: bool) -> Any:
        """A sub-mapping called from a template, in the caller's run (before finishing its keys)."""
        single = self._single_of(mapping)
        return rules.run_list(single, mapping, data) if listed else single(data)


def _marked_impure(function: Callable[..., Any]) -> Callable[..., Any]:
    """A function from outside the engine (``callSource``, …): whatever it returns, a render calling it
    is not memoized."""

    @functools.wraps(function)
    def marked(*arguments: Any, **keywords: Any) -> Any:
        mark_impure()
        return function(*arguments, **keywords)

    return marked
