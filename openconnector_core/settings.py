"""Settings: the only reader of ``os.environ``. Validated once per container, without pydantic.

Every variable is declared once in :data:`VARIABLES` (name, default, parser). A bad value, or an
``OPENCONNECTOR_*`` variable nobody declared (a typo), fails the cold start — and ``openconnector
serve`` — with one message naming the variable and the bad entry. Plain Python on purpose: the
handlers validate at import, and pydantic would cost ~250 ms of cold start before any route needs it.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openconnector_core.errors import DeploymentError

PREFIX = "OPENCONNECTOR_"
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?", re.IGNORECASE)


def _text(value: str) -> str:
    return value


def _name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _outbound_allow(value: str) -> tuple[str, ...]:
    entries = tuple(item.strip() for item in value.split(",") if item.strip())
    for entry in entries:
        if not _is_host_or_network(entry):
            raise ValueError(f"{entry!r} is neither a host name nor an IP address or CIDR (e.g. 10.0.0.0/8)")
    return entries


def _is_host_or_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry.strip("[]"), strict=False)
        return True
    except ValueError:
        pass
    return "/" not in entry and _HOST_NAME.fullmatch(entry) is not None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a port number (1-65535)") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"{port} is not a port number (1-65535)")
    return port


def _ports(value: str) -> tuple[int, ...]:
    return tuple(_port(item.strip()) for item in value.split(",") if item.strip())


def _positive_number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{value!r} must be a positive number")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number of seconds") from None
    if not 0 <= number < float("inf"):
        raise ValueError(f"{value!r} must be 0 or more seconds")
    return number


def _token(value: str) -> str | None:
    if not value:
        return None
    if any(character.isspace() or not character.isprintable() for character in value):
        raise ValueError("must not contain spaces or control characters (it is sent in a header)")
    return value


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL (e.g. http://127.0.0.1:3000)")
    return value.rstrip("/")


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not a boolean (true or false)")


@dataclass(frozen=True)
class Variable:
    name: str
    attribute: str
    default: str
    parse: Callable[[str], Any]
    meaning: str


VARIABLES: tuple[Variable, ...] = (
    Variable("ENTITIES_TABLE", "entities_table", "openconnector-entities", _name, "DynamoDB entities table"),
    Variable("CONTRACTS_TABLE", "contracts_table", "openconnector-contracts", _name, "contracts table"),
    Variable("LOGS_TABLE", "logs_table", "openconnector-logs", _name, "logs table"),
    Variable("OBJECTS_TABLE", "objects_table", "openconnector-objects", _name, "object store table"),
    Variable("FILES_BUCKET", "files_bucket", "openconnector-files", _name, "S3 bucket for files"),
    Variable("SECRETS_PREFIX", "secrets_prefix", "openconnector/", _name, "Secrets Manager name prefix"),
    Variable("SYNC_QUEUE_URL", "sync_queue_url", "", _text, "SQS queue of synchronization pages"),
    Variable("EVENT_QUEUE_URL", "event_queue_url", "", _text, "SQS queue of CloudEvents"),
    Variable(
        "EVENT_BUS_NAME", "event_bus_name", "", _text, "EventBridge bus (unset: events are not published)"
    ),
    Variable("AWS_REGION", "aws_region", "eu-west-1", _name, "AWS region"),
    Variable(
        "POWERTOOLS_TRACE_DISABLED", "trace_disabled", "true", _flag, "X-Ray tracing off (template: Tracing)"
    ),
    Variable(
        "OPENCONNECTOR_OUTBOUND_ALLOW",
        "outbound_allow",
        "",
        _outbound_allow,
        "comma-separated hosts or CIDRs the SSRF guard admits",
    ),
    Variable(
        "OPENCONNECTOR_ADMIN_SCOPE",
        "admin_scope",
        "openconnector/admin",
        _name,
        "scope or group a JWT needs to change anything (template: AdminScope)",
    ),
    Variable(
        "OPENCONNECTOR_READ_SCOPE",
        "read_scope",
        "openconnector/read",
        _name,
        "scope or group a JWT needs to read (template: ReadScope)",
    ),
    Variable(
        "OPENCONNECTOR_LOCAL_PORTS",
        "local_ports",
        "",
        _ports,
        "set by the local stack: its own and its AWS emulator's ports, never reachable outbound",
    ),
    Variable("OPENCONNECTOR_PORT", "port", "3000", _port, "port of the local stack"),
    Variable(
        "OPENCONNECTOR_STATE_DIR", "state_dir", ".openconnector", Path, "state directory of the local stack"
    ),
    Variable("OPENCONNECTOR_ADMIN_TOKEN", "admin_token", "", _token, "management token of the local stack"),
    Variable(
        "OPENCONNECTOR_URL", "url", "http://127.0.0.1:3000", _url, "management API base URL for the CLI"
    ),
    Variable(
        "OPENCONNECTOR_SCHEDULE_SPEED", "schedule_speed", "1", _positive_number, "local schedule speed-up"
    ),
    Variable(
        "OPENCONNECTOR_GATEWAY_CACHE_SECONDS",
        "gateway_cache_seconds",
        "2",
        _seconds,
        "how often a warm gateway checks its configuration version (docs/adr/0210)",
    ),
)
KNOWN = frozenset(variable.name for variable in VARIABLES)


class Settings:
    """Every setting a function, the local stack or the CLI reads; built from environment variables.

    ``Settings()`` gives the defaults, ``Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32")`` one
    override, ``Settings.from_environ(os.environ)`` the real thing. Invalid input raises
    :class:`DeploymentError` naming every bad variable.
    """

    entities_table: str
    contracts_table: str
    logs_table: str
    objects_table: str
    files_bucket: str
    secrets_prefix: str
    sync_queue_url: str
    event_queue_url: str
    event_bus_name: str
    aws_region: str
    trace_disabled: bool
    outbound_allow: tuple[str, ...]
    admin_scope: str
    read_scope: str
    local_ports: tuple[int, ...]
    port: int
    state_dir: Path
    admin_token: str | None
    url: str
    schedule_speed: float
    gateway_cache_seconds: float

    def __init__(self, **environment: str) -> None:
        problems = [
            _unknown(name) for name in sorted(environment) if name.startswith(PREFIX) and name not in KNOWN
        ]
        for variable in VARIABLES:
            raw = environment.get(variable.name, variable.default)
            try:
                object.__setattr__(self, variable.attribute, variable.parse(raw))
            except ValueError as error:
                problems.append(f"{variable.name}: {error}")
        if problems:
            raise DeploymentError("Invalid settings: " + "; ".join(problems), variables=_names(problems))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        environment = dict(environ)
        if not environment.get("AWS_REGION") and environment.get("AWS_DEFAULT_REGION"):
            environment["AWS_REGION"] = environment["AWS_DEFAULT_REGION"]
        return cls(**environment)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Settings are read-only")

    @property
    def outbound_allow_list(self) -> list[str]:
        return list(self.outbound_allow)

    @property
    def local_port_list(self) -> list[int]:
        return list(self.local_ports)

    @property
    def tracing(self) -> bool:
        return not self.trace_disabled


def _unknown(name: str) -> str:
    from difflib import get_close_matches

    ours = sorted(known for known in KNOWN if known.startswith(PREFIX))
    close = get_close_matches(name, ours, n=1)
    hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(ours)}"
    return f"{name}: unknown variable ({hint})"


def _names(problems: list[str]) -> list[str]:
    return [problem.split(":", 1)[0] for problem in problems]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once; a bad value fails the cold start with one clear message."""
    return Settings.from_environ(os.environ)
