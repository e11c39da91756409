"""Rate-limit bookkeeping for sources (§4.6, with B8 and B19 fixed). Pure functions, no I/O.

Recognised answers: ``429`` (the source is exhausted until ``Retry-After`` or the known reset),
``Retry-After`` (seconds or an HTTP date), ``X-RateLimit-Limit/Remaining/Reset`` (any casing, the
first value parsed as an int; ``Reset`` as a unix time or, when small, seconds from now), the IETF
``RateLimit-Limit/Remaining/Reset`` fields and the structured ``RateLimit`` / ``RateLimit-Policy``
fields (``limit=, remaining=, reset=`` or ``"name";r=;t=`` with ``q=;w=``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any

DEFAULT_RETRY_AFTER = 60
_UNIX_TIME_THRESHOLD = 1_000_000_000
_NUMBER = re.compile(r"^\s*(-?\d+)(?:\.\d+)?")


@dataclass(frozen=True)
class RateLimitState:
    """The source's ``rateLimit*`` fields (``reset`` is a unix time)."""

    limit: int | None = None
    remaining: int | None = None
    reset: int | None = None
    window: int | None = None

    @classmethod
    def of(cls, source: Mapping[str, Any]) -> RateLimitState:
        return cls(
            limit=_int(source.get("rateLimitLimit")),
            remaining=_int(source.get("rateLimitRemaining")),
            reset=_int(source.get("rateLimitReset")),
            window=_int(source.get("rateLimitWindow")),
        )

    def fields(self) -> dict[str, int | None]:
        return {
            "rateLimitLimit": self.limit,
            "rateLimitRemaining": self.remaining,
            "rateLimitReset": self.reset,
            "rateLimitWindow": self.window,
        }


def _int(value: Any) -> int | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    match = _NUMBER.match(str(value))
    return int(match.group(1)) if match else None


def parse_retry_after(value: str | None, now: float) -> int | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0, int(moment.timestamp() - now + 0.999))


def _reset_time(value: int | None, now: float) -> int | None:
    if value is None:
        return None
    return value if value >= _UNIX_TIME_THRESHOLD else int(now) + max(value, 0)


def _structured(value: str) -> dict[str, int]:
    """Parameters of a ``RateLimit``/``RateLimit-Policy`` field (first list member)."""
    found: dict[str, int] = {}
    for token in re.split(r"[;,]", value):
        key, sep, raw = token.strip().partition("=")
        if not sep:
            number = _int(key)
            if number is not None and "q" not in found:
                found["q"] = number  # "100;w=60": a bare number is the quota
            continue
        number = _int(raw.strip().strip('"'))
        if number is not None:
            found.setdefault(key.strip().lower(), number)
    return found


def read_headers(headers: Mapping[str, str], now: float) -> RateLimitState:
    """What the response headers say (fields the headers do not mention stay ``None``)."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}

    def first(*names: str) -> int | None:
        for name in names:
            if name in lowered:
                value = _int(lowered[name].split(",")[0])
                if value is not None:
                    return value
        return None

    limit = first("x-ratelimit-limit", "ratelimit-limit")
    remaining = first("x-ratelimit-remaining", "ratelimit-remaining")
    reset_raw = first("x-ratelimit-reset", "ratelimit-reset")
    reset = _reset_time(reset_raw, now)
    window: int | None = None
    if "ratelimit" in lowered:
        fields = _structured(lowered["ratelimit"])
        limit = fields.get("limit", limit)
        remaining = fields.get("remaining", fields.get("r", remaining))
        delta = fields.get("reset", fields.get("t"))
        reset = int(now) + delta if delta is not None else reset
    if "ratelimit-policy" in lowered:
        fields = _structured(lowered["ratelimit-policy"])
        limit = limit if limit is not None else fields.get("q")
        window = fields.get("w")
    return RateLimitState(limit=limit, remaining=remaining, reset=reset, window=window)


def after_response(
    state: RateLimitState, status: int, headers: Mapping[str, str], now: float
) -> RateLimitState:
    """The source's state after a completed call (§4.6 with case-insensitive, int-parsed headers)."""
    seen = read_headers(headers, now)
    limit = seen.limit if seen.limit is not None else state.limit
    window = seen.window if seen.window is not None else state.window
    reset = seen.reset if seen.reset is not None else state.reset
    if seen.reset is None and state.reset is None and window:
        reset = int(now) + window
    if seen.remaining is not None:
        remaining: int | None = seen.remaining
    elif limit is not None:
        remaining = (state.remaining if state.remaining is not None else limit) - 1
    else:
        remaining = state.remaining
    if status == 429:
        retry_after = parse_retry_after(_get(headers, "retry-after"), now)
        remaining = 0
        if retry_after is not None:
            reset = int(now) + retry_after
        elif reset is None or reset <= now:
            reset = int(now) + (window or DEFAULT_RETRY_AFTER)
    return RateLimitState(limit=limit, remaining=remaining, reset=reset, window=window)


def before_call(state: RateLimitState, now: float) -> tuple[RateLimitState, int | None]:
    """(state with an expired window cleared, seconds to wait when the source is exhausted)."""
    if state.reset is not None and state.remaining is not None and state.reset <= now:
        state = replace(state, reset=None, remaining=None)
    if state.remaining is not None and state.remaining <= 0:
        wait = max(1, int(state.reset - now + 0.999)) if state.reset is not None else DEFAULT_RETRY_AFTER
        return state, wait
    return state, None


def synthetic_headers(state: RateLimitState) -> dict[str, list[str]]:
    """The ``X-RateLimit-*`` headers the original adds to the call log when limit or window is known."""
    if state.limit is None and state.window is None:
        return {}
    headers = {
        "X-RateLimit-Limit": state.limit,
        "X-RateLimit-Remaining": state.remaining,
        "X-RateLimit-Reset": state.reset,
        "X-RateLimit-Used": 1,
        "X-RateLimit-Window": state.window,
    }
    return {name: [str(value)] for name, value in headers.items() if value is not None}


def _get(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value)
    return None
