"""The file rules of synchronizations (§5.11): ``fetch_file`` downloads the files an object refers to
through a source (the call engine: SSRF guard, auth, retries, call logs, the run's deadline) and
stores them on the object; ``write_file`` stores base64 content found in the object.

Both run on the stored object (timing ``after``). A file that fails is logged and reported to the
caller (the run counts it) and never fails the run. Tags and ``published`` are kept as file metadata.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from openconnector_core.errors import OpenConnectorError, ValidationError
from openconnector_core.gateway.files import (
    FileStore,
    decode_base64,
    file_key,
    guess_type,
    object_folder,
    safe_name,
)
from openconnector_core.mapping import paths

logger = logging.getLogger(__name__)

PLACEHOLDER = "file://fetching-async"
_FILENAME = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)
_LABEL_KEYS = ("label", "labels", "tag", "tags")


@dataclass
class FileRef:
    endpoint: str
    filename: str | None = None
    labels: list[str] = field(default_factory=list)
    published: Any = None


@dataclass
class Fetched:
    name: str
    content: bytes
    content_type: str


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def file_refs(value: Any) -> tuple[list[FileRef], bool]:
    """The files an endpoint value names, and whether it is a list (§5.11 value shapes)."""
    is_list = isinstance(value, list)
    refs: list[FileRef] = []
    for one in value if is_list else [value]:
        if isinstance(one, str) and one:
            refs.append(FileRef(one))
        elif isinstance(one, Mapping) and isinstance(one.get("endpoint"), str) and one["endpoint"]:
            labels = [label for key in _LABEL_KEYS for label in _strings(one.get(key))]
            name = one.get("filename")
            refs.append(
                FileRef(
                    one["endpoint"],
                    name if isinstance(name, str) and name else None,
                    labels,
                    one.get("published"),
                )
            )
    return refs, is_list


def select_tags(config: Mapping[str, Any], labels: list[str]) -> list[str]:
    """``useLabelsAsTags`` → every label; else the ``allowedLabels`` whitelist; else the legacy
    ``tags`` whitelist; no tag configuration → every label."""
    labels = list(dict.fromkeys(labels))
    if config.get("useLabelsAsTags"):
        return labels
    for whitelist in ("allowedLabels", "tags"):
        if config.get(whitelist):
            allowed = set(_strings(config[whitelist]))
            return [label for label in labels if label in allowed]
    return labels


def published_value(value: Any) -> str | None:
    """``true|"true"|"1"|1`` → ``"true"``; a parseable date → its ISO form; else not published."""
    if value is True or value in ("true", "1") or (type(value) is int and value == 1):
        return "true"
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        except ValueError:
            return None
    return None


def file_metadata(tags: list[str], published: str | None = None, label: str | None = None) -> dict[str, str]:
    """S3 user metadata is ASCII: tags are percent-encoded and comma-separated."""
    metadata = {"tags": ",".join(quote(tag, safe="") for tag in tags)} if tags else {}
    if published:
        metadata["published"] = published
    if label:
        metadata["label"] = quote(label, safe="")
    return metadata


def _header(response: Mapping[str, Any], name: str) -> str:
    for key, values in (response.get("headers") or {}).items():
        if str(key).lower() == name:
            return str(values[0] if isinstance(values, list) and values else values)
    return ""


def _body_bytes(response: Mapping[str, Any]) -> bytes:
    body = str(response.get("body") or "")
    if response.get("encoding") == "base64":
        return base64.b64decode(body)
    return body.encode("utf-8")


def _strict_base64(text: str) -> bytes | None:
    stripped = text.strip()
    if not stripped or len(stripped) % 4:
        return None
    try:
        return base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        return None


def file_content(response: Mapping[str, Any], content_path: str | None) -> bytes:
    """JSON without ``Content-Disposition`` → decoded (base64 at ``contentPath``); else strict
    base64 → decoded; else the raw body."""
    data = response.get("data")
    if data is not None and not _header(response, "content-disposition"):
        if content_path:
            value = paths.value_at(data, content_path)
            if not isinstance(value, str):
                raise ValidationError(f"fetch_file: no content at contentPath {content_path!r}")
            return _strict_base64(value) or value.encode("utf-8")
        return _body_bytes(response)
    if response.get("encoding") != "base64":
        decoded = _strict_base64(str(response.get("body") or ""))
        if decoded is not None:
            return decoded
    return _body_bytes(response)


def file_name(ref: FileRef, explicit: Any, response: Mapping[str, Any], extension: str | None) -> str:
    """Explicit → ``filenamePath`` → ``Content-Disposition`` → the URL's last segment (with the
    ``Content-Type`` subtype as extension when it has none); plus ``fileExtension``."""
    name = ref.filename or (explicit if isinstance(explicit, str) and explicit else None)
    if name is None:
        match = _FILENAME.search(_header(response, "content-disposition"))
        name = unquote(match.group(1).strip()) if match else None
    if name is None:
        segment = unquote(urlsplit(ref.endpoint).path.rstrip("/").rsplit("/", 1)[-1])
        media = _header(response, "content-type").split(";")[0].strip()
        if segment and "." not in segment and "/" in media:
            segment = f"{segment}.{media.split('/', 1)[1].split('+')[0]}"
        name = segment or None
    if name is None:
        raise ValidationError(f"fetch_file: no filename for {ref.endpoint}")
    if extension:
        name = f"{name}.{str(extension).lstrip('.')}"
    return safe_name(name)


def _with_origin_id(value: Any, origin_id: str) -> Any:
    if not origin_id:
        return value
    return json.loads(re.sub(r"\{\{\s*originId\s*\}\}", origin_id, json.dumps(value)))


@dataclass
class FileRules:
    """What the file rules need from the container: the files bucket, a source call and a source's
    location (to make absolute file URLs relative)."""

    files: FileStore
    call: Callable[..., dict[str, Any]]
    location: Callable[[str], str]

    def run(
        self, kind: str, configuration: Mapping[str, Any], data: dict[str, Any], problems: list[str]
    ) -> dict[str, Any]:
        config = configuration.get(kind)
        if not isinstance(config, Mapping):
            raise ValidationError(f"{kind} needs configuration.{kind}")
        if kind == "fetch_file":
            return self.fetch_file(config, data, problems)
        return self.write_file(config, data, problems)

    def _object_id(self, config: Mapping[str, Any], data: Mapping[str, Any], kind: str) -> str:
        object_id = (
            paths.value_at(data, str(config["objectIdPath"]))
            if config.get("objectIdPath")
            else data.get("id")
        )
        if object_id in (None, "") or isinstance(object_id, dict | list):
            raise ValidationError(f"{kind} needs the stored object's id: give the rule timing 'after'")
        return str(object_id)

    # -- fetch_file ------------------------------------------------------------------------------
    def fetch_file(
        self, config: Mapping[str, Any], data: dict[str, Any], problems: list[str]
    ) -> dict[str, Any]:
        source = config.get("source")
        if source in (None, ""):
            raise ValidationError("fetch_file needs configuration.fetch_file.source")
        file_path = str(config.get("filePath") or "")
        value = paths.value_at(data, file_path) if file_path else config.get("endpoint")
        refs, is_list = file_refs(value)
        if not refs and not is_list:
            return data
        object_id = self._object_id(config, data, "fetch_file")
        origin_id = (
            str(paths.value_at(data, str(config["originIdPath"])) or "") if config.get("originIdPath") else ""
        )
        options = dict(_with_origin_id(config.get("sourceConfiguration") or {}, origin_id))
        method = str(config.get("method") or "GET").upper()
        if "body" in options and not isinstance(options["body"], str):
            options["json"] = options.pop("body")
        location = self.location(str(source))
        explicit = (
            None
            if is_list or not config.get("filenamePath")
            else paths.value_at(data, str(config["filenamePath"]))
        )
        write = config.get("write", True) not in (False, "false", 0, "0")
        results: list[Any] = []
        names: list[str] = []
        failed = False
        for ref in refs:
            endpoint = (
                ref.endpoint[len(location) :]
                if location and ref.endpoint.startswith(location)
                else ref.endpoint
            )
            try:
                fetched = self._fetch(str(source), endpoint, method, options, config, ref, explicit)
            except OpenConnectorError as error:
                failed = True
                problems.append(f"fetch_file {_safe_endpoint(endpoint)}: {error.message}")
                results.append(None)
                continue
            names.append(fetched.name)
            if not write:
                results.append(base64.b64encode(fetched.content).decode("ascii"))
                continue
            tags = select_tags(config, ref.labels)
            published = published_value(ref.published)
            metadata = file_metadata(tags, published)
            self.files.put(file_key(object_id, fetched.name), fetched.content, fetched.content_type, metadata)
            results.append(PLACEHOLDER)
        if is_list and write and not failed:  # never delete on a partial answer: nothing stored is lost
            keep = set(names)
            for info in self.files.list(object_folder(object_id)):
                if info.name not in keep:
                    self.files.delete(info.key)
        if not file_path or (write and config.get("setPlaceholder", True) in (False, "false", 0, "0")):
            return data
        return paths.written(data, file_path, results if is_list else results[0])

    def _fetch(
        self,
        source: str,
        endpoint: str,
        method: str,
        options: dict[str, Any],
        config: Mapping[str, Any],
        ref: FileRef,
        explicit: Any,
    ) -> Fetched:
        call_log = self.call(source, endpoint=endpoint, method=method, config=options)
        status = int(call_log.get("statusCode") or 0)
        response = call_log.get("response") or {}
        if not 200 <= status < 300:
            raise ValidationError(
                f"the source answered {status} {call_log.get('statusMessage') or ''}".strip()
            )
        content = file_content(response, str(config.get("contentPath") or "") or None)
        name = file_name(ref, explicit, response, config.get("fileExtension"))
        media = _header(response, "content-type").split(";")[0].strip()
        kind = (
            guess_type(name)
            if not media or (media == "application/json" and config.get("contentPath"))
            else media
        )
        return Fetched(name, content, kind)

    # -- write_file ------------------------------------------------------------------------------
    def write_file(
        self, config: Mapping[str, Any], data: dict[str, Any], problems: list[str]
    ) -> dict[str, Any]:
        file_path = str(config.get("filePath") or "")
        if not file_path:
            raise ValidationError("write_file needs configuration.write_file.filePath")
        value = paths.value_at(data, file_path)
        if value in (None, "", []):
            return data
        object_id = self._object_id(config, data, "write_file")
        tags = _strings(config.get("tags"))
        if isinstance(value, list):
            stored = [
                self._write(
                    object_id,
                    item.get("content") if isinstance(item, Mapping) else None,
                    (item.get("filename") if isinstance(item, Mapping) else None) or f"file_{index}",
                    file_metadata(tags, label=item.get("label") if isinstance(item, Mapping) else None),
                    problems,
                )
                for index, item in enumerate(value)
            ]
            return paths.written(data, file_path, stored)
        name = paths.value_at(data, str(config["fileNamePath"])) if config.get("fileNamePath") else None
        stored_one = self._write(object_id, value, name or "default_file", file_metadata(tags), problems)
        return paths.written(data, file_path, stored_one)

    def _write(
        self, object_id: str, content: Any, filename: Any, metadata: dict[str, str], problems: list[str]
    ) -> str | None:
        try:
            raw, media = decode_base64(content)
            name = safe_name(str(filename))
        except OpenConnectorError as error:
            problems.append(f"write_file {filename}: {error.message}")
            return None
        key = file_key(object_id, name)
        self.files.put(key, raw, media or guess_type(name), metadata)
        return key


def _safe_endpoint(endpoint: str) -> str:
    """An endpoint for a message: its path only (a query string may carry a token)."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path
