"""PHP's ``DateTime``, ``DateTimeZone`` and ``DateInterval`` objects as templates see them: what Twig's
``date()`` function and ``|date_modify`` filter return, with a whitelisted part of their API.

Templates reach these objects only through :func:`read_member` (``d.name``, ``d['name']``,
``attribute(d, 'name')``) and :func:`call_member` (``d.name(...)``), which resolve a name as Twig does
on an object: a public property first (attribute access only), then the method ``name``, ``getName``,
``isName`` or ``hasName``, case-insensitively (``d.timestamp``, ``d.TIMESTAMP()`` and
``d.getTimestamp()`` are one method). Only these methods exist:

* ``DateTime``: ``format``, ``getTimestamp``, ``getOffset``, ``getTimezone``, ``setTimezone``,
  ``modify``, ``setDate``, ``setTime``, ``diff``;
* ``DateTimeZone``: ``getName``; ``DateInterval``: ``format`` and the properties ``y m d h i s f invert
  days from_string``.

Another method of the PHP class (``add``, ``setTimestamp``, ...) is an error naming it as unsupported;
a name the class does not have is ``null`` when called (as in PHP, whose Twig is not strict) and left
to the caller's sandbox when read as an attribute.

A ``DateTime`` is mutable, as in PHP: ``modify``, ``setDate``, ``setTime`` and ``setTimezone`` change
the object (every variable holding it sees the change) and return it. ``date(d)``, ``d|date_modify``
and ``d|date`` work on a copy, as Twig's date converter clones the object it is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from jinja2 import Undefined

from . import date_intervals, dates, relative_dates
from .objects import PhpObject, PhpObjectError
from .values import ARRAYS, PhpTypeError, numeric_string, to_string

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DateTimeZone(PhpObject):
    __slots__ = ("zone",)

    def compare(self, other: PhpObject) -> int:
        same = isinstance(other, DateTimeZone) and self.json_properties() == other.json_properties()
        return 0 if same else 1

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def name(self) -> str:
        """``getName()``: the tz database name, ``UTC``, an abbreviation (``CEST``) or an offset."""
        return dates.format_date(datetime(2000, 1, 1, tzinfo=self.zone), "e")

    def zone_type(self) -> int:
        """PHP's ``timezone_type``: 3 for a tz database zone (and UTC), 2 for an abbreviation, 1 for an
        offset."""
        if getattr(self.zone, "key", None) is not None or self.zone is UTC:
            return 3
        name = self.name()
        return 1 if name.startswith(("+", "-")) else 2

    def json_properties(self) -> dict[str, Any]:
        return {"timezone_type": self.zone_type(), "timezone": self.name()}


class DateTime(PhpObject):
    __slots__ = ("moment",)

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def compare(self, other: PhpObject) -> int:
        if not isinstance(other, DateTime):
            return 1
        return (self.moment > other.moment) - (self.moment < other.moment)

    def json_properties(self) -> dict[str, Any]:
        timezone = DateTimeZone(self.moment.tzinfo or UTC)
        return {"date": dates.format_date(self.moment, "Y-m-d H:i:s.u"), **timezone.json_properties()}


class DateInterval(PhpObject):
    __slots__ = ("interval",)

    def __init__(self, interval: date_intervals.Interval) -> None:
        self.interval = interval

    def properties(self) -> dict[str, Any]:
        """The public properties, in PHP's order."""
        rt = self.interval
        return {
            "y": rt.y, "m": rt.m, "d": rt.d, "h": rt.h, "i": rt.i, "s": rt.s, "f": rt.us / 1_000_000,
            "invert": rt.invert, "days": rt.days, "from_string": False,
        }  # fmt: skip

    def json_properties(self) -> dict[str, Any]:
        return self.properties()


def moment_of(value: Any) -> Any:
    """The Python value Twig's date converter reads: a ``DateTime``'s moment, a ``DateTimeZone``'s
    zone; anything else as it is."""
    if isinstance(value, DateTime):
        return value.moment
    if isinstance(value, DateTimeZone):
        return value.zone
    return value


# --------------------------------------------------------------------------- arguments


def _type_of(value: Any) -> str:
    if value is None or isinstance(value, Undefined):
        return "null"
    names = {bool: "bool", int: "int", float: "float", str: "string"}
    if type(value) in names:
        return names[type(value)]
    return "array" if isinstance(value, ARRAYS) else type(value).__name__


