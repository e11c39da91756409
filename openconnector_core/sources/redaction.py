"""Keeping secrets out of call logs, log lines, errors and results.

Two rules, both always applied:

* **by name** — headers, query parameters and form/JSON fields whose name looks secret
  (``Authorization``, ``Cookie``, ``X-Api-Key``, ``client_secret``, ``password``, ``token`` …) get
  the value :data:`MASK`;
* **by value** — every secret value known for the call (the revealed source's credentials, the
  ``auth`` pair, tokens obtained during the call) is replaced by :data:`MASK` wherever it appears
  in a logged string (URLs, bodies, messages), also in its URL-encoded and base64 (basic auth) forms.
"""

from __future__ import annotations

import base64
import contextvars
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote

MASK = "***"
_MIN_SECRET_LENGTH = 4


# Fields of a revealed source (and of its configuration.authentication) that hold credentials.
_SOURCE_SECRET_FIELDS = ("secret", "password", "apikey", "jwt", "authorizationHeader", "auth")


def is_secret_name(name: str) -> bool:
    """Whether a header/query/form/JSON field name carries a credential: the one classifier of
    ``entities.secrets``, which also decides what is stored as a secret."""
    from openconnector_core.entities.secrets import is_secret_name as classify

    return classify(name)


class Redactor:
    """Collects the secret values of one call and scrubs them out of anything that gets logged."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    @classmethod
    def for_source(cls, source: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> Redactor:
        """A redactor that knows every credential stored on ``source`` and in the call ``config``."""
        redactor = cls()
        for field in _SOURCE_SECRET_FIELDS:
            redactor.add_all(source.get(field))
        location = source.get("location")
        if isinstance(location, str) and "@" in location:
            userinfo = location.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]
            user, _, password = userinfo.partition(":")
            redactor.add_basic(unquote(user), unquote(password))
            redactor.add(password)
        configuration = source.get("configuration")
        if isinstance(configuration, Mapping):
            redactor.add_secret_fields(configuration)
        if config:
            redactor.add_secret_fields(config)
        return redactor

    # -- collecting -----------------------------------------------------------------------------
    def add(self, value: Any) -> None:
        if not isinstance(value, str) or len(value) < _MIN_SECRET_LENGTH:
            return
        variants = {value, quote(value, safe=""), quote_plus(value, safe=""), value.replace("\n", "\\n")}
        for variant in variants:
            if variant not in self._values:
                self._values.add(variant)
                self._pattern = None

    def add_basic(self, username: str, password: str) -> None:
        """A basic-auth pair: the password and the base64 token both count as secrets."""
        self.add(password)
        self.add(base64.b64encode(f"{username}:{password}".encode()).decode("ascii"))

    def add_all(self, value: Any) -> None:
        """Every string found in ``value`` (recursively) is a secret."""
        if isinstance(value, str):
            self.add(value)
            if value.lower().startswith(("bearer ", "basic ", "token ")):
                self.add(value.split(" ", 1)[1].strip())
        elif isinstance(value, Mapping):
            for item in value.values():
                self.add_all(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self.add_all(item)

    def add_secret_fields(self, data: Mapping[str, Any]) -> None:
        """Secrets of a configuration: fields with secret-looking names, the ``authentication``
        block's credentials, the ``auth`` pair and PEM material."""
        for key, value in data.items():
            name = str(key)
            lowered = name.lower()
            if lowered == "auth" and isinstance(value, list | tuple) and len(value) >= 2:
                self.add_basic(str(value[0]), str(value[1]))
                continue
            if lowered.startswith("authentication") and isinstance(value, Mapping):
                self._add_authentication(value)
                continue
            if is_secret_name(name.rsplit(".", 1)[-1]):
                self.add_all(value)
            elif isinstance(value, Mapping):
                self.add_secret_fields(value)

    def _add_authentication(self, block: Mapping[str, Any]) -> None:
        for key, value in block.items():
            if key in {"client_id", "username", "user", "tokenUrl", "grant_type", "type", "algorithm"}:
                continue
            if is_secret_name(str(key)) or key in {"payload", "private_key", "certificate", "value"}:
                self.add_all(value)

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self._values)

    # -- scrubbing ------------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with every known secret value replaced by :data:`MASK`."""
        if not self._values or not text:
            return text
        if self._pattern is None:
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(value) for value in ordered))
        return self._pattern.sub(MASK, text)

    def headers(self, headers: Iterable[tuple[str, str]] | Mapping[str, Any]) -> dict[str, list[str]]:
        """Headers as ``name → [values]`` with secret-named headers masked and values scrubbed."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        result: dict[str, list[str]] = {}
        for name, value in items:
            values = value if isinstance(value, list) else [value]
            for one in values:
                masked = MASK if is_secret_name(str(name)) else self.scrub(str(one))
                result.setdefault(str(name), []).append(masked)
        return result

    def data(self, value: Any) -> Any:
        """A JSON-like value with secret-named fields masked and every string scrubbed."""
        if isinstance(value, Mapping):
            return {
                str(key): (MASK if is_secret_name(str(key)) and item not in (None, "") else self.data(item))
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        if isinstance(value, str):
            return self.scrub(value)
        return value

    def url(self, url: str) -> str:
        """A URL without credentials: userinfo removed, secret-named query values masked, scrubbed."""
        from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

        try:
            parts = urlsplit(url)
        except ValueError:
            return self.scrub(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, MASK if is_secret_name(k) else v) for k, v in pairs], safe="*")
        return self.scrub(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


# -- log records ------------------------------------------------------------------------------------
current_redactor: contextvars.ContextVar[Redactor | None] = contextvars.ContextVar(
    "openconnector_current_redactor", default=None
)
_USERINFO = re.compile(r"(\w+://)[^/@\s]+@")
_QUERY_PAIR = re.compile(r"([?&;])([^=&\s\"']+)=([^&\s\"'#]*)")

# Loggers of the libraries under the engine that may print URLs, headers or bodies.
SCRUBBED_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "zeep.transports",
    "zeep.wsdl.bindings.soap",
    "openconnector_core.sources",
    "openconnector_core.sources.engine",
)


def _mask_query(match: re.Match[str]) -> str:
    separator, name, value = match.groups()
    return f"{separator}{name}={MASK if is_secret_name(name) else value}"


class SecretScrubbingFilter(logging.Filter):
    """Rewrites a record so that the current call's secrets (and secret-named query values) are
    masked before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        scrubbed = _USERINFO.sub(r"\1***@", _QUERY_PAIR.sub(_mask_query, message))
        redactor = current_redactor.get()
        if redactor is not None:
            scrubbed = redactor.scrub(scrubbed)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


_installed = False


def install_log_filters() -> None:
    """Attach :class:`SecretScrubbingFilter` to the loggers that may see request details (once)."""
    global _installed
    if _installed:
        return
    scrubber = SecretScrubbingFilter()
    for name in SCRUBBED_LOGGERS:
        logging.getLogger(name).addFilter(scrubber)
    _installed = True
