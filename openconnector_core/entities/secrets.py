"""Finding, masking and restoring the secret values inside an entity's wire item.

A secret's location is a JSON pointer (RFC 6901) into the item, so flat dot-keys
(``configuration["authentication.client_secret"]``) and nested ones
(``configuration["authentication"]["client_secret"]``) stay distinct. The secret store keeps one
JSON object per entity, pointer → clear value; the item keeps ``MASK`` in its place.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openconnector_core.errors import ValidationError

MASK = "********"
SECRET_REF = "secretRef"  # noqa: S105 - a field name, not a secret

_EXACT = frozenset({"key", "cert", "sslkey", "sslcert", "jwt"})
_SUFFIXES = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "key",
    "authorization",
)
_SEPARATORS = re.compile(r"[-_\s]")


@dataclass(frozen=True)
class SecretRules:
    """Where one resource keeps secrets.

    ``fields``: top-level fields that are secret whenever they hold a value, except a value listed
    in ``harmless_values`` for that field (e.g. ``auth: "none"``, ``authorizationHeader: "Authorization"``).
    ``containers``: JSON fields scanned key by key with :func:`looks_secret`."""

    fields: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    harmless_values: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.fields or self.containers)


def looks_secret(segments: list[str]) -> bool:
    """Whether a key path (logical segments, dot-keys split) names a secret by its last segment.

    ``password``, ``client_secret``, ``api-key``, ``private_key``, ``access_token``, ``Authorization``,
    ``cert``/``ssl_key`` … are; ``tokenUrl``, ``tokenLocation``, ``client_id``, ``x5t`` are not. The
    password of the basic-auth pair ``auth: [user, password]`` (``auth.1``) is too."""
    last = segments[-1]
    normalized = _SEPARATORS.sub("", last.lower())
    if normalized in _EXACT or normalized.endswith(_SUFFIXES):
        return True
    return len(segments) >= 2 and segments[-2].lower() == "auth" and last == "1"


def _is_template(value: str) -> bool:
    return "{{" in value or "{%" in value


def _holds_value(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return value != "" and not _is_template(value)
    return isinstance(value, int | float)


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def pointer(path: list[str]) -> str:
    return "".join("/" + _escape(part) for part in path)


def _split(ptr: str) -> list[str]:
    return [_unescape(part) for part in ptr.split("/")[1:]]


def _walk(value: Any, path: list[str], logical: list[str]) -> Iterator[tuple[list[str], Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _walk(child, [*path, str(key)], [*logical, *str(key).split(".")])
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, [*path, str(index)], [*logical, str(index)])
    elif looks_secret(logical):
        yield path, value


def secret_locations(item: Mapping[str, Any], rules: SecretRules) -> Iterator[tuple[list[str], Any]]:
    """Every (path, value) of ``item`` that holds — or, as ``MASK``, stands for — a secret."""
    for name in rules.fields:
        value = item.get(name)
        harmless = rules.harmless_values.get(name, frozenset())
        if _holds_value(value) and not (isinstance(value, str) and value.lower() in harmless):
            yield [name], value
    for name in rules.containers:
        container = item.get(name)
        if isinstance(container, dict | list):
            for path, value in _walk(container, [name], []):
                if _holds_value(value):
                    yield path, value


def _set(target: Any, path: list[str], value: Any) -> bool:
    for part in path[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.get(part)
        if not isinstance(target, dict | list):
            return False
    last = path[-1]
    if isinstance(target, list):
        index = int(last)
        if index >= len(target):
            return False
        target[index] = value
    else:
        target[last] = value
    return True


def extract(
    item: dict[str, Any], rules: SecretRules, previous: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``item`` into (masked copy, {pointer: clear value}).

    A ``MASK`` sent back by a client stands for the secret stored before at the same place
    (``previous``); a mask where nothing was stored is rejected."""
    masked = copy.deepcopy(item)
    found: dict[str, Any] = {}
    for path, value in list(secret_locations(item, rules)):
        ptr = pointer(path)
        if value == MASK:
            if previous is None or ptr not in previous:
                field_name = ".".join(path)
                raise ValidationError(
                    f"{field_name}: the mask {MASK!r} stands for a stored secret, but none is stored here",
                    fields=[path[0]],
                )
            value = previous[ptr]
        found[ptr] = value
        _set(masked, path, MASK)
    return masked, found


def reveal(item: dict[str, Any], secrets: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the masked ``item`` with the clear values put back."""
    clear = copy.deepcopy(item)
    for ptr, value in secrets.items():
        _set(clear, _split(ptr), value)
    return clear
