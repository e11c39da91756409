"""Renders and sub-mapping calls kept for data seen before (docs/adr/0233).

A synchronization maps thousands of records whose parts repeat: every xxllnc case carries its whole
case type, so the case type's zaaktype (statustypen, eigenschappen, roltypen, resultaattypen, each a
loop of sub-mappings) comes out the same for every case of that type. A compiled template that loops
or calls functions, and a compiled sub-mapping called with ``executeMapping``, are pure functions of
their data, the engine's functions and the stored mappings they reach — unless they read the clock,
draw a random number or call a function from outside the engine; the run counts those
(``Budget.impure``) and such a result is never kept. One that printed only today's date is kept until
midnight (``Budget.valid_until``). So results are kept per engine, keyed by what computed them and
the exact data (``marshal``: types, order and values) — for a template, the variables it reads
(``twig.reads``) — with what they depended on:

* the compiled mapping each stored reference named (a changed mapping is compiled anew: a miss);
* the loop iterations spent (charged again; near the limit it runs instead, to fail as it would) and
  how deep ``executeMapping`` nested (near the limit it runs instead);
* a kept array is handed out as a fresh copy (``marshal.loads``), so callers may change it.

The hit rate of each template or sub-mapping is watched: one whose data never repeats (the record's
own fields) is not looked up for a while. Entries are bounded in number and bytes; eviction is first
in, first out.
"""

from __future__ import annotations

import marshal
import math
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from openconnector_core.php import dates
from openconnector_core.twig.limits import MAX_DEPTH, MAX_ITERATIONS, Budget, current_budget
from openconnector_core.twig.rendering import JsonText, LazyJson

MAX_ENTRIES = 4096
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 256 * 1024
_PAUSE = 2048  # lookups skipped once a hit rate proved too low
_TRIAL = 64  # lookups before a hit rate is judged

Template = Callable[[Any, Any], list[str]]


@dataclass(frozen=True, slots=True)
class _Entry:
    # text, a marshalled array, or a JsonText (its text None: a LazyJson)
    output: str | bytes | tuple[str | None, bytes, int, int]
    carried: tuple[int, int] | None  # (size, height) when the array was a carried value
    iterations: int
    reach: int  # executeMapping levels below the call
    valid_until: float  # a timestamp; infinite unless the result printed today's date
    references: tuple[tuple[str, object, object], ...]  # (reference, the mapping, compiled)
    size: int


