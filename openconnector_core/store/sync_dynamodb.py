"""DynamoDB adapters of the run state and the contracts (boto3 low-level client).

Logs table (TTL ``expiresAt``):
  run         pk=synchronization-logs              sk=<runId>    doc, plan, runStatus, pending, c_<counter>
  lease       pk=synchronization-leases            sk=<syncId>   run, since (no TTL: never dropped)
  page        pk=synchronization-pages#<runId>     sk=<page:010> state, token, at, seen, failure, stats
  contract log pk=synchronization-contract-logs    sk=<logId>    doc (as ``DynamoLogStore``)
Contracts table: pk=synchronization-contracts sk=<contractId> doc, rev, uuid (as ``DynamoEntityStore``), tgt
  plus gsi1pk=synchronization-contracts#<syncId>, gsi1sk=<originId> for the GSI ``bySynchronization``.

The run item's counters and ``pending`` change only through ``ADD``; a page is claimed and completed
with conditions on its token; completing a page, adding its counts and decrementing ``pending`` is
one transaction, so a worker dying at any point leaves either all of it or none (ADR 0200).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from openconnector_core.errors import ConflictError, NotFoundError
from openconnector_core.ids import new_id
from openconnector_core.store.aws_errors import error_code
from openconnector_core.store.dynamodb import batch_get, batch_write, call, translate
from openconnector_core.sync.contracts import contract_id
from openconnector_core.sync.ports import COUNTERS, Claim, Lease, PageOutcome, PageRecord, RunRecord

RUNS = "synchronization-logs"
LEASES = "synchronization-leases"
CONTRACTS = "synchronization-contracts"
CONTRACT_LOGS = "synchronization-contract-logs"
_COUNTER_NAMES = (*COUNTERS, "pagesFetched", "pagesFailed")
_TRANSACTION = 100


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: float) -> dict[str, str]:
    return {"N": str(int(value)) if float(value).is_integer() else str(value)}


def _doc(value: Any) -> dict[str, str]:
    return _s(json.dumps(value, separators=(",", ":"), default=str))


def _page_key(run_id: str, page: int) -> dict[str, Any]:
    return {"pk": _s(f"synchronization-pages#{run_id}"), "sk": _s(f"{page:010d}")}


def _failed_condition(error: ClientError) -> list[str] | None:
    """The per-item codes when a condition failed (a transaction's cancellation reasons), else ``None``."""
    if error_code(error) == "ConditionalCheckFailedException":
        return ["ConditionalCheckFailed"]
    if error_code(error) == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        codes = [str(reason.get("Code") or "None") for reason in reasons]
        if "ConditionalCheckFailed" in codes:
            return codes
    return None


class _Client:
    def __init__(self, client: Any, table: str, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return call(self._client, self._table, operation, **kwargs)

    def _conditional(self, operation: str, **kwargs: Any) -> bool:
        """The call; ``False`` when its condition failed (or a transaction's did)."""
        try:
            getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            if _failed_condition(error) is None:
                raise translate(error, self._table) from error
            return False
        return True


class DynamoRunState(_Client):
    # -- lease --------------------------------------------------------------------------------
    def _lease_key(self, synchronization_id: str) -> dict[str, Any]:
        return {"pk": _s(LEASES), "sk": _s(synchronization_id)}

    def _put_lease(self, synchronization_id: str, run_id: str, condition: str, holder: str) -> bool:
        return self._conditional(
            "put_item",
            TableName=self._table,
            Item={**self._lease_key(synchronization_id), "run": _s(run_id), "since": _n(int(self._clock()))},
            ConditionExpression=condition,
            ExpressionAttributeNames={"#run": "run"},
            ExpressionAttributeValues={":holder": _s(holder)},
        )

    def acquire_lease(self, synchronization_id: str, run_id: str, seconds: float) -> Lease:
        # The lease item has no TTL attribute: DynamoDB must never drop it under a live run.
        if self._put_lease(synchronization_id, run_id, "attribute_not_exists(pk) OR #run = :holder", run_id):
            return Lease()
        lease = self._call(
            "get_item", TableName=self._table, Key=self._lease_key(synchronization_id), ConsistentRead=True
        ).get("Item")
        if lease is None:  # released meanwhile
            return self.acquire_lease(synchronization_id, run_id, seconds)
        holder = str(lease["run"]["S"])
        run = self._call(
            "get_item",
            TableName=self._table,
            Key=self._run_key(holder),
            ConsistentRead=True,
            ProjectionExpression="runStatus, progressAt",
        ).get("Item")
        recent = self._clock() - seconds
        if run is None:  # taken a moment ago, its log not written yet (or a planner that died)
            alive = float(lease.get("since", {"N": "0"})["N"]) > recent
        else:
            alive = (
                run.get("runStatus", {}).get("S") in ("running", "finalizing")
                and float(run.get("progressAt", {"N": "0"})["N"]) > recent
            )
        if alive:
            return Lease(holder=holder)
        if self._put_lease(synchronization_id, run_id, "#run = :holder", holder):  # take over a dead run's
            return Lease(taken_over=holder)
        return self.acquire_lease(synchronization_id, run_id, seconds)

    def release_lease(self, synchronization_id: str, run_id: str) -> None:
        self._conditional(
            "delete_item",
            TableName=self._table,
            Key=self._lease_key(synchronization_id),
            ConditionExpression="#run = :run",
            ExpressionAttributeNames={"#run": "run"},
            ExpressionAttributeValues={":run": _s(run_id)},
        )

    # -- the run --------------------------------------------------------------------------------
    def _run_key(self, run_id: str) -> dict[str, Any]:
        return {"pk": _s(RUNS), "sk": _s(run_id)}

    def create_run(self, doc: dict[str, Any], plan: dict[str, Any], expires_at: float) -> None:
        subject = str(doc.get("synchronizationId") or "")
        item: dict[str, Any] = {
            **self._run_key(doc["id"]),
            "doc": _doc(doc),
            "plan": _doc(plan),
            "runStatus": _s(str(doc.get("status") or "running")),
            "pending": _n(0),
            "progressAt": _n(self._clock()),
            "expiresAt": _n(int(expires_at)),
            **{f"c_{name}": _n(0) for name in _COUNTER_NAMES},
        }
        if subject:
            item.update(subject=_s(subject), gsi1pk=_s(f"{RUNS}#{subject}"), gsi1sk=_s(doc["id"]))
        self._call(
            "put_item", TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )

    def run(self, run_id: str) -> RunRecord:
        item = self._call(
            "get_item", TableName=self._table, Key=self._run_key(run_id), ConsistentRead=True
        ).get("Item")
        if item is None or "plan" not in item:
            raise NotFoundError(f"No synchronization run {run_id!r}", resource=RUNS, key=run_id)
        return RunRecord(
            doc=json.loads(item["doc"]["S"]),
            plan=json.loads(item["plan"]["S"]),
            counters={name: int(float(item.get(f"c_{name}", {"N": "0"})["N"])) for name in _COUNTER_NAMES},
            pending=int(float(item["pending"]["N"])),
            status=str(item["runStatus"]["S"]),
        )

    def plan_pages(self, run_id: str, pages: Sequence[int]) -> int:
        planned = 0
        expires = _n(int(self._clock() + 30 * 24 * 3600))
        chunk = _TRANSACTION - 1
        for start in range(0, len(pages), chunk):
            batch = list(pages[start : start + chunk])
            if self._plan(run_id, batch, expires):
                planned += len(batch)
            else:  # some were planned before (a redelivery): one at a time, counting the new ones
                planned += sum(1 for page in batch if self._plan(run_id, [page], expires))
        return planned

    def _plan(self, run_id: str, pages: list[int], expires: dict[str, str]) -> bool:
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {**_page_key(run_id, page), "state": _s("queued"), "expiresAt": expires},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for page in pages
        ]
        items.append(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": self._run_key(run_id),
                    "UpdateExpression": "ADD pending :n",
                    "ExpressionAttributeValues": {":n": _n(len(pages))},
                }
            }
        )
        return self._conditional("transact_write_items", TransactItems=items)

    def claim_page(self, run_id: str, page: int, token: str, stale_after: float) -> Claim:
        now = self._clock()
        claimed = self._conditional(
            "update_item",
            TableName=self._table,
            Key=_page_key(run_id, page),
            UpdateExpression="SET #state = :claimed, #token = :token, #at = :now",
            ConditionExpression=(
                "attribute_not_exists(#state) OR #state = :queued OR (#state = :claimed AND #at < :stale)"
            ),
            ExpressionAttributeNames={"#state": "state", "#token": "token", "#at": "at"},
            ExpressionAttributeValues={
                ":claimed": _s("claimed"),
                ":queued": _s("queued"),
                ":token": _s(token),
                ":now": _n(now),
                ":stale": _n(now - stale_after),
            },
        )
        if claimed:
            return "claimed"
        item = self._call(
            "get_item", TableName=self._table, Key=_page_key(run_id, page), ConsistentRead=True
        ).get("Item")
        return "done" if item and item.get("state", {}).get("S") == "done" else "busy"

    def complete_page(self, run_id: str, page: int, token: str, outcome: PageOutcome) -> int:
        counts = {name: value for name, value in outcome.counts.items() if value}
        if outcome.failure:
            counts["pagesFailed"] = counts.get("pagesFailed", 0) + 1
        names = {f"#c{index}": f"c_{name}" for index, name in enumerate(counts)}
        values = {f":c{index}": _n(value) for index, value in enumerate(counts.values())}
        adds = ", ".join(f"{name} {value}" for name, value in zip(names, values, strict=True))
        page_values: dict[str, Any] = {
            ":done": _s("done"),
            ":claimed": _s("claimed"),
            ":token": _s(token),
            # Compressed: ~10 times more origin ids fit in the 400 KB an item may hold.
            ":seen": {"B": zlib.compress(json.dumps(list(outcome.seen), separators=(",", ":")).encode())},
            ":capped": {"BOOL": outcome.capped},
            ":stats": _doc(dict(outcome.stats)),
        }
        failure = ""
        if outcome.failure:
            page_values[":failure"] = _s(outcome.failure)
            failure = ", failure = :failure"
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _page_key(run_id, page),
                    "UpdateExpression": (
                        f"SET #state = :done, seen = :seen, capped = :capped, stats = :stats{failure}"
                    ),
                    "ConditionExpression": "#state = :claimed AND #token = :token",
                    "ExpressionAttributeNames": {"#state": "state", "#token": "token"},
                    "ExpressionAttributeValues": page_values,
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": self._run_key(run_id),
                    "UpdateExpression": "SET progressAt = :now ADD pending :minus"
                    + (f", {adds}" if adds else ""),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": {":minus": _n(-1), ":now": _n(self._clock()), **values},
                }
            },
        ]
        if not names:
            del items[1]["Update"]["ExpressionAttributeNames"]
        run_update = items[1]["Update"]
        run_update["ExpressionAttributeValues"][":one"] = _n(1)
        # Who is last is decided by the write itself, not by reading ``pending`` afterwards: try as
        # "not the last page" (pending > 1); if only that condition fails, as "the last" (= 1).
        for _attempt in range(20):
            for condition, remaining in (("pending > :one", 1), ("pending = :one", 0)):
                run_update["ConditionExpression"] = condition
                codes = self._transact(items)
                if codes is None:
                    return remaining
                if codes[0] == "ConditionalCheckFailed":
                    return -1  # the claim was lost: another worker took this page over
        raise ConflictError(f"Could not complete page {page} of run {run_id}: pending keeps changing")

    def _transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """Run a transaction; when a condition failed, the per-item cancellation codes."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            codes = _failed_condition(error)
            if codes is None:
                raise translate(error, self._table) from error
            return codes
        return None

    def pages(self, run_id: str) -> list[PageRecord]:
        records = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _s(f"synchronization-pages#{run_id}")},
            ConsistentRead=True,
        ):
            records.append(
                PageRecord(
                    page=int(item["sk"]["S"]),
                    state=str(item.get("state", {}).get("S", "queued")),
                    seen=json.loads(zlib.decompress(item["seen"]["B"])) if "seen" in item else [],
                    failure=item["failure"]["S"] if "failure" in item else None,
                    capped=bool(item.get("capped", {}).get("BOOL", False)),
                    stats=json.loads(item["stats"]["S"]) if "stats" in item else {},
                )
            )
        return records

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            response = self._call("query", TableName=self._table, **kwargs, **extra)
            yield from response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    def begin_finalize(self, run_id: str) -> bool:
        return self._conditional(
            "update_item",
            TableName=self._table,
            Key=self._run_key(run_id),
            UpdateExpression="SET runStatus = :finalizing",
            ConditionExpression="runStatus = :running",
            ExpressionAttributeValues={":finalizing": _s("finalizing"), ":running": _s("running")},
        )

    def finish(self, run_id: str, doc: dict[str, Any], expires_at: float) -> None:
        objects = (doc.get("result") or {}).get("objects") or {}
        counters = {name: int(objects[name]) for name in COUNTERS if name in objects}
        names = {f"#c{index}": f"c_{name}" for index, name in enumerate(counters)}
        values = {f":c{index}": _n(value) for index, value in enumerate(counters.values())}
        sets = "".join(f", {name} = {value}" for name, value in zip(names, values, strict=True))
        extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        self._call(
            "update_item",
            TableName=self._table,
            Key=self._run_key(run_id),
            UpdateExpression=f"SET doc = :doc, runStatus = :status, expiresAt = :exp{sets}",
            ExpressionAttributeValues={
                ":doc": _doc(doc),
                ":status": _s(str(doc["status"])),
                ":exp": _n(int(expires_at)),
                **values,
            },
            **extra,
        )

    def add_counts(self, run_id: str, counts: Mapping[str, int]) -> None:
        if not counts:
            return
        names = {f"#c{index}": f"c_{name}" for index, name in enumerate(counts)}
        values = {f":c{index}": _n(value) for index, value in enumerate(counts.values())}
        self._call(
            "update_item",
            TableName=self._table,
            Key=self._run_key(run_id),
            UpdateExpression="ADD " + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def put_contract_logs(self, logs: Sequence[dict[str, Any]], expires_at: float) -> None:
        requests: list[Any] = []
        for log in logs:
            log_id = log.get("id") or new_id()
            doc = {**log, "id": log_id, "uuid": log.get("uuid") or log_id}
            item: dict[str, Any] = {
                "pk": _s(CONTRACT_LOGS),
                "sk": _s(log_id),
                "doc": _doc(doc),
                "expiresAt": _n(int(expires_at)),
            }
            subject = log.get("synchronizationId")
            if subject:
                item.update(
                    subject=_s(str(subject)), gsi1pk=_s(f"{CONTRACT_LOGS}#{subject}"), gsi1sk=_s(log_id)
                )
            requests.append({"PutRequest": {"Item": item}})
        batch_write(self._client, self._table, requests)


class DynamoContractStore(_Client):
    def get_many(self, synchronization_id: str, origin_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        wanted = {contract_id(synchronization_id, origin): origin for origin in dict.fromkeys(origin_ids)}
        found: dict[str, dict[str, Any]] = {}
        keys: list[Any] = [{"pk": _s(CONTRACTS), "sk": _s(identifier)} for identifier in wanted]
        for item in batch_get(self._client, self._table, keys, projection="sk, doc"):
            found[wanted[item["sk"]["S"]]] = json.loads(item["doc"]["S"])
        return found

    def put_many(self, contracts: Sequence[dict[str, Any]]) -> None:
        # Contracts are written only by the run holding the synchronization's lease, under ids
        # derived from (synchronization, origin id): plain batch puts are safe (ADR 0200).
        revision = _n(int(self._clock() * 1000))
        requests: list[Any] = []
        for contract in contracts:
            item: dict[str, Any] = {
                "pk": _s(CONTRACTS),
                "sk": _s(contract["id"]),
                "doc": _doc(contract),
                "rev": revision,
                "uuid": _s(contract.get("uuid") or contract["id"]),
                "gsi1pk": _s(f"{CONTRACTS}#{contract['synchronizationId']}"),
                "gsi1sk": _s(str(contract["originId"])),
            }
            if contract.get("targetId"):
                # projected into the GSI, with the keys: what the deletion stage may delete
                item["tgt"] = _s(str(contract["targetId"]))
            requests.append({"PutRequest": {"Item": item}})
        batch_write(self._client, self._table, requests)

    def live_targets(self, synchronization_id: str) -> Iterator[tuple[str, str]]:
        start: dict[str, Any] | None = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            response = self._call(
                "query",
                TableName=self._table,
                IndexName="bySynchronization",
                KeyConditionExpression="gsi1pk = :pk",
                ProjectionExpression="gsi1sk, tgt",
                ExpressionAttributeValues={":pk": _s(f"{CONTRACTS}#{synchronization_id}")},
                **extra,
            )
            for item in response.get("Items", []):
                if "tgt" in item:
                    yield item["gsi1sk"]["S"], item["tgt"]["S"]
            start = response.get("LastEvaluatedKey")
            if not start:
                return
