"""The error tree: one code per error, and the drawing in ``errors.py`` is the tree that exists."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import openconnector_core
from openconnector_core import errors
from openconnector_core.errors import OpenConnectorError

TREE_LINE = re.compile(r"^(?P<indent>[ │├└─]*)(?P<name>\w+Error)\s+(?P<status>\d{3}) (?P<code>[a-z-]+)$")


def every_error_class() -> set[type[OpenConnectorError]]:
    """Every subclass of the tree anywhere in the core (every module imported first)."""
    for module in pkgutil.walk_packages(openconnector_core.__path__, "openconnector_core."):
        importlib.import_module(module.name)
    found: set[type[OpenConnectorError]] = set()
    pending = [OpenConnectorError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending += cls.__subclasses__()
    return found


def test_every_error_that_declares_a_code_has_its_own() -> None:
    owners: dict[str, list[str]] = {}
    for cls in every_error_class():
        if "code" in vars(cls):
            owners.setdefault(cls.code, []).append(f"{cls.__module__}.{cls.__qualname__}")
    assert len(owners) >= 15
    assert {code: names for code, names in owners.items() if len(names) > 1} == {}
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", code) for code in owners)


def test_every_error_of_the_module_declares_its_code_status_and_title() -> None:
    defined = [
        cls for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, OpenConnectorError)
    ]
    assert [cls.__name__ for cls in defined if "code" not in vars(cls)] == []
    assert [cls.__name__ for cls in defined if not 400 <= cls.status <= 599] == []
    assert [cls.__name__ for cls in defined if not cls.title] == []


def test_the_drawn_tree_is_the_tree() -> None:
    drawn: dict[str, tuple[str | None, int, str]] = {}
    parents: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        match = TREE_LINE.match(line.strip("\n").removeprefix("    "))
        if not match:
            continue
        depth = len(match["indent"]) // 4
        parents[depth:] = [match["name"]]
        drawn[match["name"]] = (parents[depth - 1] if depth else None, int(match["status"]), match["code"])

    actual = {
        cls.__name__: (
            None if cls is OpenConnectorError else cls.__base__.__name__,
            cls.status,
            cls.code,
        )
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, OpenConnectorError)
    }
    assert drawn == actual
