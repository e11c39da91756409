import time

from openconnector_core import deadline


def test_no_deadline_by_default() -> None:
    assert deadline.current() is None
    assert deadline.remaining() is None


def test_an_enclosing_earlier_deadline_wins_and_is_restored() -> None:
    soon = time.monotonic() + 5
    with deadline.within(soon):
        with deadline.within(soon + 100):
            assert deadline.current() == soon
        with deadline.within(soon - 4):
            assert deadline.current() == soon - 4
        assert deadline.current() == soon
    assert deadline.current() is None


def test_remaining_is_never_negative() -> None:
    with deadline.within(time.monotonic() - 10):
        assert deadline.remaining() == 0.0


def test_the_deadline_is_restored_when_the_block_fails() -> None:
    soon = time.monotonic() + 5
    with deadline.within(soon):
        try:
            with deadline.within(soon - 1):
                raise KeyError("x")
        except KeyError:
            pass
        assert deadline.current() == soon
    assert deadline.current() is None
