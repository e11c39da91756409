"""Which subscriptions an event goes to (§8.3, CloudEvents Subscriptions API filters).

A subscription matches when it is ``active``; its ``types`` (empty = every type — the original
matched nothing there, B25) contain the event's type; its ``source`` (when set) equals the event's;
and every filter holds. Filter dialects: ``exact``, ``prefix``, ``suffix`` (``{attribute: value}``,
every pair must hold), ``all`` / ``any`` (lists of filters) and ``not`` (one filter). A filter of an
unknown dialect (e.g. the original's ``expression``) is ignored, as the original ignores it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

_ALIASES = {"uuid": "id"}  # the original's getter names


def attribute(event: Mapping[str, Any], name: str) -> str | None:
    value = event.get(_ALIASES.get(name, name))
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _pairs(condition: Any, test: Callable[[str, str], bool], event: Mapping[str, Any]) -> bool:
    if not isinstance(condition, Mapping):
        return False
    for name, expected in condition.items():
        actual = attribute(event, str(name))
        if actual is None or not test(actual, str(expected)):
            return False
    return True


def filter_holds(flt: Any, event: Mapping[str, Any]) -> bool:
    if not isinstance(flt, Mapping):
        return True
    for dialect, condition in flt.items():
        if dialect == "exact":
            ok = _pairs(condition, lambda actual, expected: actual == expected, event)
        elif dialect == "prefix":
            ok = _pairs(condition, lambda actual, expected: actual.startswith(expected), event)
        elif dialect == "suffix":
            ok = _pairs(condition, lambda actual, expected: actual.endswith(expected), event)
        elif dialect == "all":
            ok = all(filter_holds(item, event) for item in _as_list(condition))
        elif dialect == "any":
            ok = any(filter_holds(item, event) for item in _as_list(condition))
        elif dialect == "not":
            ok = not filter_holds(condition, event)
        else:
            logger.debug("Ignoring filter dialect %r", dialect)
            ok = True
        if not ok:
            return False
    return True


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def matches(subscription: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    if (subscription.get("status") or "active") != "active":
        return False
    types = subscription.get("types") or []
    if types and event.get("type") not in types:
        return False
    source = subscription.get("source")
    if source and event.get("source") != source:
        return False
    filters = subscription.get("filters") or []
    return all(filter_holds(flt, event) for flt in _as_list(filters))
