"""Rate-limit header parsing (B8, B19) and the retry policy."""

from __future__ import annotations

import random

from openconnector_core.sources.ratelimit import (
    RateLimitState,
    after_response,
    before_call,
    parse_retry_after,
    read_headers,
    synthetic_headers,
)
from openconnector_core.sources.retry import RetryPolicy

NOW = 1_700_000_000.0


def test_x_ratelimit_headers_any_casing_parsed_as_ints() -> None:
    state = read_headers(
        {"x-ratelimit-limit": "100", "X-RATELIMIT-REMAINING": "42", "X-RateLimit-Reset": "1700000060"}, NOW
    )
    assert state == RateLimitState(limit=100, remaining=42, reset=1_700_000_060)
    assert read_headers({"X-RateLimit-Reset": "30"}, NOW).reset == int(NOW) + 30


def test_ietf_fields_and_structured_headers() -> None:
    assert read_headers(
        {"RateLimit-Limit": "10", "RateLimit-Remaining": "3", "RateLimit-Reset": "5"}, NOW
    ) == (RateLimitState(limit=10, remaining=3, reset=int(NOW) + 5))
    state = read_headers({"RateLimit": "limit=10, remaining=1, reset=7", "RateLimit-Policy": "10;w=60"}, NOW)
    assert (state.limit, state.remaining, state.reset, state.window) == (10, 1, int(NOW) + 7, 60)
    state = read_headers({"RateLimit": '"default";r=0;t=9', "RateLimit-Policy": '"default";q=50;w=30'}, NOW)
    assert (state.limit, state.remaining, state.reset, state.window) == (50, 0, int(NOW) + 9, 30)


def test_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", NOW) == 0  # a date in the past
    assert parse_retry_after("Wed, 15 Nov 2023 00:00:00 GMT", 1_700_006_400.0 - 10) == 10
    assert parse_retry_after("soon", NOW) is None


def test_local_countdown_window_and_429() -> None:
    state = after_response(RateLimitState(limit=3, window=60), 200, {}, NOW)
    assert (state.remaining, state.reset) == (2, int(NOW) + 60)
    exhausted = after_response(RateLimitState(), 429, {"Retry-After": "15"}, NOW)
    assert (exhausted.remaining, exhausted.reset) == (0, int(NOW) + 15)
    assert before_call(exhausted, NOW)[1] == 15
    cleared, wait = before_call(exhausted, NOW + 16)
    assert wait is None and cleared.remaining is None
    assert synthetic_headers(state)["X-RateLimit-Used"] == ["1"]


def test_retry_policy_bounds_and_jitter() -> None:
    policy = RetryPolicy(rng=random.Random(1))
    assert policy.retryable("GET", 503) and policy.retryable("PUT", None)
    assert not policy.retryable("POST", 503) and not policy.retryable("GET", 500)
    assert all(0 <= policy.delay(n) <= min(10, 0.5 * 2 ** (n - 1)) for n in range(1, 8))
    assert policy.next_delay(1, 0, retry_after=4) == 4
    assert policy.next_delay(1, 29, retry_after=4) is None  # over the total time budget
    assert policy.next_delay(3, 0, None) is None  # attempts spent
    assert RetryPolicy.from_config(False).attempts == 1
    assert "POST" in RetryPolicy.from_config({"nonIdempotent": True}).methods
