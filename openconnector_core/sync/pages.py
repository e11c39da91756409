"""The work on one page message: read the page (API source or object store), decide the next
pages, process the objects, and the deletion stage at the end of a run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError, OpenConnectorError
from openconnector_core.sync.context import objects_service
from openconnector_core.sync.deletion import Cleanup, delete_orphans
from openconnector_core.sync.fetch import PageFailure, fetch_page
from openconnector_core.sync.paginators import Request
from openconnector_core.sync.ports import PageOutcome, PageRecord
from openconnector_core.sync.process import RunContext, process_page
from openconnector_core.sync.targets import Delete

if TYPE_CHECKING:
    from openconnector_core.container import Container

OBJECT_PAGE_SIZE = 100


@dataclass
class Fetched:
    objects: list[Any] = field(default_factory=list)
    failure: str | None = None
    capped: bool = False
    fetch_ms: float = 0.0
    gone: str | None = None  # intern → extern: the one object of the run was deleted


def work(
    container: Container, ctx: RunContext, plan: Mapping[str, Any], page: int, request: Request | None
) -> tuple[Fetched, list[tuple[int, Request]]]:
    """Read page ``page``; return it and the pages to send next (numbered), ``maxPages`` applied."""
    started = time.perf_counter()
    fetched = Fetched()
    following: list[Request] = []
    request = dict(request or {})
    try:
        if plan["direction"] == "internToExtern":
            following = _read_objects(container, plan, request, fetched)
        else:
            result = fetch_page(
                container.call_engine,
                plan["sourceId"],
                plan.get("location") or "",
                ctx.config,
                request,
                page,
                plan.get("body"),
            )
            fetched.objects, following = result.objects, result.next.requests
    except PageFailure as error:
        fetched.failure = str(error)
    except OpenConnectorError as error:
        fetched.failure = error.message
    fetched.fetch_ms = (time.perf_counter() - started) * 1000
    numbered = [(page + offset, next_request) for offset, next_request in enumerate(following, start=1)]
    cap = plan.get("maxPages")
    if cap is not None and any(number > int(cap) for number, _ in numbered):
        fetched.capped = True
        numbered = [(number, r) for number, r in numbered if number <= int(cap)]
    return fetched, numbered


def _read_objects(
    container: Container, plan: Mapping[str, Any], request: Request, fetched: Fetched
) -> list[Request]:
    objects = objects_service(container)
    if request.get("objectId"):
        try:
            fetched.objects = [objects.get(plan["sourceRef"], str(request["objectId"])).object]
        except NotFoundError:
            fetched.gone = str(request["objectId"])
        return []
    listed = objects.list(plan["sourceRef"], limit=OBJECT_PAGE_SIZE, cursor=request.get("cursor"))
    fetched.objects = list(listed.items)
    return [{"cursor": listed.next}] if listed.next else []


def process(
    container: Container, ctx: RunContext, plan: Mapping[str, Any], page: int, fetched: Fetched
) -> PageOutcome:
    if fetched.failure is not None:
        return PageOutcome(
            counts={},
            failure=fetched.failure,
            capped=fetched.capped,
            stats={"fetch_ms": round(fetched.fetch_ms, 2)},
        )
    started = time.perf_counter()
    if fetched.gone is not None:
        return _delete_one(ctx, fetched.gone, fetched)
    result = process_page(ctx, fetched.objects)
    if not ctx.test:
        _put_contract_logs(container, result.contract_logs)
    times = result.object_ms
    stats = {
        "fetch_ms": round(fetched.fetch_ms, 2),
        "process_ms": round((time.perf_counter() - started) * 1000, 2),
        "objects": len(fetched.objects),
        "processed": len(times),
        "min_object_ms": round(min(times), 2) if times else 0.0,
        "max_object_ms": round(max(times), 2) if times else 0.0,
        "median_object_ms": round(statistics.median(times), 2) if times else 0.0,
    }
    counts = {**result.counts, "pagesFetched": 1}
    return PageOutcome(counts=counts, seen=result.seen, capped=fetched.capped, stats=stats)


def _put_contract_logs(container: Container, logs: list[dict[str, Any]]) -> None:
    """Successful ones kept ``successLogRetention``, invalid ones ``syncContractLogRetention``."""
    from openconnector_core.sync.runs import retention, runtime

    ok = [log for log in logs if log["targetResult"] != "invalid"]
    failed = [log for log in logs if log["targetResult"] == "invalid"]
    state = runtime(container).state
    if ok:
        state.put_contract_logs(ok, time.time() + retention(container, "successLogRetention"))
    if failed:
        state.put_contract_logs(failed, time.time() + retention(container, "syncContractLogRetention"))


def _delete_one(ctx: RunContext, origin_id: str, fetched: Fetched) -> PageOutcome:
    """Intern → extern for an object that was deleted: delete its target, close its contract."""
    contract = ctx.contracts.get_many(ctx.synchronization_id, [origin_id]).get(origin_id)
    counts = {"found": 0, "pagesFetched": 1}
    if contract and contract.get("targetId"):
        if ctx.test:
            counts["deleted"] = 1
        else:
            delete = Delete(origin_id, str(contract["targetId"]))
            ctx.target.delete([delete])
            if delete.error:
                counts["invalid"] = 1
            else:
                ctx.contracts.put_many([{**contract, "targetId": None, "targetLastAction": "delete"}])
                counts["deleted"] = 1
    return PageOutcome(counts=counts, stats={"fetch_ms": round(fetched.fetch_ms, 2)})


def delete_stage(
    container: Container, ctx: RunContext, plan: Mapping[str, Any], pages: list[PageRecord]
) -> Cleanup:
    seen: set[str] = set()
    for record in pages:
        seen.update(record.seen)
    restrict = None
    if ctx.config.get("restrictDeletion") not in (None, False, "", "false", "0", 0):
        import json

        restrict = json.dumps(plan.get("data") or {})
    cleanup = delete_orphans(ctx, seen, restrict)
    if not ctx.test:
        _put_contract_logs(container, cleanup.contract_logs)
    return cleanup