class RenderMemo:
    """One per engine. ``resolve(reference)`` gives the stored mapping a reference names in the running
    run (as the render would), ``program_of(mapping)`` its compiled form."""

    def __init__(self, resolve: Callable[[str], object], program_of: Callable[[object], object]) -> None:
        self._resolve = resolve
        self._program_of = program_of
        self._entries: dict[Hashable, _Entry] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self._tried: dict[object, list[int]] = {}  # what computes → [lookups, hits] of its trial
        self._paused: dict[object, int] = {}  # what computes → lookups left before it is tried again
        self.hits = self.kept = 0  # answered from the memo / kept (approximate under threads)

    def render(
        self,
        template: Template,
        data: Any,
        functions: Any,
        finish: Callable[[list[str]], Any],
        keys: dict[str | None, bytes],
        reads: tuple[str, ...] | None,
    ) -> Any:
        """``finish(template(data, functions))``, kept or computed. ``reads``: the variables the
        template reads (its key is their values), or ``None`` (its key is all the data). ``keys``: the
        data's keys, per variable and (under ``None``) whole, shared by the renders of one mapping
        call; ``b""`` for what cannot be kept."""
        if self._paused and self._pausing(template):
            return finish(template(data, functions))
        data_key: tuple[bytes, ...]
        if reads is not None and type(data) is dict:
            parts = []
            for name in reads:
                part = keys.get(name)
                if part is None:
                    # (value,) or () when absent: marshal tells them apart, and a record ends itself
                    part = keys[name] = _key_of((data[name],) if name in data else ())
                if not part:
                    return finish(template(data, functions))
                parts.append(part)
            # a tuple, not joined: each part's hash is computed once and shared by the renders
            data_key = tuple(parts)
        else:
            whole = keys.get(None)
            if whole is None:
                whole = keys[None] = _key_of(data)
            data_key = (whole,) if whole else ()
        if not data_key:  # what cannot be kept, or a template reading no variable
            return finish(template(data, functions))
        return self._kept((template, finish, data_key), template, lambda: finish(template(data, functions)))

    def call(
        self, program: object, variant: Hashable, data: Any, compute: Callable[..., Any], *arguments: Any
    ) -> Any:
        """``compute(*arguments)``, the JSON of a call of the compiled mapping ``program`` on ``data`` (in
        the way ``variant`` names), kept or computed."""
        if self._paused and self._pausing(program):
            return compute(*arguments)
        data_key = _key_of(data)
        if not data_key:
            return compute(*arguments)
        return self._kept((program, variant, (data_key,)), program, lambda: compute(*arguments))

    def _pausing(self, source: object) -> bool:
        paused = self._paused.get(source)
        if paused is None:
            return False
        if paused > 1:
            self._paused[source] = paused - 1
        else:
            self._paused.pop(source, None)
        return True

    def _kept(
        self, key: tuple[Any, Any, tuple[bytes, ...]], source: object, compute: Callable[[], Any]
    ) -> Any:
        budget = current_budget()
        entry = self._entries.get(key)
        tried = self._tried.get(source)
        if tried is None:
            tried = self._tried[source] = [0, 0]
        tried[0] += 1
        if entry is not None and self._usable(entry, budget):
            tried[1] += 1
            self.hits += 1
            return self._replay(entry, budget)
        if tried[0] >= _TRIAL:
            if tried[1] * 4 < tried[0]:
                self._paused[source] = _PAUSE
            self._tried.pop(source, None)
        return self._compute(key, compute, budget)

    def _usable(self, entry: _Entry, budget: Budget) -> bool:
        if budget.iterations + entry.iterations > MAX_ITERATIONS or budget.depth + entry.reach > MAX_DEPTH:
            return False  # run it: it fails there as it would have
        if entry.valid_until != math.inf and dates.clock().timestamp() >= entry.valid_until:
            return False
        resolved, references = budget.resolved, budget.references
        try:  # the same mapping object, or one compiled the same (a reference gone: run it, it fails)
            for reference, mapping, program in entry.references:
                found: object = resolved.get(reference)
                if found is None:
                    found = self._resolve(reference)
                else:  # resolved before in this run: recorded as resolving it again would
                    references.append((reference, found))
                if found is not mapping and self._program_of(found) is not program:
                    return False
        except Exception:
            return False
        return True

    def _replay(self, entry: _Entry, budget: Budget) -> Any:
        budget.iterations += entry.iterations
        if budget.depth + entry.reach > budget.deepest:
            budget.deepest = budget.depth + entry.reach
        if entry.valid_until < budget.valid_until:
            budget.valid_until = entry.valid_until
        output = entry.output
        if isinstance(output, str):
            return output
        if isinstance(output, tuple):
            value = marshal.loads(output[1])  # noqa: S302 - bytes this module marshalled
            if output[0] is None:
                return LazyJson(value, output[2], output[3])
            text = JsonText(output[0])
            text.value, text.size, text.height = value, output[2], output[3]
            return text
        value = marshal.loads(output)  # noqa: S302 - bytes this module marshalled
        if entry.carried is not None:
            budget.carried[id(value)] = (value, *entry.carried)
        return value

    def _compute(
        self, key: tuple[Any, Any, tuple[bytes, ...]], compute: Callable[[], Any], budget: Budget
    ) -> Any:
        impure, iterations, resolved = budget.impure, budget.iterations, len(budget.references)
        deepest, budget.deepest = budget.deepest, budget.depth
        valid, budget.valid_until = budget.valid_until, math.inf
        try:
            result = compute()
        finally:
            reach = budget.deepest - budget.depth
            budget.deepest = max(deepest, budget.deepest)
            until, budget.valid_until = budget.valid_until, min(valid, budget.valid_until)
        spent = budget.iterations - iterations
        if budget.impure != impure or spent < 0:
            return result
        kept = _kept_form(result, budget)
        if kept is None:
            return result
        output, carried, size = kept
        size += sum(map(len, key[2]))
        if size > MAX_ENTRY_BYTES:
            return result
        references = {
            name: (name, found, self._program_of(found)) for name, found in budget.references[resolved:]
        }
        self._keep(key, _Entry(output, carried, spent, reach, until, tuple(references.values()), size))
        return result

    def _keep(self, key: Hashable, entry: _Entry) -> None:
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


def _kept_form(result: Any, budget: Budget) -> tuple[Any, tuple[int, int] | None, int] | None:
    """What to keep of ``result``, its carried (size, height) and its bytes; ``None`` when it cannot be
    copied exactly."""
    kind = type(result)
    try:
        if kind is str:
            return result, None, len(result)
        if kind is JsonText:
            value = marshal.dumps(result.value)
            return (str(result), value, result.size, result.height), None, len(result) + len(value)
        if kind is LazyJson:  # its text made from the copy when read: the same
            value = marshal.dumps(result.value)
            return (None, value, result.size, result.height), None, len(value)
        if kind is dict or kind is list:
            known = budget.carried.get(id(result))
            carried = (known[1], known[2]) if known is not None and known[0] is result else None
            array = marshal.dumps(result)
            return array, carried, len(array)
    except ValueError:  # something marshal cannot copy exactly (a str subclass, say)
        return None
    return None


def _key_of(data: Any) -> bytes:
    """The exact data as bytes (types, order, values), or ``b""`` when it cannot be kept."""
    try:
        key = marshal.dumps(data)
    except ValueError:
        return b""
    return key if len(key) <= MAX_ENTRY_BYTES // 2 else b""
