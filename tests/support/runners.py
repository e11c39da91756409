"""The two mapping runners a fidelity test holds to the same expectation: the compiled engine (what
runs in production) and the interpreter (the reference)."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter

RUNNERS = [pytest.param(MappingEngine, id="engine"), pytest.param(MappingInterpreter, id="interpreter")]
Runner = type[MappingEngine | MappingInterpreter]


def render(runner: Runner, template: str, data: dict[str, Any] | None = None) -> Any:
    """The template's output as the target ``r`` of a one-rule mapping."""
    return runner().run({"name": "t", "mapping": {"r": template}}, data or {})["r"]
