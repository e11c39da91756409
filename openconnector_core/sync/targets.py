"""Targets (§5.6): the object store (``register/schema``, bulk writes) and another API (``api``).

A target takes a page's writes at once and reports per object: the target id it now has, or why it
failed (the object is then counted ``invalid`` and its contract stays as it was). Deletes the same.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from openconnector_core.errors import OpenConnectorError, ValidationError
from openconnector_core.mapping import paths
from openconnector_core.sources.config import dot_expand
from openconnector_core.sync.contracts import target_object_id

_API_KEYS = frozenset(
    {
        "endpoint",
        "createMethod",
        "updateEndpoint",
        "updateMethod",
        "updateMapping",
        "deleteEndpoint",
        "deleteMethod",
        "deleteMapping",
        "idPosition",
        "idposition",
        "idInRequestBody",
        "destroyMethod",
        "extend_input",
        "extend_input_fetch_object",
    }
)
_ORIGIN_PLACEHOLDER = re.compile(r"\{\{\s*(?:originId|targetId)\s*\}\}")


@dataclass
class Write:
    """One object to write; the target fills ``target_id``/``action`` or ``error``."""

    origin_id: str
    target_id: str | None  # the contract's, None for a new object
    object: dict[str, Any]
    target_id_out: str | None = None
    action: str | None = None  # "create" | "update"
    error: str | None = None
    written: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delete:
    origin_id: str
    target_id: str
    error: str | None = None


class Target(Protocol):
    def write(self, writes: Sequence[Write]) -> None: ...

    def delete(self, deletes: Sequence[Delete]) -> None: ...


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class ObjectStoreTarget:
    def __init__(self, objects: Any, ref: Any, synchronization_id: str) -> None:
        self._objects = objects
        self._ref = ref
        self._sync = synchronization_id
        self._actor = f"synchronization:{synchronization_id}"

    def write(self, writes: Sequence[Write]) -> None:
        batch = []
        for write in writes:
            own = write.object.get("id")
            target_id = write.target_id or (
                str(own) if own and _is_uuid(own) else target_object_id(self._sync, write.origin_id)
            )
            write.target_id_out = target_id
            batch.append({**write.object, "id": target_id})
        if not batch:
            return
        outcomes = self._objects.put_many(self._ref, batch, actor=self._actor)
        for write, outcome in zip(writes, outcomes, strict=True):
            if outcome.action == "invalid":
                messages = "; ".join(f"{e.get('property')}: {e.get('message')}" for e in outcome.errors)
                write.error = f"Validation failed: {messages}"
                write.target_id_out = None
            else:
                write.action = "create" if write.target_id is None else "update"
                write.written = dict(outcome.object or {})

    def delete(self, deletes: Sequence[Delete]) -> None:
        if deletes:
            self._objects.delete_many(self._ref, [d.target_id for d in deletes], actor=self._actor)


class ApiTarget:
    """Create/update/delete through a source (§5.6), with the remote's status checked (upstream
    ignores a failed update; here it is an ``invalid`` object and the contract stays unchanged)."""

    def __init__(self, call_engine: Any, source_id: str, config: Mapping[str, Any], run_mapping: Any) -> None:
        self._engine = call_engine
        self._source = source_id
        self._config = dot_expand(config)
        self._map: Callable[[str, dict[str, Any]], dict[str, Any]] = run_mapping
        self._options = {k: v for k, v in self._config.items() if k not in _API_KEYS}
        location = ""
        try:
            location = str(call_engine.entities.get("sources", source_id).item.get("location") or "")
        except OpenConnectorError:
            location = ""
        endpoint = str(self._config.get("endpoint") or "")
        self._endpoint = endpoint[len(location) :] if location and endpoint.startswith(location) else endpoint

    def _url(self, key: str, target_id: str) -> str:
        template = self._config.get(key)
        if template:
            return _ORIGIN_PLACEHOLDER.sub(target_id, str(template))
        return f"{self._endpoint.rstrip('/')}/{target_id}"

    def _send(self, method: str, endpoint: str, body: Any) -> tuple[Any, str | None]:
        options = {**self._options, "json": body} if body is not None else dict(self._options)
        log = self._engine.call(self._source, endpoint=endpoint, method=method, config=options)
        status = int(log.get("statusCode") or 0)
        response = log.get("response") or {}
        if not 200 <= status < 300:
            detail = str(response.get("body") or log.get("statusMessage") or "")[:300]
            return None, f"The target answered {status} to {method} {endpoint}: {detail}".strip()
        return response.get("data"), None

    def write(self, writes: Sequence[Write]) -> None:
        for write in writes:
            try:
                if write.target_id is None:
                    self._create(write)
                else:
                    self._update(write)
            except OpenConnectorError as error:
                write.error = error.message

    def _create(self, write: Write) -> None:
        method = str(self._config.get("createMethod") or "POST").upper()
        data, error = self._send(method, self._endpoint, write.object)
        if error:
            write.error = error
            return
        in_body = self._config.get("idInRequestBody")
        target_id: Any = None
        if in_body:
            value = paths.lookup(write.object, str(in_body))
            target_id = value if paths.found(value) else None
        if target_id is None:
            position = self._config.get("idPosition") or self._config.get("idposition") or "id"
            value = paths.lookup(data, str(position)) if isinstance(data, dict | list) else None
            target_id = value if value is not None and paths.found(value) else None
        if target_id is None or target_id == "":
            write.error = "Could not determine an id from target synchronization"
            return
        write.target_id_out, write.action = str(target_id), "create"
        write.written = data if isinstance(data, dict) else {}

    def _update(self, write: Write) -> None:
        assert write.target_id is not None
        body = write.object
        mapping = self._config.get("updateMapping")
        if mapping:
            body = self._map(str(mapping), body)
        method = str(self._config.get("updateMethod") or "PUT").upper()
        data, error = self._send(method, self._url("updateEndpoint", write.target_id), body)
        if error:
            write.error = error
            return
        write.target_id_out, write.action = write.target_id, "update"
        write.written = data if isinstance(data, dict) else {}

    def delete(self, deletes: Sequence[Delete]) -> None:
        method = str(self._config.get("deleteMethod") or "DELETE").upper()
        mapping = self._config.get("deleteMapping")
        for delete in deletes:
            body = (
                self._map(str(mapping), {"id": delete.target_id, "originId": delete.origin_id})
                if mapping
                else None
            )
            try:
                _, error = self._send(method, self._url("deleteEndpoint", delete.target_id), body)
            except OpenConnectorError as failure:
                error = failure.message
            delete.error = error


def unsupported(kind: Any) -> ValidationError:
    return ValidationError(
        f"Unsupported target type: {kind}; valid: register/schema, api", fields=["targetType"]
    )
