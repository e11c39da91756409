"""What the code of a compiled mapping (:mod:`.compiler`) calls: its global names and the helpers
behind some of them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from openconnector_core import php
from openconnector_core.errors import MappingError
from openconnector_core.twig import rendering
from openconnector_core.twig.environment import TemplateRenderError, describe_error
from openconnector_core.twig.limits import current_budget, running_budget

from . import paths, rules
from .casts import CAST_ERRORS, DELETE, CastContext, cast_count_value, matches_if_value

if TYPE_CHECKING:
    from .compiler import Runtime

_MISSING = paths.MISSING


def _first(data: Any, key: str) -> Any:
    """``paths.lookup`` of a path without ``.``."""
    if type(data) is dict:
        return data.get(key, _MISSING)
    if isinstance(data, php.ARRAYS):
        return paths.child(data, key)
    return _MISSING


def _copy(value: Any) -> Any:
    """A found container, copied with its keys encoded (as a copy of the encoded input would be)."""
    return paths.encode_keys(value, copy=True)


def _render_jinja(text: str, runtime: Runtime, data: Any) -> str:
    return runtime.renderer.render(text, data)


def _fail(prefix: str, cause: str) -> MappingError:
    return MappingError(prefix + cause)


GLOBALS: dict[str, Any] = {
    "__builtins__": {
        "isinstance": isinstance,
        "len": len,
        "type": type,
        "dict": dict,
        "list": list,
        "str": str,
        "enumerate": enumerate,
        "Exception": Exception,
    },
    "_M": _MISSING,
    "_ARRAYS": php.ARRAYS,
    # a dotted path on data whose keys are not encoded: the segments only (a whole-key match
    # cannot happen on encoded keys, which hold no ``.``)
    "_walk": paths.walk,
    "_first": _first,
    "_copy": _copy,
    "_lookup": paths.lookup,
    "_deep_copy": paths.deep_copy,
    "_encode": paths.encode_keys,
    "_write": paths.write,
    "_write_segments": paths.write_segments,
    "_delete": paths.delete,
    "_finish_value": rendering.finish_value,
    "_render_jinja": _render_jinja,
    "_fail": _fail,
    "_TRE": TemplateRenderError,
    "_ME": MappingError,
    "_finish": rendering.finish,
    "_describe": describe_error,
    "_CE": CAST_ERRORS,
    "_DELETE": DELETE,
    "_miv": matches_if_value,
    "_loose": php.loose_equals,
    "_CastContext": CastContext,
    "_count": cast_count_value,
    "_literal": rules.literal_value,
    "_scalar_spec": rules.scalar_spec,
    "_input_error": rules.input_error,
    "_root": rules.root_rule,
    "_budget": current_budget,
    # inlined templates (twig.inline) finish as rendering.finish does
    "_running": running_budget,  # read once per mapping call, not per template
    "_now": time.monotonic,
    "_decode": php.html_entity_decode,
}
