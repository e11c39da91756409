"""A deadline shared by nested work across engines.

A mapping run sets it for its budget; a source call made inside (``callSource``) reads what remains
and bounds its timeouts, retries and waits by it. Monotonic clock seconds; ``None`` = no deadline.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("openconnector_deadline", default=None)


def current() -> float | None:
    """The innermost deadline (``time.monotonic()`` seconds), or ``None``."""
    return _deadline.get()


def remaining() -> float | None:
    """Seconds left before the deadline (never negative), or ``None`` when there is none."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class within:  # a class, named as the function it replaces: ``with deadline.within(when):``
    """Run the block under ``deadline``; an enclosing, earlier deadline still wins. (A class: entering
    it is a mapping run's every time, and a generator-based context manager costs more.)"""

    __slots__ = ("_deadline", "_token")

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline

    def __enter__(self) -> None:
        outer = _deadline.get()
        deadline = self._deadline
        self._token = _deadline.set(deadline if outer is None or deadline < outer else outer)

    def __exit__(self, *exc_info: object) -> None:
        _deadline.reset(self._token)
