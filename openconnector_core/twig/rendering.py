"""Running compiled templates: printing values as the Jinja renderer does, the render's variables and
its finished output, and the engine's one-step ``executeMapping(...)|json_encode``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from openconnector_core import php

from .access import TwigContext
from .environment import TemplateRenderError, printable
from .filters import f_json_encode
from .guards import Guard
from .limits import check_output_size, check_running_time, current_budget

RenderFunction = Callable[[Any, Mapping[str, Callable[..., Any]]], list[str]]


# The engine's ``executeMapping(...)|json_encode`` in one step (names templates cannot call); the
# others are for printing it: its text may carry the value it decodes to (:class:`JsonText`), or be
# made only when read (:class:`LazyJson`).
EXECUTE_JSON = "_executeMappingJson"
EXECUTE_JSON_VALUE = "_executeMappingJsonValue"
EXECUTE_JSON_LAZY = "_executeMappingJsonLazy"


class JsonText(str):
    """A printed ``executeMapping(...)|json_encode`` that also holds ``value``: what ``json_decode`` of
    the text gives (a fresh tree). A render made only of these (``J`` or ``[J,J,...]``) is turned into
    the array ``jsonToArray`` would parse out of it, without parsing (see :func:`finish_value`)."""

    value: Any
    size: int  # the value's expanded size, as the limits count it
    height: int  # how many levels of arrays lie below the value's own


class LazyJson:
    """A :class:`JsonText` not made yet: ``value`` (a fresh tree nothing else holds, so it stays as it
    was), its ``size`` and ``height``; its text has no ``&`` (printed as it is) and no float. Only a
    render's chunks hold one (:func:`print_json_lazy`): :func:`finish_value` needs only the value, and
    anything else reading the chunks makes the text (:meth:`text`, :func:`finish`, :func:`settle`)."""

    __slots__ = ("height", "size", "value")

    def __init__(self, value: Any, size: int, height: int) -> None:
        self.value, self.size, self.height = value, size, height

    def __len__(self) -> int:
        # What the render's writer counts: at least the text's length (a character escapes to at most
        # 12, an item adds at most 24 for its 1 of size); past the limit the writer calls settle().
        return 24 * self.size

    def text(self) -> JsonText:
        text = JsonText(php.encode_normalized(self.value, False))
        text.value, text.size, text.height = self.value, self.size, self.height
        return text


def made(printed: Any) -> Any:
    """``printed`` with a :class:`LazyJson` made into its text."""
    return printed.text() if type(printed) is LazyJson else printed


def execute_json(functions: Mapping[str, Callable[..., Any]], *arguments: Any, **keywords: Any) -> Any:
    """``executeMapping(...)|json_encode``: the engine's fused function when it has one."""
    fused = functions.get(EXECUTE_JSON)
    if fused is not None:
        return fused(*arguments, **keywords)
    return f_json_encode(functions["executeMapping"](*arguments, **keywords))


@dataclass(frozen=True)
class PythonTemplate:
    function: RenderFunction
    functions: frozenset[str]  # the functions the template calls; the caller must provide them
    source: str
    reads: frozenset[str] | None = None  # the variables it reads (None: unknown; see twig.reads)
    guard: Guard | None = None  # for one {% if %} between texts: see twig.guards


def emit(value: Any) -> str:
    """A printed value: as the Jinja renderer's ``escape(finalize(value))``."""
    if type(value) is str:
        if '"' in value or "'" in value:
            return php.htmlspecialchars(value)
        if "&" in value or "<" in value or ">" in value:
            return escape(value)
        return value  # what escape() gives, as text (the render only joins it)
    return escape(printable(value, True))


def emit_json(text: Any) -> str:
    """A printed ``executeMapping(...)|json_encode``: without ``&`` the JSON is printed as it is, which
    is what escaping it and decoding the render's entities afterwards gives back (and it spares both)."""
    kind = type(text)
    if (kind is str or kind is JsonText) and "&" not in text:
        return text  # type: ignore[no-any-return]
    return emit(text)


