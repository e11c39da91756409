"""Bounds on one mapping run: wall-clock budget, loop iterations, output size and sub-mapping depth.

The budget lives in a context variable so nested ``executeMapping`` calls share their caller's run.
"""

from __future__ import annotations

import math
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
# All items of one list-mode run together (each item has the limits of a run of its own).
MAX_LIST_OUTPUT_CHARS = 20_000_000
# Elements of one array a template builds (|merge doubling) and nesting levels json_encode accepts
# (PHP's json_encode default depth).
MAX_ITEMS = 1_000_000
MAX_JSON_DEPTH = 512
# Above this size a value's check also looks at the clock: copying big strings is where time goes.
_CLOCK_CHECK_CHARS = 65_536
# PHP arrays, as a tuple for isinstance: a ``dict | list`` union is built anew on every call (slower).
_ARRAYS = (dict, list)


class LimitExceededError(RuntimeError):
    """A template or mapping exceeded one of the bounds of a run."""


@dataclass(slots=True)
class Budget:
    deadline: float
    iterations: int = 0
    depth: int = 0
    # Input containers known to hold no dotted keys during this run (see paths.encode_keys).
    clean_containers: dict[int, object] = field(default_factory=dict)
    # Stored mappings that executeMapping looked up during this run: one lookup per reference,
    # however many items or nested calls use it (a list run over a page reads each once).
    resolved: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # Arrays whose expanded size was measured during this run: id → (size, height, the array).
    measured: dict[int, tuple[int, int, object]] = field(default_factory=dict)
    # Values rules took from printed sub-mapping results instead of parsing their JSON text (already
    # finished and JSON-shaped): id → (the value, its expanded size, its height). Walks over the
    # run's output take them as they are (like ``measured``, this relies on them not changing).
    carried: dict[int, tuple[object, int, int]] = field(default_factory=dict)
    # Compiled sub-mappings of this run: ids of the mapping object and of the engine's runtime →
    # (the object, its function bound to that runtime).
    compiled: dict[tuple[int, int], tuple[object, object]] = field(default_factory=dict)
    # For memoized renders (mapping.memo): how often the run read the clock, drew a random number or
    # called a function from outside (a render that did is not kept), the deepest executeMapping
    # nesting reached, and every stored mapping reference resolved, in order (reference, mapping).
    impure: int = 0
    valid_until: float = math.inf  # a render read the date of today: kept until midnight (a timestamp)
    deepest: int = 0
    references: list[tuple[str, object]] = field(default_factory=list)

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


# The budget of the running mapping, or None outside one (no fresh budget is made).
running_budget = _current.get


def current_budget() -> Budget:
    """The budget of the running mapping, or a fresh one for a standalone render."""
    budget = _current.get()
    if budget is None:
        budget = Budget(deadline=time.monotonic() + TIME_BUDGET_SECONDS)
    return budget


def mark_impure() -> None:
    """The running render depends on more than its template and data (the clock, chance, a call out)."""
    budget = _current.get()
    if budget is not None:
        budget.impure += 1


def valid_until(timestamp: float) -> None:
    """The running render's output holds until ``timestamp`` (it read today's date, say)."""
    budget = _current.get()
    if budget is not None and timestamp < budget.valid_until:
        budget.valid_until = timestamp


def check_running_time() -> None:
    """``current_budget().check_time()`` without making a budget when none runs (a fresh one has time)."""
    budget = _current.get()
    if budget is not None and time.monotonic() > budget.deadline:
        budget.check_time()


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
    if isinstance(value, str) and len(value) > _CLOCK_CHECK_CHARS:
        if len(value) > MAX_OUTPUT_CHARS:
            raise LimitExceededError(f"a template value exceeds {MAX_OUTPUT_CHARS} characters")
        current_budget().check_time()


def check_projected_size(size: int) -> None:
    """Refuse a string before building it when its length is known to exceed the cap."""
    if size > MAX_OUTPUT_CHARS:
        raise LimitExceededError(f"a template value exceeds {MAX_OUTPUT_CHARS} characters")


def check_items(count: int) -> None:
    if count > MAX_ITEMS:
        raise LimitExceededError(f"an array of more than {MAX_ITEMS} elements")
    if count > _CLOCK_CHECK_CHARS:
        current_budget().check_time()


def check_expanded_size(
    value: object,
    limit: int = MAX_OUTPUT_CHARS,
    depth_limit: int = MAX_JSON_DEPTH,
    budget: Budget | None = None,
) -> None:
    """Refuse data whose fully expanded form is too big or too deep before a recursive walk expands it.

    Arrays built in a template may share sub-arrays (``{% set l = [l, l] %}`` doubles the expanded size
    per step at no memory cost); this walk visits every distinct array once and adds up the expanded
    size (one per element plus the length of strings and keys), so it is linear in what is really in
    memory. Measured arrays are remembered for the run (like ``clean_containers``, this relies on
    arrays not changing during a run; the template context, which does change, is never remembered).
    ``budget``: the running run's, when the caller has it at hand.
    Raises :class:`LimitExceededError` (too big) or :class:`DepthExceededError` (too deep).
    """
    if not isinstance(value, _ARRAYS):
        return
    if budget is None:
        budget = current_budget()
    _measure(value, 1, limit, depth_limit, budget.measured)
    if len(budget.measured) > 4096:
        budget.check_time()


def _too_big(limit: int) -> LimitExceededError:
    return LimitExceededError(f"a template value exceeds {limit} characters")


def _measure(
    node: Any, depth: int, limit: int, depth_limit: int, measured: dict[int, tuple[int, int, object]]
) -> tuple[int, int]:
    """(expanded size, height) of an array; see :func:`check_expanded_size`."""
    kind = type(node)
    remember = kind is dict or kind is list
    if remember:
        known = measured.get(id(node))
        if known is not None and known[2] is node:
            if depth + known[1] > depth_limit:
                raise DepthExceededError(f"data nested deeper than {depth_limit} levels")
            if known[0] > limit:
                raise _too_big(limit)
            return known[0], known[1]
    if depth > depth_limit:
        raise DepthExceededError(f"data nested deeper than {depth_limit} levels")
    total = 1
    height = 0
    if kind is list:
        items = node
    else:
        items = node.values()
        for key in node:
            if type(key) is str:
                total += len(key)
    for item in items:
        item_kind = type(item)
        if item_kind is str:
            total += len(item) + 1
        elif item_kind is dict or item_kind is list or isinstance(item, _ARRAYS):
            size, below = _measure(item, depth + 1, limit, depth_limit, measured)
            total += size
            if below >= height:
                height = below + 1
            if total > limit:
                raise _too_big(limit)
        else:
            total += 1
    if total > limit:
        raise _too_big(limit)
    if remember:
        measured[id(node)] = (total, height, node)
    return total, height


class DepthExceededError(LimitExceededError):
    """Data nested deeper than a walk accepts."""


def output_size(value: object) -> int:
    """The expanded size of a result (as :func:`check_expanded_size` counts), without recursion."""
    total = 0
    pending = [value]
    while pending:
        node = pending.pop()
        total += 1
        if type(node) is dict:
            total += sum([len(key) for key in node if type(key) is str])
            pending.extend(node.values())
        elif type(node) is list:
            pending.extend(node)
        elif type(node) is str:
            total += len(node)
    return total


def check_list_output(total: int) -> None:
    if total > MAX_LIST_OUTPUT_CHARS:
        raise LimitExceededError(f"list-mode output exceeds {MAX_LIST_OUTPUT_CHARS} characters")
