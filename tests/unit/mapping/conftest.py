"""Fixtures of the mapping tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openconnector_core.twig.limits import Budget, end_budget, start_budget


@pytest.fixture
def budget() -> Iterator[Budget]:
    """A mapping run's budget for code called outside a run (ended afterwards: budgets must not leak
    into later tests through the context)."""
    started, token = start_budget()
    yield started
    end_budget(token)