def print_json(functions: Mapping[str, Callable[..., Any]], *arguments: Any, **keywords: Any) -> str:
    """``{{ executeMapping(...)|json_encode }}``: printed as :func:`emit_json`, its value kept along
    when the engine offers it."""
    carrying = functions.get(EXECUTE_JSON_VALUE)
    if carrying is not None:
        return emit_json(carrying(*arguments, **keywords))
    return emit_json(execute_json(functions, *arguments, **keywords))


def print_json_lazy(functions: Mapping[str, Callable[..., Any]], *arguments: Any, **keywords: Any) -> Any:
    """:func:`print_json`, its text left to be made (a :class:`LazyJson`) when the engine can: for a
    render whose writer settles its count past the limit (:func:`settle`)."""
    lazy = functions.get(EXECUTE_JSON_LAZY)
    if lazy is not None:
        printed = lazy(*arguments, **keywords)
        return printed if type(printed) is LazyJson else emit_json(printed)
    return print_json(functions, *arguments, **keywords)


def settle(chunks: list[Any]) -> int:
    """The writer's count once past the limit, where a :class:`LazyJson` counted more than its text:
    the texts made (in place) and counted; refused as the count would have been when beyond it."""
    for index, chunk in enumerate(chunks):
        if type(chunk) is LazyJson:
            chunks[index] = chunk.text()
    total = sum(map(len, chunks))
    check_output_size(total)
    return total


def context_of(data: Any) -> TwigContext:
    """The variables of a render: the top-level keys of ``data`` (a copy: templates may set some)."""
    if type(data) is dict:
        return TwigContext(data)
    if isinstance(data, list):
        return TwigContext((str(index), item) for index, item in enumerate(data))
    if isinstance(data, Mapping):
        return TwigContext(data)
    if data is None:
        return TwigContext()
    raise TemplateRenderError(f"the template context must be an object, {php.php_type(data)} given")


def finish(chunks: list[Any]) -> str:
    """The output of a render: within the run's time, its entities decoded once (as the renderer)."""
    check_running_time()
    try:
        output = "".join(chunks)
    except TypeError:  # a LazyJson among them
        output = "".join(map(made, chunks))
    if "&" in output:
        return php.html_entity_decode(output)
    return output


def _json_chunks(chunks: list[Any]) -> list[JsonText | LazyJson] | None:
    """The :class:`JsonText` (or :class:`LazyJson`) chunks when the chunks are ``[``, ``J``, ``,`` …
    ``]``, else ``None``."""
    if len(chunks) < 2 or chunks[0] != "[" or chunks[-1] != "]":
        return None
    found: list[JsonText | LazyJson] = []
    expect_value = True
    for chunk in chunks[1:-1]:
        if expect_value:
            if type(chunk) is not JsonText and type(chunk) is not LazyJson:
                return None
            found.append(chunk)
            expect_value = False
        elif chunk == ",":
            expect_value = True
        else:
            return None
    if expect_value and found:  # a trailing comma
        return None
    return found


def finish_value(chunks: list[Any]) -> Any:
    """:func:`finish`, or directly what ``jsonToArray`` makes of that output when it is ``J`` or
    ``[J,J,…]`` (``J`` a :class:`JsonText` or :class:`LazyJson`, so without ``&``: no entity to decode,
    and a LazyJson's text is never made); the mapping
    compiler uses it only where nothing else reads the text. The value is recorded in the run's
    ``carried`` values (finished, its size known)."""
    if len(chunks) == 1 and (type(chunks[0]) is JsonText or type(chunks[0]) is LazyJson):
        only = chunks[0]
        value, size, height = only.value, only.size, only.height
    else:
        found = _json_chunks(chunks)
        if found is None:
            return finish(chunks)
        value = [chunk.value for chunk in found]
        size = 1 + sum(chunk.size for chunk in found)
        height = 1 + max(chunk.height for chunk in found) if found else 0
    budget = current_budget()
    budget.check_time()
    budget.carried[id(value)] = (value, size, height)
    return value
