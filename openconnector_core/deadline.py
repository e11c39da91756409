"""A deadline shared by nested work across engines.

A mapping run sets it for its budget; a source call made inside (``callSource``) reads what remains
and bounds its timeouts, retries and waits by it. Monotonic clock seconds; ``None`` = no deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("openconnector_deadline", default=None)


def current() -> float | None:
    """The innermost deadline (``time.monotonic()`` seconds), or ``None``."""
    return _deadline.get()


def remaining() -> float | None:
    """Seconds left before the deadline (never negative), or ``None`` when there is none."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


@contextmanager
def within(deadline: float) -> Iterator[None]:
    """Run the block under ``deadline``; an enclosing, earlier deadline still wins."""
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)
