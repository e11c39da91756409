"""Identifiers: UUIDv7 (RFC 9562), time-ordered, so storage keys sort in creation order."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime

_lock = threading.Lock()
_last_ms = 0
_last_seq = 0
_SEQ_MAX = 0xFFF


def _format(ms: int, rand_a: int, rand_b: int) -> str:
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | (rand_a & 0xFFF) << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def new_id() -> str:
    """A new UUIDv7 string. Ids made by one process are strictly increasing: within the same
    millisecond the 12-bit ``rand_a`` field is a counter (RFC 9562 §6.2, method 1)."""
    global _last_ms, _last_seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _last_seq = ms, int.from_bytes(os.urandom(2)) & 0x3FF
        else:
            _last_seq += 1
            if _last_seq > _SEQ_MAX:
                _last_ms, _last_seq = _last_ms + 1, 0
        ms, seq = _last_ms, _last_seq
    return _format(ms, seq, int.from_bytes(os.urandom(8)) & (2**62 - 1))


def _epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("uuid7 bounds need a timezone-aware datetime")
    return int(moment.timestamp() * 1000)


def uuid7_floor(moment: datetime) -> str:
    """The smallest UUIDv7 string of ``moment``'s millisecond: ``id >= floor`` ⇔ made at or after it."""
    return _format(_epoch_ms(moment), 0, 0)


def uuid7_ceiling(moment: datetime) -> str:
    """The largest UUIDv7 string of ``moment``'s millisecond: ``id <= ceiling`` ⇔ made at or before it."""
    return _format(_epoch_ms(moment), _SEQ_MAX, 2**62 - 1)
