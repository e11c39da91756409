"""Running compiled templates: printing values as the Jinja renderer does, the render's variables and
its finished output, and the engine's one-step ``executeMapping(...)|json_encode``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from openconnector_core import php
from openconnector_core.errors import MappingError

from .access import TwigContext
from .environment import TemplateRenderError, describe_error, printable
from .filters import f_json_encode
from .limits import current_budget

RenderFunction = Callable[[Any, Mapping[str, Callable[..., Any]]], list[str]]


# The engine's ``executeMapping(...)|json_encode`` in one step (a name templates cannot call).
EXECUTE_JSON = "_executeMappingJson"


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


def emit(value: Any) -> str:
    """A printed value: as the Jinja renderer's ``escape(finalize(value))``."""
    if type(value) is str:
        if '"' in value or "'" in value:
            return php.htmlspecialchars(value)
        return escape(value)
    return escape(printable(value, True))


def emit_json(text: Any) -> str:
    """A printed ``executeMapping(...)|json_encode``: without ``&`` the JSON is printed as it is, which
    is what escaping it and decoding the render's entities afterwards gives back (and it spares both)."""
    if type(text) is str and "&" not in text:
        return text
    return emit(text)


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


def finish(chunks: list[str]) -> str:
    """The output of a render: within the run's time, its entities decoded once (as the renderer)."""
    current_budget().check_time()
    output = "".join(chunks)
    if "&" in output:
        return php.html_entity_decode(output)
    return output


def render(template: PythonTemplate, functions: Mapping[str, Callable[..., Any]], data: Any) -> str:
    """Render with the top-level keys of ``data`` as variables; as ``TemplateRenderer.render``."""
    try:
        return finish(template.function(data, functions))
    except MappingError as error:
        raise TemplateRenderError(error.message) from error
    except Exception as error:  # every failure inside a user template is the template's error
        raise TemplateRenderError(describe_error(error)) from error
