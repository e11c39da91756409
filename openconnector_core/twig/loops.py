"""Twig's ``for`` as a plain Python ``for`` statement in compiled templates: the loop bookkeeping of
:func:`.scoping.for_loop` written out inline, and only what the template can observe of it.

Per iteration: one budget tick (its checks only when one may fire, as ``for_loop``), the key and value
stored in the context and, when the template reads ``loop``, the ``loop`` hash (with ``loop.parent``,
a copy of the context, only when the template may read that). After the loop the context is put back
as ``for_loop`` leaves it: the loop's variables get their earlier values (or go), names the body set
that did not exist before the loop go, the others keep their new values. Which names the body can set
is known when the loop closes (``{% set %}`` and inner loops are the only writers of the context), so
their earlier values are saved in locals before the loop instead of copying the whole context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .code import jinja_string
from .limits import MAX_ITERATIONS


@dataclass
class InlineLoop:
    number: int  # suffix of its generated names
    header: int  # line index where the saved values go, once the body's assignments are known
    indent: str
    key_name: str  # "" without a key
    value_name: str
    with_loop: bool  # the template reads ``loop``
    with_parent: bool  # ... and may read ``loop.parent``
    assigned: list[str] = field(default_factory=list)  # names the body sets, in order
    flag: str = ""  # the for-else flag, once an ``else`` opened
    in_body: bool = True  # False once its ``else`` opened: later sets are not the loop's

    def restored(self) -> list[str]:
        """The loop's own variables, put back to their values before the loop."""
        names = [self.key_name] if self.key_name else []
        names.append(self.value_name)
        if self.with_loop:
            names.append("loop")
        return list(dict.fromkeys(names))

    def assign(self, name: str) -> None:
        if self.in_body and name not in self.assigned:
            self.assigned.append(name)

    def _saved(self, index: int) -> str:
        return f"_o{self.number}_{index}"

    def _touched(self) -> list[str]:
        return list(dict.fromkeys([*self.restored(), *self.assigned]))

    def head(self, sequence: str) -> list[str]:
        """The statements before the ``for`` and its header (the body's preamble: :meth:`preamble`)."""
        n = self.number
        lines = [f"_z{n} = dict(_c)"] if self.with_parent else []
        lines.append(f"_g{n} = _budget()")
        items = "_items" if self.key_name else "_values"
        lines.append(f"_l{n} = {items}({sequence})")
        target = f"(_k{n}, _v{n})" if self.key_name else f"_v{n}"
        if self.with_loop:
            lines.append(f"_y{n} = len(_l{n})")
            lines.append(f"for _x{n}, {target} in enumerate(_l{n}):")
        else:
            lines.append(f"for {target} in _l{n}:")
        return lines

    def preamble(self) -> list[str]:
        """The first statements of each iteration."""
        n = self.number
        lines = [
            f"_g{n}.iterations += 1",
            f"if _g{n}.iterations > {MAX_ITERATIONS} or not _g{n}.iterations & 255:",
            f"    _g{n}.tick(0)",
        ]
        if self.key_name:
            lines.append(f"_c[{jinja_string(self.key_name)}] = _k{n}")
        lines.append(f"_c[{jinja_string(self.value_name)}] = _v{n}")
        if self.with_loop:
            parent = f"'parent': _z{n}, " if self.with_parent else ""
            lines.append(
                f"_c['loop'] = {{{parent}'index0': _x{n}, 'index': _x{n} + 1, "
                f"'revindex0': _y{n} - _x{n} - 1, 'revindex': _y{n} - _x{n}, 'first': _x{n} == 0, "
                f"'last': _x{n} == _y{n} - 1, 'length': _y{n}}}"
            )
        return lines

    def saves(self) -> list[str]:
        """Statements saving the earlier values of every name the loop touches (before the loop)."""
        return [
            f"{self.indent}{self._saved(index)} = _c.get({jinja_string(name)}, _X)"
            for index, name in enumerate(self._touched())
        ]

    def tail(self) -> list[str]:
        """The statements after the loop that restore the context as :func:`.scoping.for_loop` does."""
        touched = self._touched()
        restored = self.restored()
        lines = [f"_c.pop({jinja_string(name)}, None)" for name in restored]
        for index, name in enumerate(touched):
            if name not in restored:
                lines += [f"if {self._saved(index)} is _X:", f"    _c.pop({jinja_string(name)}, None)"]
        for index, name in enumerate(touched):
            if name in restored:
                saved = self._saved(index)
                lines += [f"if {saved} is not _X:", f"    _c[{jinja_string(name)}] = {saved}"]
        return lines
