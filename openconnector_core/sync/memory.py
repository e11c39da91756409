"""In-memory run state, contracts and queue: the semantics of the DynamoDB/SQS adapters under one lock.

Log documents and contracts are also written to the container's log and contract stores, so the
generic management routes (``GET /api/synchronization-logs``, ``/api/synchronization-contracts``)
see them as they see the DynamoDB items."""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from openconnector_core.errors import NotFoundError
from openconnector_core.objects.audit import BatchLogStore
from openconnector_core.store.ports import EntityStore, LogStore
from openconnector_core.sync.ports import COUNTERS, Claim, Lease, PageOutcome, PageRecord, RunRecord

CONTRACTS = "synchronization-contracts"
LOGS = "synchronization-logs"
CONTRACT_LOGS = "synchronization-contract-logs"


def _expires(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


class MemoryRunState:
    def __init__(self, logs: LogStore, clock: Callable[[], float] = time.time) -> None:
        self._logs = logs
        self._clock = clock
        self._lock = threading.RLock()
        self._leases: dict[str, tuple[str, float]] = {}  # synchronization → (run, taken at)
        self._runs: dict[str, dict[str, Any]] = {}
        self._pages: dict[str, dict[int, dict[str, Any]]] = {}

    def acquire_lease(self, synchronization_id: str, run_id: str, seconds: float) -> Lease:
        with self._lock:
            held = self._leases.get(synchronization_id)
            taken_over = None
            if held is not None and held[0] != run_id:
                row = self._runs.get(held[0])
                recent = self._clock() - seconds
                if row is None:  # taken a moment ago, its log not written yet
                    alive = held[1] > recent
                else:
                    alive = row["status"] in ("running", "finalizing") and row["progress"] > recent
                if alive:
                    return Lease(holder=held[0])
                taken_over = held[0]
            self._leases[synchronization_id] = (run_id, self._clock())
            return Lease(taken_over=taken_over)

    def release_lease(self, synchronization_id: str, run_id: str) -> None:
        with self._lock:
            held = self._leases.get(synchronization_id)
            if held is not None and held[0] == run_id:
                del self._leases[synchronization_id]

    def create_run(self, doc: dict[str, Any], plan: dict[str, Any], expires_at: float) -> None:
        with self._lock:
            self._runs[doc["id"]] = {
                "doc": copy.deepcopy(doc),
                "plan": copy.deepcopy(plan),
                "counters": {},
                "pending": 0,
                "status": doc.get("status", "running"),
                "expires": expires_at,
                "progress": self._clock(),
            }
            self._pages[doc["id"]] = {}
            self._publish(doc["id"])

    def _row(self, run_id: str) -> dict[str, Any]:
        row = self._runs.get(run_id)
        if row is None:
            raise NotFoundError(f"No synchronization run {run_id!r}", resource=LOGS, key=run_id)
        return row

    def _record(self, row: dict[str, Any]) -> RunRecord:
        return RunRecord(
            doc=copy.deepcopy(row["doc"]),
            plan=copy.deepcopy(row["plan"]),
            counters=dict(row["counters"]),
            pending=row["pending"],
            status=row["status"],
        )

    def _publish(self, run_id: str) -> None:
        row = self._runs[run_id]
        # the log store copies what it keeps: no deep copy of the plan and log for every page
        record = RunRecord(row["doc"], {}, dict(row["counters"]), row["pending"], row["status"])
        self._logs.put(
            LOGS,
            record.log(),
            subject=row["doc"].get("synchronizationId"),
            expires=_expires(row["expires"]),
        )

    def run(self, run_id: str) -> RunRecord:
        with self._lock:
            return self._record(self._row(run_id))

    def plan_pages(self, run_id: str, pages: Sequence[int]) -> int:
        with self._lock:
            row, known = self._row(run_id), self._pages[run_id]
            new = [page for page in pages if page not in known]
            for page in new:
                known[page] = {"state": "queued"}
            row["pending"] += len(new)
            return len(new)

    def claim_page(self, run_id: str, page: int, token: str, stale_after: float) -> Claim:
        with self._lock:
            self._row(run_id)
            item = self._pages[run_id].setdefault(page, {"state": "queued"})
            if item["state"] == "done":
                return "done"
            now = self._clock()
            if item["state"] == "claimed" and item["token"] != token and item["at"] > now - stale_after:
                return "busy"
            item.update(state="claimed", token=token, at=now)
            return "claimed"

    def complete_page(self, run_id: str, page: int, token: str, outcome: PageOutcome) -> int:
        with self._lock:
            row = self._row(run_id)
            item = self._pages[run_id].get(page)
            if item is None or item.get("state") != "claimed" or item.get("token") != token:
                return -1
            item.update(
                state="done",
                seen=list(outcome.seen),
                failure=outcome.failure,
                capped=outcome.capped,
                stats=dict(outcome.stats),
            )
            counts = dict(outcome.counts)
            if outcome.failure:
                counts["pagesFailed"] = counts.get("pagesFailed", 0) + 1
            for name, value in counts.items():
                row["counters"][name] = row["counters"].get(name, 0) + value
            row["pending"] -= 1
            row["progress"] = self._clock()
            self._publish(run_id)
            return int(row["pending"])

    def pages(self, run_id: str) -> list[PageRecord]:
        with self._lock:
            return [
                PageRecord(
                    page=page,
                    state=item["state"],
                    seen=list(item.get("seen") or []),
                    failure=item.get("failure"),
                    capped=bool(item.get("capped")),
                    stats=dict(item.get("stats") or {}),
                )
                for page, item in sorted(self._pages.get(run_id, {}).items())
            ]

    def begin_finalize(self, run_id: str) -> bool:
        with self._lock:
            row = self._row(run_id)
            if row["status"] != "running":
                return False
            row["status"] = "finalizing"
            return True

    def finish(self, run_id: str, doc: dict[str, Any], expires_at: float) -> None:
        with self._lock:
            row = self._row(run_id)
            row["doc"], row["status"], row["expires"] = copy.deepcopy(doc), doc["status"], expires_at
            objects = (doc.get("result") or {}).get("objects") or {}
            for name in COUNTERS:
                if name in objects:
                    row["counters"][name] = int(objects[name])
            self._publish(run_id)

    def add_counts(self, run_id: str, counts: Mapping[str, int]) -> None:
        with self._lock:
            row = self._row(run_id)
            for name, value in counts.items():
                row["counters"][name] = row["counters"].get(name, 0) + value

    def put_contract_logs(self, logs: Sequence[dict[str, Any]], expires_at: float) -> None:
        entries = [(log, log.get("synchronizationId")) for log in logs]
        if isinstance(self._logs, BatchLogStore):
            self._logs.put_many(CONTRACT_LOGS, entries, expires=_expires(expires_at))
            return
        for log, subject in entries:
            self._logs.put(CONTRACT_LOGS, log, subject=subject, expires=_expires(expires_at))


class MemoryContractStore:
    """Contracts by deterministic id, written through to the container's contract store (an
    ``EntityStore``) so the management API lists them. Reads come from the index here: a miss in the
    memory entity store scans every row for a matching uuid."""

    def __init__(self, store: EntityStore) -> None:
        self._store = store
        self._lock = threading.RLock()
        self._contracts: dict[str, dict[str, Any]] = {}

    def get_many(self, synchronization_id: str, origin_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        from openconnector_core.sync.contracts import contract_id

        with self._lock:
            found = {}
            for origin_id in origin_ids:
                contract = self._contracts.get(contract_id(synchronization_id, origin_id))
                if contract is not None:
                    found[origin_id] = dict(contract)  # shallow: its list (HELD) is replaced, never edited
            return found

    def put_many(self, contracts: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            for contract in contracts:
                known = contract["id"] in self._contracts
                self._contracts[contract["id"]] = dict(contract)
                if known:
                    self._store.replace(CONTRACTS, contract)
                else:
                    self._store.create(CONTRACTS, contract)

    def live_targets(self, synchronization_id: str) -> Iterator[tuple[str, str]]:
        with self._lock:
            live = [
                (str(c["originId"]), str(c["targetId"]))
                for c in self._contracts.values()
                if c.get("synchronizationId") == synchronization_id and c.get("targetId")
            ]
        yield from live


class LocalQueue:
    """Page messages processed in this process: ``send`` queues, the first sender drains.

    A message whose handler raises is put back (as SQS would redeliver it) up to ``max_receives``
    times; then ``on_dead_letter`` gets it, like the DLQ handler."""

    def __init__(self, max_receives: int = 3) -> None:
        self._messages: deque[tuple[dict[str, Any], int]] = deque()
        self._lock = threading.Lock()
        self._draining = threading.local()
        self.max_receives = max_receives
        self.handler: Callable[[dict[str, Any]], None] | None = None
        self.on_dead_letter: Callable[[dict[str, Any]], None] | None = None

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            self._messages.extend((copy.deepcopy(message), 0) for message in messages)
        self.drain()

    def drain(self) -> None:
        if getattr(self._draining, "active", False) or self.handler is None:
            return
        self._draining.active = True
        try:
            while True:
                with self._lock:
                    if not self._messages:
                        return
                    message, receives = self._messages.popleft()
                try:
                    self.handler(message)
                except Exception:
                    if receives + 1 >= self.max_receives:
                        if self.on_dead_letter is not None:
                            self.on_dead_letter(message)
                    else:
                        with self._lock:
                            self._messages.append((message, receives + 1))
        finally:
            self._draining.active = False
