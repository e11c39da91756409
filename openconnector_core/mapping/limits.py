"""Bounds on one mapping run: wall-clock budget, loop iterations, output size and sub-mapping depth.

The budget lives in a context variable so nested ``executeMapping`` calls share their caller's run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

TIME_BUDGET_SECONDS = 1.0
MAX_ITERATIONS = 200_000
MAX_RANGE = 100_000
MAX_OUTPUT_CHARS = 5_000_000
MAX_DEPTH = 16


class LimitExceededError(RuntimeError):
    """A template or mapping exceeded one of the bounds of a run."""


@dataclass
class Budget:
    deadline: float
    iterations: int = 0
    depth: int = 0
    # Input containers known to hold no dotted keys during this run (see paths.encode_keys).
    clean_containers: dict[int, object] = field(default_factory=dict)
    # Stored mappings that executeMapping looked up during this run: one lookup per reference,
    # however many items or nested calls use it (a list run over a page reads each once).
    resolved: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def tick(self, count: int = 1) -> None:
        self.iterations += count
        if self.iterations > MAX_ITERATIONS:
            raise LimitExceededError(f"more than {MAX_ITERATIONS} loop iterations in one mapping run")
        if self.iterations % 256 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceededError(f"mapping run exceeded its time budget of {TIME_BUDGET_SECONDS} s")


_current: ContextVar[Budget | None] = ContextVar("openconnector_mapping_budget", default=None)


def current_budget() -> Budget:
    """The budget of the running mapping, or a fresh one for a standalone render."""
    budget = _current.get()
    if budget is None:
        budget = Budget(deadline=time.monotonic() + TIME_BUDGET_SECONDS)
    return budget


def start_budget(seconds: float = TIME_BUDGET_SECONDS) -> tuple[Budget, object | None]:
    """Start a run's budget unless one is running; returns (budget, token to pass to :func:`end_budget`)."""
    budget = _current.get()
    if budget is not None:
        return budget, None
    budget = Budget(deadline=time.monotonic() + seconds)
    return budget, _current.set(budget)


def restart_budget(seconds: float = TIME_BUDGET_SECONDS) -> None:
    """Give the running budget a fresh deadline and iteration count (the next item of a list run)."""
    budget = _current.get()
    if budget is not None:
        budget.deadline = time.monotonic() + seconds
        budget.iterations = 0


def end_budget(token: object | None) -> None:
    if token is not None:
        _current.reset(token)  # type: ignore[arg-type]


def extend_running_budget(seconds: float) -> None:
    """Give the running budget extra time (compiling a template is not the template's fault)."""
    budget = _current.get()
    if budget is not None:
        budget.deadline += seconds


def check_output_size(size: int) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise LimitExceededError(f"template output exceeds {MAX_OUTPUT_CHARS} characters")


def check_value_size(value: object) -> None:
    if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
        raise LimitExceededError(f"a template value exceeds {MAX_OUTPUT_CHARS} characters")
