"""Persistence of the embedded moto state (docs/adr/0006-local-stack-state.md).

Two files per generation in the state directory:

* ``snapshot.pickle``: the moto backends of every service the stack touched, with the number of the
  journal generation that continues it. Written atomically (temporary file, fsync, rename).
* ``journal-<generation>.jsonl``: every successful mutating AWS request since that snapshot, appended
  and fsynced *before* the response goes back to the client.

Start = load the snapshot, replay its journal, write a fresh snapshot (compaction). A clean stop and a
periodic compaction write a snapshot too. A crash loses nothing that was acknowledged: the journal
replays it (with the caveats of a replay: random ids a request did not carry come out different).
"""

from __future__ import annotations

import base64
import contextlib
import copyreg
import io
import json
import logging
import os
import pickle
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("openconnector.local.state")

SNAPSHOT_FORMAT = 1
SNAPSHOT_NAME = "snapshot.pickle"
ALWAYS_SNAPSHOT = ("dynamodb", "sqs", "s3", "secretsmanager", "events")

Replayer = Callable[["RecordedRequest"], int]


@dataclass(frozen=True)
class RecordedRequest:
    """One AWS API request as the emulator received it: enough to send it again."""

    method: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    seed: int | None = None
    """Seed of moto's random generator while the request was applied: a replay gets the same ids
    (secret ARN suffixes, message ids) as the original."""

    def to_line(self) -> bytes:
        record = {
            "method": self.method,
            "path": self.path,
            "query": self.query_string,
            "headers": self.headers,
            "body": base64.b64encode(self.body).decode("ascii"),
            "seed": self.seed,
        }
        return json.dumps(record, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> RecordedRequest:
        record = json.loads(line)
        return cls(
            method=record["method"],
            path=record["path"],
            query_string=record["query"],
            headers=[(str(name), str(value)) for name, value in record["headers"]],
            body=base64.b64decode(record["body"]),
            seed=record.get("seed"),
        )


class _LockTolerantPickler(pickle.Pickler):
    """moto's SQS queues hold locks; a restored backend gets fresh ones."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[type(threading.Lock())] = lambda _lock: (threading.Lock, ())
    dispatch_table[type(threading.RLock())] = lambda _lock: (threading.RLock, ())
    dispatch_table[threading.Condition] = lambda _condition: (threading.Condition, ())
    dispatch_table[threading.Event] = lambda _event: (threading.Event, ())


def _backend(service: str) -> Any:
    from moto.backends import get_backend

    return get_backend(service)  # type: ignore[call-overload]


class StateStore:
    """Snapshot + journal of the moto backends in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.RLock()
        """Held while a mutating request is applied and journaled, and while a snapshot is taken."""
        self.services: set[str] = set(ALWAYS_SNAPSHOT)
        self.generation = 0
        self._journal_fd: int | None = None
        self._journal_entries = 0

    @property
    def snapshot_path(self) -> Path:
        return self.directory / SNAPSHOT_NAME

    def journal_path(self, generation: int) -> Path:
        return self.directory / f"journal-{generation:08d}.jsonl"

    @property
    def pending_entries(self) -> int:
        return self._journal_entries

    # Start -----------------------------------------------------------------------------------

    def restore(self, replay: Replayer) -> tuple[int, int]:
        """Load the snapshot into moto, replay its journal, compact. Returns (services, replayed)."""
        secure_directory(self.directory)
        restored = self._load_snapshot()
        replayed = 0
        for request in self._read_journal(self.journal_path(self.generation)):
            status = replay(request)
            replayed += 1
            if status >= 300:
                log.warning("Replaying %s %s answered %s", request.method, request.path, status)
        self.snapshot()
        return restored, replayed

    def _load_snapshot(self) -> int:
        path = self.snapshot_path
        if not path.exists():
            return 0
        with path.open("rb") as handle:
            _check_owned(os.fstat(handle.fileno()), path)
            try:
                document = pickle.load(handle)  # noqa: S301 - checked: ours, in our own 0700 directory
                if document.get("format") != SNAPSHOT_FORMAT:
                    raise ValueError(f"unknown snapshot format {document.get('format')}")
            except Exception as error:
                broken = path.with_name(f"{SNAPSHOT_NAME}.unreadable-{int(time.time())}")
                path.rename(broken)
                raise StateError(
                    f"Cannot read the local state {path} ({error}); it was moved to {broken}. "
                    "Start again to begin with empty state, or reinstall the moto version that wrote it."
                ) from error
        for service, backends in document["backends"].items():
            target = _backend(service)
            target.clear()
            target.update(backends)
            self.services.add(service)
        self.generation = int(document["generation"])
        return len(document["backends"])

    @staticmethod
    def _read_journal(path: Path) -> Iterator[RecordedRequest]:
        if not path.exists():
            return
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    yield RecordedRequest.from_line(line)
                except (ValueError, KeyError) as error:
                    # Only the last line can be torn (a crash while appending): its response never left.
                    log.warning("Ignoring unreadable journal line %s of %s: %s", number, path.name, error)

    # Running ---------------------------------------------------------------------------------

    def record(self, request: RecordedRequest, service: str | None) -> None:
        """Append + fsync; the caller holds ``lock`` and has applied the request successfully."""
        if service:
            self.services.add(service)
        if self._journal_fd is None:
            self._journal_fd = os.open(
                self.journal_path(self.generation), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
            )
        os.write(self._journal_fd, request.to_line())
        os.fsync(self._journal_fd)
        self._journal_entries += 1

    def snapshot(self) -> None:
        """Write every touched backend to a new snapshot and start the next journal generation."""
        with self.lock:
            payload = self._pickle_backends(self.generation + 1)
            temporary = self.snapshot_path.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(descriptor, payload)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            temporary.replace(self.snapshot_path)
            _fsync_directory(self.directory)
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            previous = self.journal_path(self.generation)
            self.generation += 1
            self._journal_entries = 0
            with contextlib.suppress(FileNotFoundError):
                previous.unlink()

    def _pickle_backends(self, generation: int) -> bytes:
        import moto

        last_error: Exception | None = None
        for _attempt in range(5):
            # Reads run alongside (only mutations hold the lock); a concurrent SQS receive can change a
            # dict while it is pickled. Try again.
            try:
                buffer = io.BytesIO()
                document = {
                    "format": SNAPSHOT_FORMAT,
                    "moto": moto.__version__,
                    "generation": generation,
                    "backends": {service: _backend(service) for service in sorted(self.services)},
                }
                _LockTolerantPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(document)
                return buffer.getvalue()
            except RuntimeError as error:
                last_error = error
                time.sleep(0.05)
        raise StateError(f"Cannot snapshot the local state: {last_error}")

    def close(self) -> None:
        with self.lock:
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None


class StateError(Exception):
    """The state directory cannot be read or written."""


class UnsafeStateError(StateError):
    """The state directory or a file in it could have been written by someone else."""


def _check_owned(status: os.stat_result, path: Path) -> None:
    if status.st_uid != os.geteuid():
        raise UnsafeStateError(
            f"Refusing the local state {path}: it belongs to user id {status.st_uid}, not to you "
            f"({os.geteuid()}). Use a state directory of your own (--state-dir / OPENCONNECTOR_STATE_DIR)."
        )
    if status.st_mode & 0o022:
        raise UnsafeStateError(
            f"Refusing the local state {path}: others may write to it "
            f"(mode {stat.S_IMODE(status.st_mode):o}). "
            f"Run `chmod go-w {path}` if you trust its content, or use a new state directory."
        )


def secure_directory(directory: Path) -> None:
    """Create ``directory`` with mode 0700, or check that an existing one is ours and closed to
    others: the state holds every secret and a snapshot is unpickled at start."""
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=0o700, parents=True)
    status = directory.stat()
    if not stat.S_ISDIR(status.st_mode):
        raise UnsafeStateError(f"The state directory {directory} is not a directory")
    _check_owned(status, directory)
    if status.st_mode & 0o077:
        directory.chmod(0o700)  # ours: readable by others before is closed now


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
