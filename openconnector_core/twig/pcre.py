"""Regular expressions of user templates (Twig ``matches``) within the run's time budget.

Python's ``re`` backtracks without limit, so a pattern like ``/^(a+)+$/`` on a short subject can run
for hours, and no thread can interrupt it. PCRE (PHP) stops such a match at its backtrack limit and
``preg_match`` fails. Here:

* on the main thread (Lambda, the CLI) the match runs under an interval timer set to the budget's
  remaining time; ``re`` checks for signals while it backtracks, so the timer's handler stops the
  match with :class:`LimitExceededError`. A timer the process already had is restored afterwards.
* on any other thread a signal cannot reach the match, so patterns that can backtrack
  catastrophically (a repeated group that itself contains a repeat, an alternation or a
  back-reference) are refused before they run.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from re import _constants as _sre_constants  # type: ignore[attr-defined]  # re's own parser
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

from .limits import LimitExceededError, current_budget

_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT, _sre_constants.POSSESSIVE_REPEAT}
_RISKY_INSIDE_REPEAT = {_sre_constants.BRANCH, _sre_constants.GROUPREF, _sre_constants.GROUPREF_EXISTS}
_MIN_TIMER_SECONDS = 0.001


class _Timeout(Exception):
    pass


def _raise_timeout(_signum: int, _frame: Any) -> None:
    raise _Timeout


def pcre_search(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern.search(text) is not None``, stopped when the run's time budget runs out."""
    budget = current_budget()
    budget.check_time()
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        if backtracks_catastrophically(pattern):
            raise LimitExceededError(
                "the regular expression can backtrack without bound (a repeated group containing a "
                "repeat or an alternation) and cannot be time-limited here"
            )
        return pattern.search(text) is not None
    remaining = max(budget.deadline - time.monotonic(), _MIN_TIMER_SECONDS)
    previous_handler = signal.signal(signal.SIGALRM, _raise_timeout)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, remaining)
    started = time.monotonic()
    try:
        return pattern.search(text) is not None
    except _Timeout:
        raise LimitExceededError("the regular expression exceeded the mapping run's time budget") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # somebody else's timer: give it back what is left of it
            left = max(previous_delay - (time.monotonic() - started), _MIN_TIMER_SECONDS)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def backtracks_catastrophically(pattern: re.Pattern[str]) -> bool:
    """True when a repeated sub-pattern contains an unbounded repeat, an alternation or a
    back-reference: the shapes (``(a+)+``, ``(a|aa)*``, ``(.*a){20}``) whose backtracking is exponential."""
    try:
        parsed = _sre_parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # it compiled already; if in doubt, refuse
        return True
    return _risky(list(parsed), inside_repeat=False)


def _risky(items: list[Any], inside_repeat: bool) -> bool:
    for op, argument in items:
        if op in _REPEATS:
            low, high, sub = argument
            if inside_repeat and low != high:  # a variable-length repeat inside a repeat
                return True
            if _risky(list(sub), inside_repeat or high > 1):
                return True
        elif op in _RISKY_INSIDE_REPEAT:
            if inside_repeat:
                return True
            branches = argument[1] if op == _sre_constants.BRANCH else []
            if any(_risky(list(branch), inside_repeat) for branch in branches):
                return True
        elif op == _sre_constants.SUBPATTERN:
            if _risky(list(argument[-1]), inside_repeat):
                return True
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT) and _risky(
            list(argument[1]), inside_repeat
        ):
            return True
    return False