def _type_error(method: str, position: int, name: str, expected: str, value: Any) -> PhpTypeError:
    return PhpTypeError(
        f"{method}(): Argument #{position} (${name}) must be of type {expected}, {_type_of(value)} given"
    )


def _string(method: str, position: int, name: str, value: Any) -> str:
    """A ``string`` parameter (scalars convert; ``null`` is ``""``)."""
    if isinstance(value, (*ARRAYS, PhpObject)):
        raise _type_error(method, position, name, "string", value)
    return to_string(value)


def _int(method: str, position: int, name: str, value: Any) -> int:
    """An ``int`` parameter (coerced as PHP does outside strict mode)."""
    if value is None or isinstance(value, Undefined) or type(value) is bool:
        return int(bool(value))
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    if type(value) is str:
        number = numeric_string(value)
        if number is not None and math.isfinite(number):
            return int(number)
    raise _type_error(method, position, name, "int", value)


def _bool(method: str, position: int, name: str, value: Any) -> bool:
    """A ``bool`` parameter."""
    if isinstance(value, (*ARRAYS, PhpObject)):
        raise _type_error(method, position, name, "bool", value)
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value) and not isinstance(value, Undefined)


# --------------------------------------------------------------------------- methods


def _format(target: DateTime, fmt: Any) -> str:
    return dates.format_date(target.moment, _string("DateTime::format", 1, "format", fmt))


def _timestamp(target: DateTime) -> int:
    return (target.moment - _EPOCH) // timedelta(seconds=1)


def _offset(target: DateTime) -> int:
    offset = target.moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _timezone(target: DateTime) -> DateTimeZone:
    return DateTimeZone(target.moment.tzinfo or UTC)


def _set_timezone(target: DateTime, zone: Any) -> DateTime:
    if not isinstance(zone, DateTimeZone):
        raise _type_error("DateTime::setTimezone", 1, "timezone", "DateTimeZone", zone)
    target.moment = target.moment.astimezone(zone.zone)
    return target


def _modify(target: DateTime, modifier: Any) -> DateTime | bool:
    """PHP 8.2 warns and returns ``false`` for text it cannot read (the date is left as it was)."""
    text = _string("DateTime::modify", 1, "modifier", modifier)
    try:
        target.moment = dates.modify(target.moment, text)
    except ValueError:
        return False
    return target


def _set_date(target: DateTime, year: Any, month: Any, day: Any) -> DateTime:
    method = "DateTime::setDate"
    y, m, d = (_int(method, n + 1, name, value) for n, (name, value) in enumerate(
        (("year", year), ("month", month), ("day", day))))  # fmt: skip
    moment = target.moment
    return _set_wall(target, method, y, m, d, moment.hour, moment.minute, moment.second, 0)


def _set_time(target: DateTime, hour: Any, minute: Any, second: Any = 0, microsecond: Any = 0) -> DateTime:
    method = "DateTime::setTime"
    names = ("hour", "minute", "second", "microsecond")
    h, i, s, us = (
        _int(method, n + 1, name, value)
        for n, (name, value) in enumerate(zip(names, (hour, minute, second, microsecond), strict=True))
    )
    moment = target.moment
    return _set_wall(target, method, moment.year, moment.month, moment.day, h, i, s, us)


def _set_wall(target: DateTime, method: str, *fields: int) -> DateTime:
    try:
        target.moment = relative_dates.set_wall(target.moment, *fields)
    except ValueError as error:
        raise PhpObjectError(f"{method}(): {error}") from None
    return target


def _diff(target: DateTime, other: Any, absolute: Any = False) -> DateInterval:
    if not isinstance(other, DateTime):
        raise _type_error("DateTime::diff", 1, "targetObject", "DateTimeInterface", other)
    interval = date_intervals.diff(target.moment, other.moment)
    if _bool("DateTime::diff", 2, "absolute", absolute):
        interval.invert = 0
    return DateInterval(interval)


def _zone_name(target: DateTimeZone) -> str:
    return target.name()


def _interval_format(target: DateInterval, fmt: Any) -> str:
    text = _string("DateInterval::format", 1, "format", fmt)
    return date_intervals.format_interval(target.interval, text)


