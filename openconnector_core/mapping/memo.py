"""Renders kept for data seen before (docs/adr/0233).

A synchronization maps thousands of records whose parts repeat: every xxllnc case carries its whole
case type, so the case type's zaaktype (statustypen, eigenschappen, roltypen, resultaattypen, each a
loop of sub-mappings) comes out the same for every case of that type. A compiled template that loops
or calls functions is a pure function of its data, the engine's functions and the stored mappings it
reaches through ``executeMapping`` — unless it reads the clock, draws a random number or calls a
function from outside the engine; the run counts those (``Budget.impure``) and such a render is never
kept. So its output is kept per engine, keyed by the template and the exact data (``marshal``: types,
order and values) and the way it is finished (text, or the array ``jsonToArray`` would make of it),
with what it depended on:

* the compiled mapping each stored reference named (a changed mapping is compiled anew: a miss);
* the loop iterations it spent (charged again; near the limit it runs instead, to fail as it would)
  and how deep it nested ``executeMapping`` (near the limit it runs instead);
* a kept array is handed out as a fresh copy (``marshal.loads``), so callers may change it.

Each template's hit rate is watched: one whose data never repeats (the record's own fields) stops
being looked up for a while. Entries are bounded in number and bytes; eviction is first in, first out.
"""

from __future__ import annotations

import marshal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openconnector_core.twig.limits import MAX_DEPTH, MAX_ITERATIONS, Budget, current_budget

MAX_ENTRIES = 4096
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 256 * 1024
# A template is looked up again after this many renders once its hit rate proved too low.
_PAUSE = 2048
_TRIAL = 64  # renders before the hit rate is judged

Template = Callable[[Any, Any], list[str]]


@dataclass(frozen=True, slots=True)
class _Entry:
    output: str | bytes  # the finished text, or an array marshalled
    carried: tuple[int, int] | None  # (size, height) when the array was a carried value
    iterations: int
    reach: int  # executeMapping levels below the render
    references: tuple[tuple[str, object], ...]  # (reference, its compiled mapping)
    size: int


class RenderMemo:
    """One per engine. ``compiled_of(reference)`` gives the compiled mapping a stored reference names
    in the running run (resolving it there, as the render would)."""

    def __init__(self, compiled_of: Callable[[str], object]) -> None:
        self._compiled_of = compiled_of
        self._entries: dict[tuple[Template, Callable[[list[str]], Any], bytes], _Entry] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self._tried: dict[Template, list[int]] = {}  # template → [renders, hits] of the current trial
        self._paused: dict[Template, int] = {}  # template → renders left before it is tried again
        self.hits = self.kept = 0  # renders answered from the memo / renders kept (approximate counts)

    def render(
        self,
        template: Template,
        data: Any,
        functions: Any,
        finish: Callable[[list[str]], Any],
        key: list[bytes | None],
    ) -> Any:
        """``finish(template(data, functions))``, kept or computed; ``key``: the data's key, shared by
        the renders of one mapping call (``[None]`` until one of them needs it, ``b""`` for data that
        cannot be kept)."""
        paused = self._paused.get(template)
        if paused is not None:
            if paused > 1:
                self._paused[template] = paused - 1
            else:
                self._paused.pop(template, None)
            return finish(template(data, functions))
        data_key = key[0]
        if data_key is None:
            data_key = key[0] = _key_of(data)
        if not data_key:
            return finish(template(data, functions))
        budget = current_budget()
        entry = self._entries.get((template, finish, data_key))
        tried = self._tried.get(template)
        if tried is None:
            tried = self._tried[template] = [0, 0]
        tried[0] += 1
        if entry is not None and self._usable(entry, budget):
            tried[1] += 1
            self.hits += 1
            return self._replay(entry, budget)
        if tried[0] >= _TRIAL:
            if tried[1] * 4 < tried[0]:
                self._paused[template] = _PAUSE
            self._tried.pop(template, None)
        return self._compute(template, data, functions, finish, data_key, budget)

    def _usable(self, entry: _Entry, budget: Budget) -> bool:
        if budget.iterations + entry.iterations > MAX_ITERATIONS or budget.depth + entry.reach > MAX_DEPTH:
            return False  # run it: it fails there as it would have
        try:
            return all(self._compiled_of(reference) is known for reference, known in entry.references)
        except Exception:
            return False

    def _replay(self, entry: _Entry, budget: Budget) -> Any:
        budget.iterations += entry.iterations
        if budget.depth + entry.reach > budget.deepest:
            budget.deepest = budget.depth + entry.reach
        output = entry.output
        if isinstance(output, str):
            return output
        value = marshal.loads(output)  # noqa: S302 - bytes this module marshalled itself
        if entry.carried is not None:
            budget.carried[id(value)] = (value, *entry.carried)
        return value

    def _compute(
        self,
        template: Template,
        data: Any,
        functions: Any,
        finish: Callable[[list[str]], Any],
        data_key: bytes,
        budget: Budget,
    ) -> Any:
        impure, iterations, resolved = budget.impure, budget.iterations, len(budget.references)
        deepest, budget.deepest = budget.deepest, budget.depth
        try:
            result = finish(template(data, functions))
        finally:
            reach = budget.deepest - budget.depth
            budget.deepest = max(deepest, budget.deepest)
        spent = budget.iterations - iterations
        if budget.impure != impure or spent < 0:
            return result
        if type(result) is str:
            output: str | bytes = result
            carried = None
        elif type(result) is dict or type(result) is list:
            try:
                output = marshal.dumps(result)
            except ValueError:  # something marshal cannot copy exactly (a str subclass, say)
                return result
            known = budget.carried.get(id(result))
            carried = (known[1], known[2]) if known is not None and known[0] is result else None
        else:
            return result
        size = len(data_key) + len(output)
        if size > MAX_ENTRY_BYTES:
            return result
        references = {
            reference: self._compiled_of(reference) for reference, _ in budget.references[resolved:]
        }
        self._keep(
            (template, finish, data_key),
            _Entry(output, carried, spent, reach, tuple(references.items()), size),
        )
        return result

    def _keep(self, key: tuple[Template, Callable[[list[str]], Any], bytes], entry: _Entry) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            self.kept += 1
            while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_BYTES:
                oldest = next(iter(self._entries))
                self._bytes -= self._entries.pop(oldest).size


def _key_of(data: Any) -> bytes:
    """The exact data as bytes (types, order, values), or ``b""`` when it cannot be kept."""
    try:
        key = marshal.dumps(data)
    except ValueError:
        return b""
    return key if len(key) <= MAX_ENTRY_BYTES // 2 else b""
