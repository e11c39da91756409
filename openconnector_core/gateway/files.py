"""Files of objects on the files bucket: the port, its in-memory adapter and the key layout.

An object's files live under ``files/{objectId}/``; the parts of a chunked upload under
``files/{objectId}/{filename}_parts/{order}.part`` until they are assembled into the file.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from openconnector_core.errors import BadRequestError, NotFoundError


@dataclass(frozen=True)
class FileInfo:
    key: str
    size: int
    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)  # e.g. a fetched file's tags

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


class FileStore(Protocol):
    def put(
        self,
        key: str,
        data: bytes,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> FileInfo:
        """``metadata``: short ASCII strings kept with the file (S3 user metadata)."""
        ...

    def get(self, key: str) -> bytes:
        """Raises ``NotFoundError``."""
        ...

    def head(self, key: str) -> FileInfo | None: ...

    def list(self, prefix: str) -> list[FileInfo]:
        """Files directly under ``prefix`` (a folder ending in ``/``), sorted by key."""
        ...

    def delete(self, key: str) -> None: ...

    def presigned_get(self, key: str, filename: str, expires: int = 300) -> str:
        """A URL a client can download the file from without credentials, for ``expires`` seconds."""
        ...

    def concatenate(self, key: str, parts: Sequence[str], content_type: str | None = None) -> FileInfo:
        """Write ``key`` as the parts in the given order (in the bucket, never all in memory)."""
        ...


def object_folder(object_id: str) -> str:
    return f"files/{object_id}/"


def file_key(object_id: str, filename: str) -> str:
    return object_folder(object_id) + safe_name(filename)


def parts_folder(object_id: str, filename: str) -> str:
    return f"{file_key(object_id, filename)}_parts/"


def part_key(object_id: str, filename: str, order: int) -> str:
    return f"{parts_folder(object_id, filename)}{order}.part"


def safe_name(filename: str) -> str:
    """A file name that cannot leave its folder (``../x`` → ``x``)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        raise NotFoundError("File could not be determined")
    return name


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def decode_base64(content: Any, rule: str = "write_file") -> tuple[bytes, str | None]:
    """The bytes of base64 ``content`` (a ``data:`` URI gives its media type too), or
    ``BadRequestError`` naming the rule."""
    if not isinstance(content, str):
        raise BadRequestError(f"{rule}: the content is not a base64 string")
    media = None
    if content.startswith("data:") and "," in content:
        header, content = content.split(",", 1)
        media = header[5:].split(";")[0] or None
    try:
        return base64.b64decode(content, validate=True), media
    except (binascii.Error, ValueError):
        raise BadRequestError(f"{rule}: the content is not valid base64") from None


class MemoryFileStore:
    """For unit and functional tests."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, str, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> FileInfo:
        kind = content_type or guess_type(key)
        with self._lock:
            self._files[key] = (bytes(data), kind, dict(metadata or {}))
        return FileInfo(key, len(data), kind, dict(metadata or {}))

    def get(self, key: str) -> bytes:
        try:
            return self._files[key][0]
        except KeyError:
            raise NotFoundError(f"No file {safe_name(key)!r}") from None

    def head(self, key: str) -> FileInfo | None:
        found = self._files.get(key)
        return FileInfo(key, len(found[0]), found[1], found[2]) if found else None

    def list(self, prefix: str) -> list[FileInfo]:
        return [
            FileInfo(key, len(data), kind)
            for key, (data, kind, _) in sorted(self._files.items())
            if key.startswith(prefix) and "/" not in key[len(prefix) :]
        ]

    def delete(self, key: str) -> None:
        with self._lock:
            self._files.pop(key, None)

    def presigned_get(self, key: str, filename: str, expires: int = 300) -> str:
        return f"memory://files/{key}?expires={expires}"

    def concatenate(self, key: str, parts: Sequence[str], content_type: str | None = None) -> FileInfo:
        return self.put(key, b"".join(self.get(part) for part in parts), content_type)
