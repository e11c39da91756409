"""Given a remote that is busy or briefly down, when called, then the engine backs off and retries."""

from __future__ import annotations


def test_429_with_retry_after_then_200(engine, make_source, peer, sleeps, entities) -> None:
    source = make_source(peer.url)

    call_log = engine.call(source["id"], "/limited")

    assert call_log["statusCode"] == 200
    assert call_log["attempts"] == 2
    assert sleeps == [1.0]  # Retry-After: 1 honoured exactly


def test_503_twice_then_200(engine, make_source, peer, sleeps) -> None:
    call_log = engine.call(make_source(peer.url)["id"], "/flaky")
    assert call_log["statusCode"] == 200
    assert call_log["attempts"] == 3
    assert len(sleeps) == 2 and all(0 <= s <= 1.0 for s in sleeps)  # full jitter, base 0.5 s


def test_attempts_are_bounded(engine, make_source, peer, sleeps) -> None:
    call_log = engine.call(make_source(peer.url)["id"], "/flaky", config={"retry": {"attempts": 2}})
    assert call_log["statusCode"] == 503
    assert call_log["attempts"] == 2


def test_post_is_not_retried_unless_configured(engine, make_source, peer, sleeps) -> None:
    source = make_source(peer.url)
    assert engine.call(source["id"], "/flaky", "POST")["statusCode"] == 503
    assert sleeps == []
    peer.state.counters.clear()
    call_log = engine.call(source["id"], "/flaky", "POST", {"retry": {"nonIdempotent": True}})
    assert call_log["statusCode"] == 200


def test_remote_429_without_retry_marks_the_source_exhausted(engine, make_source, peer, entities) -> None:
    source = make_source(peer.url)
    call_log = engine.call(source["id"], "/limited", config={"retry": False})
    assert call_log["statusCode"] == 429
    assert call_log["retryAfter"] == 1
    assert entities.reveal("sources", source["id"])["rateLimitRemaining"] == 0
    assert engine.call(source["id"], "/limited")["statusMessage"].startswith("The rate limit for this source")


def test_connection_failures_are_retried(engine, make_source, peer, sleeps) -> None:
    port = peer.port
    peer.stop()
    call_log = engine.call(make_source(f"http://127.0.0.1:{port}")["id"], "/items")
    assert call_log["statusCode"] == 503
    assert call_log["attempts"] == 3
    assert len(sleeps) == 2
