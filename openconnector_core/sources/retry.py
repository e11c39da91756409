"""Retry policy for outbound calls: exponential backoff with full jitter, bounded in attempts and
total time, honouring ``Retry-After``. Pure decisions; the engine's loop does the waiting."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``configuration.retry``: ``false`` (off), or ``{attempts, maxElapsed, baseDelay, maxDelay,
    statuses, methods, nonIdempotent}``."""

    attempts: int = 3
    max_elapsed: float = 30.0
    base_delay: float = 0.5
    max_delay: float = 10.0
    statuses: frozenset[int] = RETRY_STATUSES
    methods: frozenset[str] = IDEMPOTENT_METHODS
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def from_config(cls, value: Any) -> RetryPolicy:
        if value in (False, 0, "false", "0"):
            return cls(attempts=1)
        if not isinstance(value, Mapping):
            return cls()
        methods = frozenset(str(m).upper() for m in value.get("methods", IDEMPOTENT_METHODS))
        if value.get("nonIdempotent") in (True, "true", 1):
            methods = methods | {"POST", "PATCH"}
        return cls(
            attempts=max(1, min(int(value.get("attempts", 3)), 10)),
            max_elapsed=float(value.get("maxElapsed", 30.0)),
            base_delay=float(value.get("baseDelay", 0.5)),
            max_delay=float(value.get("maxDelay", 10.0)),
            statuses=frozenset(int(s) for s in value.get("statuses", RETRY_STATUSES)),
            methods=methods,
        )

    def retryable(self, method: str, status: int | None) -> bool:
        """``status`` ``None`` means the connection failed."""
        if method.upper() not in self.methods:
            return False
        return status is None or status in self.statuses

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)

    def next_delay(self, attempt: int, elapsed: float, retry_after: float | None) -> float | None:
        """The wait before the next attempt, or ``None`` when the budget is spent."""
        if attempt >= self.attempts:
            return None
        wait = self.delay(attempt, retry_after)
        if elapsed + wait > self.max_elapsed:
            return None
        return wait