# (name as PHP spells it, fewest and most arguments, implementation), by lowercase name
_Method = tuple[str, int, int, Callable[..., Any]]
_METHODS: dict[type, dict[str, _Method]] = {
    DateTime: {
        "format": ("format", 1, 1, _format),
        "gettimestamp": ("getTimestamp", 0, 0, _timestamp),
        "getoffset": ("getOffset", 0, 0, _offset),
        "gettimezone": ("getTimezone", 0, 0, _timezone),
        "settimezone": ("setTimezone", 1, 1, _set_timezone),
        "modify": ("modify", 1, 1, _modify),
        "setdate": ("setDate", 3, 3, _set_date),
        "settime": ("setTime", 2, 4, _set_time),
        "diff": ("diff", 1, 2, _diff),
    },
    DateTimeZone: {"getname": ("getName", 0, 0, _zone_name)},
    DateInterval: {"format": ("format", 1, 1, _interval_format)},
}
# The classes' other methods (PHP 8.2): found as Twig finds them, but not available in templates.
_UNSUPPORTED: dict[type, dict[str, str]] = {
    kind: {name.lower(): name for name in names}
    for kind, names in (
        (DateTime, ("add", "sub", "setISODate", "setTimestamp", "getLastErrors", "createFromFormat",
                    "createFromImmutable", "createFromInterface")),
        (DateTimeZone, ("getOffset", "getTransitions", "getLocation", "listAbbreviations",
                        "listIdentifiers")),
        (DateInterval, ("createFromDateString",)),
    )
}  # fmt: skip
# Properties PHP lists for the object (``(array) $date``) but does not have: Twig reads them as null.
_PHANTOM_PROPERTIES: dict[type, frozenset[str]] = {
    DateTime: frozenset({"date", "timezone_type", "timezone"}),
    DateTimeZone: frozenset({"timezone_type", "timezone"}),
    DateInterval: frozenset(),
}

ABSENT = object()  # the object has no such property or method


def _resolve(target: PhpObject, name: str) -> str | None:
    """Twig's method lookup: ``name``, ``getName``, ``isName``, ``hasName`` (case-insensitive)."""
    lower = name.lower()
    kind = type(target)
    for candidate in (lower, "get" + lower, "is" + lower, "has" + lower):
        if candidate in _METHODS[kind] or candidate in _UNSUPPORTED[kind]:
            return candidate
    return None


def _invoke(target: PhpObject, method: str, arguments: tuple[Any, ...]) -> Any:
    kind = type(target)
    entry = _METHODS[kind].get(method)
    if entry is None:
        unsupported = _UNSUPPORTED[kind][method]
        raise PhpObjectError(f"{kind.__name__}::{unsupported}() is not supported in mappings")
    name, fewest, most, function = entry
    if not fewest <= len(arguments) <= most:
        raise PhpObjectError(_count_message(f"{kind.__name__}::{name}", fewest, most, len(arguments)))
    return function(target, *arguments)


def _count_message(method: str, fewest: int, most: int, given: int) -> str:
    if fewest == most:
        bound, expected = "exactly", fewest
    elif given < fewest:
        bound, expected = "at least", fewest
    else:
        bound, expected = "at most", most
    plural = "" if expected == 1 else "s"
    return f"{method}() expects {bound} {expected} argument{plural}, {given} given"


def read_property(target: PhpObject, key: Any) -> Any:
    """``target.key`` as a public property (a ``DateInterval``'s fields; ``null`` for what PHP lists but
    does not have, as ``DateTime``'s ``date``); :data:`ABSENT` when there is none."""
    name = to_string(key) if isinstance(key, str | int) else ""
    if isinstance(target, DateInterval):
        properties = target.properties()
        if name in properties:
            return properties[name]
    return None if name in _PHANTOM_PROPERTIES[type(target)] else ABSENT


def read_member(target: PhpObject, key: Any) -> Any:
    """``target.key`` (Twig's attribute access): a property, else a method called without arguments;
    :data:`ABSENT` when the object has neither."""
    value = read_property(target, key)
    if value is not ABSENT or not isinstance(key, str):
        return value
    method = _resolve(target, key)
    return ABSENT if method is None else _invoke(target, method, ())


def call_member(target: PhpObject, key: Any, *arguments: Any) -> Any:
    """``target.key(arguments)`` (Twig's method call): :data:`ABSENT` when there is no such method."""
    method = _resolve(target, key) if isinstance(key, str) else None
    return ABSENT if method is None else _invoke(target, method, arguments)
