"""Twig's variable scoping: ``{% set %}``, ``for`` loops (``loop.*``, variables restored the Twig way),
``with`` and arrow functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from markupsafe import Markup

from openconnector_core import php

from .access import TwigContext, TwigRuntimeError, pairs_of
from .limits import MAX_ITERATIONS, check_value_size, current_budget


def assign(context: TwigContext, name: str, value: Any, captured: bool = False) -> str:
    """``{% set %}``: a captured block stays safe markup; an expression's value is stored as a plain
    string (in Twig ``|raw``/``|e`` only decide how the expression they end is printed)."""
    check_value_size(value)
    if not captured and type(value) is Markup:
        value = str(value)
    context[name] = value
    return ""


def loop_items(sequence: Any) -> list[tuple[Any, Any]]:
    """The (key, value) pairs a Twig ``for`` walks: strings, numbers and null do not iterate."""
    if isinstance(sequence, dict):
        return list(sequence.items())
    if isinstance(sequence, list | tuple):
        return list(enumerate(sequence))
    return []


def loop_values(sequence: Any) -> list[Any]:
    """The values a Twig ``for`` without a key walks (:func:`loop_items` without the keys)."""
    if isinstance(sequence, list | tuple):
        return list(sequence)
    if isinstance(sequence, dict):
        return list(sequence.values())
    return []


def for_loop(
    context: TwigContext, sequence: Any, key_name: str, value_name: str, with_loop: bool = True
) -> Iterator[None]:
    """Iterate like Twig's ``for``: ``loop.*`` in the context (unless the template never reads it),
    and afterwards only the variables that existed before the loop survive (with their new values)."""
    items = loop_items(sequence)
    parent = dict(context)
    budget = current_budget()
    length = len(items)
    for index, (key, value) in enumerate(items):
        budget.iterations += 1  # budget.tick(), its checks only when one may fire
        if budget.iterations > MAX_ITERATIONS or not budget.iterations & 255:
            budget.tick(0)
        if key_name:
            context[key_name] = key
        context[value_name] = value
        if not with_loop:
            yield None
            continue
        context["loop"] = {
            "parent": parent,
            "index0": index,
            "index": index + 1,
            "revindex0": length - index - 1,
            "revindex": length - index,
            "first": index == 0,
            "last": index == length - 1,
            "length": length,
        }
        yield None
    for name in (key_name, value_name, "loop"):
        context.pop(name, None)
    for name in [name for name in context if name not in parent]:
        del context[name]
    for name in (key_name, value_name, "loop"):  # nothing else can be missing: variables only grow
        if name in parent:
            context[name] = parent[name]


def with_scope(context: TwigContext, variables: Any, only: bool) -> Iterator[None]:
    """Twig's ``with``: run the body once with extra variables, then restore the context."""
    if not isinstance(variables, php.ARRAYS):
        raise TwigRuntimeError('Variables passed to a "with" tag must be a mapping')
    saved = dict(context)
    if only:
        context.clear()
    context.update(pairs_of(variables))
    yield None
    context.clear()
    context.update(saved)


def make_arrow(
    arrows: tuple[Callable[..., Any], ...], index: int, context: TwigContext, functions: dict[str, Any]
) -> Callable[..., Any]:
    arrow: Callable[..., Any] = arrows[index](context, functions)
    return arrow
