"""Twig's functions (``range``, ``date``, ``max``, ``min``, ``cycle``, ``random``, ``attribute``) and
the original's ``generateUuid``."""

from __future__ import annotations

import random as _random
import uuid
from typing import Any

from openconnector_core import php
from openconnector_core.php import constants, date_objects, dates

from .access import UNDEFINED, TwigRuntimeError, attribute, values_of
from .limits import mark_impure
from .operators import check_compared


def fn_date(date: Any = None, timezone: Any = None) -> date_objects.DateTime:
    """Twig's ``date()``: a new ``DateTime`` (a ``DateTime`` given is copied, in the default zone)."""
    return date_objects.DateTime(
        dates.parse_date(date_objects.moment_of(date), date_objects.moment_of(timezone))
    )


def fn_constant(constant: Any, object: Any = None) -> Any:  # (Twig's argument names)
    """Twig's ``constant(name)``: PHP's predefined constants (:mod:`openconnector_core.php.constants`).
    ``constant(name, object)`` reads a class constant of the object's class; data holds no objects."""
    name, owner = constant, object
    if not php.is_null(owner):
        raise php.PhpTypeError(
            f"get_class(): Argument #1 ($object) must be of type object, {php.php_type(owner)} given"
        )
    try:
        return constants.constant(_constant_name(name))
    except constants.UndefinedConstantError as error:
        raise TwigRuntimeError(str(error)) from None


def _constant_name(name: Any) -> str:
    if isinstance(name, php.ARRAYS):
        raise php.PhpTypeError("defined(): Argument #1 ($constant_name) must be of type string, array given")
    return php.to_string(name)


def fn_max(*values: Any) -> Any:
    return _extreme("max", values, 1)


def fn_min(*values: Any) -> Any:
    return _extreme("min", values, -1)


def _extreme(name: str, values: tuple[Any, ...], sign: int) -> Any:
    """PHP ``max()`` (sign 1) / ``min()`` (sign -1): of one array's values, or of the arguments."""
    if len(values) == 1 and not isinstance(values[0], php.ARRAYS):
        raise php.PhpTypeError(
            f"{name}(): Argument #1 ($value) must be of type array, {php.php_type(values[0])} given"
        )
    candidates = (
        values_of(values[0]) if len(values) == 1 and isinstance(values[0], php.ARRAYS) else list(values)
    )
    if not candidates:
        raise TwigRuntimeError(f"{name}(): Argument #1 ($value) must contain at least one element")
    check_compared(candidates)
    best = candidates[0]
    for candidate in candidates[1:]:
        if php.compare(candidate, best) * sign > 0:
            best = candidate
    return best


def fn_cycle(values: Any, position: Any) -> Any:
    """``$values[$position % count($values)]``: a negative position finds no element."""
    if not isinstance(values, php.ARRAYS):
        return values
    index = php.modulo(position, len(values))
    return attribute(values, index)


def fn_random(values: Any = None, max: Any = None) -> Any:  # (Twig's argument names)
    maximum = max
    mark_impure()
    if php.is_null(values):
        return _random.randint(0, 2**31 - 1)
    if isinstance(values, php.ARRAYS):
        items = values_of(values)
        return _random.choice(items) if items else UNDEFINED
    if isinstance(values, str):
        return _random.choice(values) if values else ""
    low, high = (0, php.to_int(values)) if php.is_null(maximum) else (php.to_int(values), php.to_int(maximum))
    return _random.randint(*sorted((low, high)))


def fn_generate_uuid() -> str:
    mark_impure()
    return str(uuid.uuid4())
