"""The PHP objects a template can hold (``DateTime`` and its kin, in :mod:`.date_objects`): what the
rest of the PHP semantics needs to know of them, without loading the date machinery."""

from __future__ import annotations

from typing import Any


class PhpObjectError(RuntimeError):
    """An error PHP raises on an object (a wrong argument count, printing an object, ...)."""


class PhpObject:
    """A PHP object a template can hold. Printing or concatenating it fails, as in PHP."""

    __slots__ = ()

    def __str__(self) -> str:
        raise PhpObjectError(f"Object of class {type(self).__name__} could not be converted to string")

    def json_properties(self) -> dict[str, Any]:
        """What ``json_encode`` writes for the object."""
        raise NotImplementedError

    def compare(self, other: PhpObject) -> int:
        """PHP's ``<=>`` with another object: objects of different kinds cannot be compared (1)."""
        return 1


def compare_objects(left: Any, right: Any) -> int:
    """PHP's ``<=>`` of an object with an object or a string: dates by their instant, zones equal by
    name; an object is greater than a string; other objects cannot be compared (1 both ways)."""
    if not isinstance(left, PhpObject) or not isinstance(right, PhpObject):
        return 1 if isinstance(left, PhpObject) else -1
    return left.compare(right)
