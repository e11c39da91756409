"""What a synchronization run needs from storage and the queue (DynamoDB/SQS and in-memory adapters).

A run is one SynchronizationLog item with atomic counters plus a few items beside it: the lease of
its synchronization, one item per page (claim, seen origin ids, failure) and the contracts. Every
read-modify-write is conditional or a transaction in the DynamoDB adapter (ADR 0200).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

COUNTERS = ("found", "skipped", "created", "updated", "deleted", "invalid")
Claim = Literal["claimed", "done", "busy"]


@dataclass(frozen=True)
class RunRecord:
    """A run as stored: the log document, the plan workers follow, and the live counters."""

    doc: dict[str, Any]
    plan: dict[str, Any]
    counters: dict[str, int]
    pending: int
    status: str

    def log(self) -> dict[str, Any]:
        """The SynchronizationLog in its wire shape, counters merged in."""
        result = dict(self.doc.get("result") or {})
        result["objects"] = {name: self.counters.get(name, 0) for name in COUNTERS}
        pages = dict(result.get("pages") or {})
        pages.update(
            fetched=self.counters.get("pagesFetched", 0),
            failed=self.counters.get("pagesFailed", 0),
            pending=self.pending,
        )
        result["pages"] = pages
        if self.counters.get("ruleErrors"):  # after-rules that failed on written objects (§5.9, §5.11)
            result["ruleErrors"] = self.counters["ruleErrors"]
        return {**self.doc, "status": self.status, "result": result}


@dataclass(frozen=True)
class PageOutcome:
    """What one page did: counter increments, the origin ids it saw, and why it failed (if it did)."""

    counts: Mapping[str, int]
    seen: Sequence[str] = ()
    failure: str | None = None
    capped: bool = False
    stats: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageRecord:
    page: int
    state: str
    seen: list[str]
    failure: str | None
    capped: bool
    stats: dict[str, Any]


@dataclass(frozen=True)
class Lease:
    """What taking a synchronization's lease found: ``holder``, the live run holding it (the lease
    was not taken); else ``taken_over``, the dead run whose lease was taken, if any."""

    holder: str | None = None
    taken_over: str | None = None


class RunState(Protocol):
    def acquire_lease(self, synchronization_id: str, run_id: str, seconds: float) -> Lease:
        """Take the synchronization's lease for ``run_id`` unless a live run holds it. The lease of a
        run that ended, or made no progress (started, or finished a page) for ``seconds`` — a dead
        run — is taken over. Costs no write per page."""
        ...

    def release_lease(self, synchronization_id: str, run_id: str) -> None:
        """Release the lease if ``run_id`` still holds it."""
        ...

    def create_run(self, doc: dict[str, Any], plan: dict[str, Any], expires_at: float) -> None: ...

    def run(self, run_id: str) -> RunRecord:
        """Raises ``NotFoundError``."""
        ...

    def plan_pages(self, run_id: str, pages: Sequence[int]) -> int:
        """Mark ``pages`` queued and add the newly planned ones to ``pending`` (atomically); a page
        planned before (a redelivered message planning it again) is not counted twice."""
        ...

    def claim_page(self, run_id: str, page: int, token: str, stale_after: float) -> Claim:
        """Claim a queued page. ``done``: processed before (a redelivery); ``busy``: another worker
        holds a claim younger than ``stale_after`` seconds (an older one — a dead worker — is taken)."""
        ...

    def complete_page(self, run_id: str, page: int, token: str, outcome: PageOutcome) -> int:
        """Atomically: the page done (if ``token`` still holds it), its counts added, ``pending``
        decremented, the run's progress time set. Returns 0 when this was the run's last pending
        page (exactly one caller sees 0), more when pages remain, -1 when the claim was lost."""
        ...

    def pages(self, run_id: str) -> list[PageRecord]: ...

    def begin_finalize(self, run_id: str) -> bool:
        """``running`` → ``finalizing``; true for exactly one caller."""
        ...

    def finish(self, run_id: str, doc: dict[str, Any], expires_at: float) -> None:
        """Write the final log document (its ``status``) and counters."""
        ...

    def add_counts(self, run_id: str, counts: Mapping[str, int]) -> None: ...

    def put_contract_logs(self, logs: Sequence[dict[str, Any]], expires_at: float) -> None: ...


class ContractStore(Protocol):
    def get_many(self, synchronization_id: str, origin_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Contracts by origin id (one batched read); unknown origin ids are absent."""
        ...

    def put_many(self, contracts: Sequence[dict[str, Any]]) -> None: ...

    def live_targets(self, synchronization_id: str) -> Iterator[tuple[str, str]]:
        """``(originId, targetId)`` of the synchronization's contracts that have a target: what the
        deletion stage diffs against the seen origin ids (keys only, not whole contracts)."""
        ...


class PageQueue(Protocol):
    def send(self, messages: Sequence[dict[str, Any]]) -> None: ...
