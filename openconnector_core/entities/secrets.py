"""The one secret classifier, and finding, masking and restoring the secret values of an entity.

:func:`is_secret_name` decides which field, header, query and form names carry credentials — for
what is stored in the secret store and masked in responses, and for what call logs mask, redirects
drop and log records scrub (``sources.redaction`` asks it too). A value under a secret name is
secret whole: a list of header values, a nested object. A URL's userinfo password is secret wherever
a URL is stored (``location``, configuration values); the item keeps the URL with ``MASK`` for it.

A secret's location is a JSON pointer (RFC 6901) into the item, so flat dot-keys
(``configuration["authentication.client_secret"]``) and nested ones
(``configuration["authentication"]["client_secret"]``) stay distinct. The secret store keeps one
JSON object per entity, pointer → clear value; the item keeps ``MASK`` in its place.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openconnector_core.errors import ValidationError

MASK = "********"
SECRET_REF = "secretRef"  # noqa: S105 - a field name, not a secret

_EXACT = frozenset({"key", "keys", "cert", "sslkey", "sslcert", "jwt", "pwd", "pass"})
_CONTAINS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "apikey",
    "privatekey",
    "authorization",
    "credential",
    "cookie",
    "signature",
    "assertion",
)
_SUFFIXES = ("token", "sessionid")  # ``tokenUrl``, ``tokenLocation``, ``tokenType`` are no secrets
_KEY_WORD = re.compile(r"(?:^|[-_.\s])key$", re.IGNORECASE)  # ``X-Api-Key``, ``ssl_key``; not ``monkey``
_CAMEL_KEY = re.compile(r"[a-z0-9]Key$")  # ``publicKey``, ``subscriptionKey``
_SEPARATORS = re.compile(r"[-_.\s]")
_USERINFO = re.compile(
    r"^(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:\s]*:)(?P<password>[^/@\s]*)(?P<tail>@.*)$", re.DOTALL
)


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a field, header, query or form name carries a credential: ``password``, ``pwd``,
    ``client_secret``, ``X-Api-Key``, ``Ocp-Apim-Subscription-Key``, ``Authorization``, ``Cookie``,
    ``access_token``, ``credentials``, ``private_key``, ``cert`` … are; ``tokenUrl``, ``client_id``,
    ``username``, ``x5t`` are not."""
    normalized = _SEPARATORS.sub("", name.lower())
    return (
        normalized in _EXACT
        or normalized.endswith(_SUFFIXES)
        or any(part in normalized for part in _CONTAINS)
        or _KEY_WORD.search(name.strip()) is not None
        or _CAMEL_KEY.search(name.strip()) is not None
    )


def userinfo_password(value: str) -> tuple[str, str] | None:
    """``(URL with MASK for its password, password)`` when ``value`` is a URL with ``user:password@``."""
    match = _USERINFO.match(value)
    if match is None or not match.group("password"):
        return None
    return match.group("head") + MASK + match.group("tail"), match.group("password")


@dataclass(frozen=True)
class SecretRules:
    """Where one resource keeps secrets.

    ``fields``: top-level fields that are secret whenever they hold a value, except a value listed
    in ``harmless_values`` for that field (e.g. ``auth: "none"``, ``authorizationHeader: "Authorization"``).
    ``containers``: JSON fields scanned key by key with :func:`looks_secret`."""

    fields: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    """Top-level URL fields: a ``user:password@`` in them is a secret."""
    harmless_values: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.fields or self.containers or self.urls)


def looks_secret(segments: list[str]) -> bool:
    """Whether a key path (logical segments, dot-keys split) holds a secret: some segment is a
    secret name (:func:`is_secret_name`; everything under it is secret, list items included), or it
    is the password of the basic-auth pair ``auth: [user, password]`` (``auth.1``)."""
    if len(segments) >= 2 and segments[-2].lower() == "auth" and segments[-1] == "1":
        return True
    return any(is_secret_name(segment) for segment in segments if not segment.isdigit())


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
    elif looks_secret(logical) or (isinstance(value, str) and userinfo_password(value)):
        yield path, value


def secret_locations(item: Mapping[str, Any], rules: SecretRules) -> Iterator[tuple[list[str], Any]]:
    """Every (path, value) of ``item`` that holds — or, as ``MASK``, stands for — a secret (for a
    URL with a password: the whole URL)."""
    for name in rules.fields:
        value = item.get(name)
        harmless = rules.harmless_values.get(name, frozenset())
        if _holds_value(value) and not (isinstance(value, str) and value.lower() in harmless):
            yield [name], value
    for name in rules.urls:
        value = item.get(name)
        if isinstance(value, str) and userinfo_password(value):
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
        url = userinfo_password(value) if isinstance(value, str) else None
        if value == MASK or (url is not None and url[1] == MASK):
            stored = (previous or {}).get(ptr)
            if stored is None:
                field_name = ".".join(path)
                raise ValidationError(
                    f"{field_name}: the mask {MASK!r} stands for a stored secret, but none is stored here",
                    fields=[path[0]],
                )
            if url is not None:  # the URL may have changed around its masked password
                stored_url = userinfo_password(str(stored))
                stored = url[0].replace(MASK, stored_url[1], 1) if stored_url else stored
            value = stored
            url = userinfo_password(value) if isinstance(value, str) else None
        found[ptr] = value
        _set(masked, path, url[0] if url is not None else MASK)
    return masked, found


def reveal(item: dict[str, Any], secrets: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the masked ``item`` with the clear values put back."""
    clear = copy.deepcopy(item)
    for ptr, value in secrets.items():
        _set(clear, _split(ptr), value)
    return clear
