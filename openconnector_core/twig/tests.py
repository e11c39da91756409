"""Twig's tests (``is defined``, ``is null``, ``is empty``, ``is iterable``, ...)."""

from __future__ import annotations

from typing import Any

from jinja2 import Undefined

from openconnector_core import php

from .functions import fn_constant


def t_defined(value: Any) -> bool:
    return not isinstance(value, Undefined)


def t_null(value: Any) -> bool:
    return php.is_null(value)


def t_empty(value: Any) -> bool:
    if php.is_null(value) or value is False:
        return True
    if isinstance(value, str | dict | list):
        return len(value) == 0
    return False


def t_iterable(value: Any) -> bool:
    return isinstance(value, php.ARRAYS)


def t_even(value: Any) -> bool:
    return php.modulo(value, 2) == 0


def t_odd(value: Any) -> bool:
    return php.modulo(value, 2) != 0


def t_divisibleby(value: Any, divisor: Any) -> bool:
    return php.modulo(value, divisor) == 0


def t_constant(value: Any, name: Any, owner: Any = None) -> bool:
    """``value is constant(name)``: PHP's ``value === constant(name)``."""
    return php.identical(value, fn_constant(name, owner))


def t_mapping(value: Any) -> bool:
    return isinstance(value, dict) and not all(str(key) == str(index) for index, key in enumerate(value))


def t_sequence(value: Any) -> bool:
    return isinstance(value, list) or (
        isinstance(value, dict) and all(str(key) == str(index) for index, key in enumerate(value))
    )
