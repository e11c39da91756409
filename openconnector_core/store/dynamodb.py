"""DynamoDB adapters (boto3 low-level client, created once per container by the composition root).

Entities table (a second instance holds contracts), key ``pk`` (HASH) + ``sk`` (RANGE):
  entity       pk=<resource>        sk=<id>    doc (JSON of the wire item), rev (N), slug, uuid
  slug marker  pk=<resource>#slug   sk=<slug>  id
Logs table: pk=<kind> sk=<id> doc, subject, expiresAt (N, TTL); GSI ``bySubject`` on
gsi1pk=<kind>#<subject> / gsi1sk=<id>. Ids are UUIDv7, so sort keys are in creation order.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from openconnector_core.errors import (
    BadRequestError,
    ConflictError,
    DeploymentError,
    NotFoundError,
    OpenConnectorError,
    PreconditionFailedError,
    RateLimitedError,
)
from openconnector_core.ids import new_id
from openconnector_core.store.aws_errors import error_code, error_message
from openconnector_core.store.ports import Page, Stored
from openconnector_core.store.query import (
    check_if_match,
    decode_cursor,
    delete_called_off,
    log_window,
    make_etag,
    matcher,
    page_of,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        KeysAndAttributesTypeDef,
        QueryInputTypeDef,
        QueryOutputTypeDef,
        TransactWriteItemTypeDef,
        WriteRequestTypeDef,
    )

    Item = dict[str, AttributeValueTypeDef]

_THROTTLED = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
_QUERY_PAGE = 200  # items DynamoDB reads per request while filtering in Python
MAX_ITEM_BYTES = 400_000  # DynamoDB refuses items over 400 KB; the decimal count keeps clear of the edge


def translate(error: ClientError, table: str) -> OpenConnectorError:
    """A driver error as one of ours (callers ``raise translate(e) from e``)."""
    code = error_code(error)
    if code in _THROTTLED:
        return RateLimitedError(f"DynamoDB table {table} is throttling requests", retryAfter=1)
    if code == "ResourceNotFoundException":
        return DeploymentError(f"DynamoDB table {table} does not exist")
    return OpenConnectorError(f"DynamoDB error {code} on {table}: {error_message(error)}")


def call(client: Any, table: str, operation: str, **kwargs: Any) -> dict[str, Any]:
    """One client operation on ``table`` by name, a driver error translated into one of ours."""
    try:
        result: dict[str, Any] = getattr(client, operation)(**kwargs)
    except ClientError as error:
        raise translate(error, table) from error
    return result


def query_pages(client: DynamoDBClient, table: str, query: QueryInputTypeDef) -> Iterator[QueryOutputTypeDef]:
    """Every response of a query on ``table``, page after page, driver errors translated."""
    page = query
    while True:
        try:
            response = client.query(**page)
        except ClientError as error:
            raise translate(error, table) from error
        yield response
        start = response.get("LastEvaluatedKey")
        if not start:
            return
        page = {**query, "ExclusiveStartKey": start}


def _item_size(attributes: Item) -> int:
    """DynamoDB's size of an item of string and number attributes: names plus values, in bytes
    (a number's size is bounded by its digits)."""
    return sum(
        len(name.encode()) + len((value.get("S") or value.get("N") or "").encode())
        for name, value in attributes.items()
    )


def _check_size(attributes: Item) -> None:
    """Refuse an item DynamoDB would refuse, with the sizes, before any write of a transaction."""
    size = _item_size(attributes)
    if size > MAX_ITEM_BYTES:
        raise BadRequestError(
            f"The item is too large to store: {size} bytes, at most {MAX_ITEM_BYTES}",
            size=size,
            limit=MAX_ITEM_BYTES,
        )


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def _doc(raw: Item) -> dict[str, Any]:
    """The wire item stored in an entity's or a log's ``doc`` attribute."""
    item: dict[str, Any] = json.loads(raw["doc"]["S"])
    return item


_BATCH_WRITE = 25  # BatchWriteItem's limit per request
_BATCH_GET = 100  # BatchGetItem's limit per request
_BATCH_ATTEMPTS = 10


def _backoff(attempt: int, table: str) -> None:
    """Wait before resending unprocessed batch items (exponential, jittered, capped at 1 s)."""
    if attempt >= _BATCH_ATTEMPTS:  # that many rounds in a row without progress
        raise RateLimitedError(f"DynamoDB table {table} kept items unprocessed; try again", retryAfter=1)
    time.sleep(min(1.0, 0.02 * 2**attempt) * (0.5 + random.random() / 2))


def batch_write(client: DynamoDBClient, table: str, requests: Sequence[WriteRequestTypeDef]) -> None:
    """``PutRequest``/``DeleteRequest`` items in BatchWriteItem requests of 25, resending
    ``UnprocessedItems`` with backoff (a throttled table answers a batch partly)."""
    for start in range(0, len(requests), _BATCH_WRITE):
        pending = list(requests[start : start + _BATCH_WRITE])
        attempt = 0
        while pending:
            try:
                response = client.batch_write_item(RequestItems={table: pending})
            except ClientError as error:
                raise translate(error, table) from error
            unprocessed = (response.get("UnprocessedItems") or {}).get(table, [])
            sent, pending = len(pending), cast("list[WriteRequestTypeDef]", list(unprocessed))
            if pending:
                # count only rounds that made no progress: a big batch may trickle through
                attempt = attempt + 1 if len(pending) == sent else 0
                _backoff(attempt, table)


def batch_get(
    client: DynamoDBClient, table: str, keys: Sequence[Item], *, projection: str | None = None
) -> list[Item]:
    """Consistent BatchGetItem in requests of 100, resending ``UnprocessedKeys`` with backoff."""
    found: list[Item] = []
    for start in range(0, len(keys), _BATCH_GET):
        pending = list(keys[start : start + _BATCH_GET])
        attempt = 0
        while pending:
            request: KeysAndAttributesTypeDef = {"Keys": pending, "ConsistentRead": True}
            if projection:
                request["ProjectionExpression"] = projection
            try:
                response = client.batch_get_item(RequestItems={table: request})
            except ClientError as error:
                raise translate(error, table) from error
            found += response.get("Responses", {}).get(table, [])
            unprocessed = (response.get("UnprocessedKeys") or {}).get(table)
            sent, pending = len(pending), list(unprocessed["Keys"]) if unprocessed else []
            if pending:
                attempt = attempt + 1 if len(pending) == sent else 0
                _backoff(attempt, table)
    return found


def _cancellation_codes(error: ClientError) -> list[str]:
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code") or "None") for reason in reasons]


class _Table:
    """One table through the low-level client; driver errors become the project's error tree."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except ClientError as error:
            raise translate(error, self._table) from error

    def _query_all(self, query: QueryInputTypeDef) -> Iterator[Item]:
        """Every item of a query, page after page."""
        for response in query_pages(self._client, self._table, query):
            yield from response.get("Items", [])


class DynamoEntityStore(_Table):
    # --- low level -----------------------------------------------------------------------------

    def _raw(self, resource: str, entity_id: str) -> Item | None:
        with self._translated():
            response = self._client.get_item(
                TableName=self._table, Key={"pk": _s(resource), "sk": _s(entity_id)}, ConsistentRead=True
            )
        return response.get("Item")

    @staticmethod
    def _stored(raw: Item) -> Stored:
        return Stored(_doc(raw), make_etag(int(raw["rev"]["N"])))

    def _entity_item(self, resource: str, item: dict[str, Any], rev: int) -> Item:
        attributes: Item = {
            "pk": _s(resource),
            "sk": _s(item["id"]),
            "doc": _s(json.dumps(item, separators=(",", ":"))),
            "rev": _n(rev),
        }
        if item.get("slug"):
            attributes["slug"] = _s(item["slug"])
        if item.get("uuid"):
            attributes["uuid"] = _s(item["uuid"])
        _check_size(attributes)
        return attributes

    def _marker(self, resource: str, slug: str, entity_id: str) -> Item:
        return {"pk": _s(f"{resource}#slug"), "sk": _s(slug), "id": _s(entity_id)}

    def _transact(self, items: list[TransactWriteItemTypeDef]) -> list[str] | None:
        """Run a transaction; on a failed condition return the per-item cancellation codes."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                codes = _cancellation_codes(error)
                if "ConditionalCheckFailed" in codes:
                    return codes
            raise translate(error, self._table) from error
        return None

    def _not_found(self, resource: str, key: str) -> NotFoundError:
        return NotFoundError(f"No {resource} with id, uuid or slug {key!r}", resource=resource, key=key)

    def _find_raw(self, resource: str, key: str) -> Item:
        raw = self._raw(resource, key)
        if raw is not None:
            return raw
        marker = self._raw(f"{resource}#slug", key)
        if marker is not None:
            raw = self._raw(resource, marker["id"]["S"])
            if raw is not None:
                return raw
        for candidate in self._query_all(
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "FilterExpression": "#uuid = :uuid",
                "ExpressionAttributeNames": {"#uuid": "uuid"},
                "ExpressionAttributeValues": {":pk": _s(resource), ":uuid": _s(key)},
            }
        ):
            return candidate
        raise self._not_found(resource, key)

    # --- the port ------------------------------------------------------------------------------

    def get(self, resource: str, key: str) -> Stored:
        return self._stored(self._find_raw(resource, key))

    def create(self, resource: str, item: dict[str, Any]) -> Stored:
        entity_id, slug = item["id"], item.get("slug")
        writes: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": self._entity_item(resource, item, 1),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        if slug:
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": self._marker(resource, slug, entity_id),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        codes = self._transact(writes)
        if codes is not None:
            if codes[0] == "ConditionalCheckFailed":
                raise ConflictError(f"A {resource} item with id {entity_id!r} exists", field="id")
            raise ConflictError(f"The slug {slug!r} is taken in {resource}", field="slug", slug=slug)
        return Stored(item, make_etag(1))

    def replace(self, resource: str, item: dict[str, Any], if_match: str | None = None) -> Stored:
        entity_id, new_slug = item["id"], item.get("slug")
        raw = self._raw(resource, entity_id)
        if raw is None:
            raise self._not_found(resource, entity_id)
        rev = int(raw["rev"]["N"])
        check_if_match(if_match, rev)
        old_slug = raw.get("slug", {}).get("S")
        writes: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": self._entity_item(resource, item, rev + 1),
                    "ConditionExpression": "rev = :rev",
                    "ExpressionAttributeValues": {":rev": _n(rev)},
                }
            }
        ]
        if old_slug != new_slug:
            if old_slug:
                writes.append(
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": {"pk": _s(f"{resource}#slug"), "sk": _s(old_slug)},
                        }
                    }
                )
            if new_slug:
                writes.append(
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._marker(resource, new_slug, entity_id),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                )
        codes = self._transact(writes)
        if codes is not None:
            if codes[0] == "ConditionalCheckFailed":
                self._raise_changed(resource, entity_id)
            raise ConflictError(f"The slug {new_slug!r} is taken in {resource}", field="slug", slug=new_slug)
        return Stored(item, make_etag(rev + 1))

    def _raise_changed(self, resource: str, entity_id: str, *, marked_rev: int | None = None) -> None:
        """The revision condition failed: gone (404) or changed by someone else (412). With
        ``marked_rev`` the condition was also on a deletion mark: unchanged at that revision, it is
        the mark that went (409)."""
        raw = self._raw(resource, entity_id)
        if raw is None:
            raise self._not_found(resource, entity_id)
        if marked_rev is not None and int(raw["rev"]["N"]) == marked_rev:
            raise delete_called_off(resource, entity_id)
        raise PreconditionFailedError(
            f"The {resource} item {entity_id} was changed concurrently",
            etag=make_etag(int(raw["rev"]["N"])),
        )

    def delete(
        self, resource: str, entity_id: str, if_match: str | None = None, *, deleting: str | None = None
    ) -> dict[str, Any]:
        raw = self._find_raw(resource, entity_id)
        rev, found_id = int(raw["rev"]["N"]), raw["sk"]["S"]
        check_if_match(if_match, rev)
        condition, values = "rev = :rev", {":rev": _n(rev)}
        if deleting is not None:
            condition, values[":token"] = f"{condition} AND deleting = :token", _s(deleting)
        writes: list[TransactWriteItemTypeDef] = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": {"pk": _s(resource), "sk": _s(found_id)},
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        slug = raw.get("slug", {}).get("S")
        if slug:
            writes.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {"pk": _s(f"{resource}#slug"), "sk": _s(slug)},
                    }
                }
            )
        if self._transact(writes) is not None:
            self._raise_changed(resource, found_id, marked_rev=rev if deleting is not None else None)
        return _doc(raw)

    # A deletion mark is the item's ``deleting`` attribute; ``replace`` puts a whole new item without it.

    def mark_deleting(self, resource: str, entity_id: str, token: str, if_match: str | None = None) -> None:
        raw = self._raw(resource, entity_id)
        if raw is None:
            raise self._not_found(resource, entity_id)
        rev = int(raw["rev"]["N"])
        check_if_match(if_match, rev)
        if not self._update_mark(
            resource,
            entity_id,
            "SET deleting = :token",
            "rev = :rev",
            {":token": _s(token), ":rev": _n(rev)},
        ):
            self._raise_changed(resource, entity_id)

    def unmark_deleting(self, resource: str, entity_id: str, token: str | None = None) -> bool:
        if token is None:
            return self._update_mark(resource, entity_id, "REMOVE deleting", "attribute_exists(pk)", {})
        return self._update_mark(
            resource, entity_id, "REMOVE deleting", "deleting = :token", {":token": _s(token)}
        )

    def _update_mark(self, resource: str, entity_id: str, update: str, condition: str, values: Item) -> bool:
        """One conditional update of the mark; ``False`` when the condition failed."""
        extra: dict[str, Any] = {"ExpressionAttributeValues": values} if values else {}
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": _s(resource), "sk": _s(entity_id)},
                UpdateExpression=update,
                ConditionExpression=condition,
                **extra,
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise translate(error, self._table) from error
        return True

    def deletion_marks(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        raws = batch_get(
            self._client,
            self._table,
            [{"pk": _s(resource), "sk": _s(entity_id)} for resource, entity_id in dict.fromkeys(keys)],
            projection="pk, sk, deleting",
        )
        return {(raw["pk"]["S"], raw["sk"]["S"]): raw.get("deleting", {}).get("S") for raw in raws}

    def list(
        self,
        resource: str,
        *,
        filters: Mapping[str, str] | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        after = decode_cursor(cursor)
        matches = matcher(filters, search)
        # The cursor is a key condition (sk > after), not an ExclusiveStartKey, so a page boundary
        # whose item was deleted meanwhile still resumes at the right place.
        condition, values = "pk = :pk", {":pk": _s(resource)}
        if after is not None:
            condition += " AND sk > :after"
            values[":after"] = _s(after)
        found: list[dict[str, Any]] = []
        for raw in self._query_all(
            {
                "TableName": self._table,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
                # Unfiltered, a page reads exactly one item more than it returns; filtered, read wider.
                "Limit": max(_QUERY_PAGE, limit + 1) if filters or search else limit + 1,
                "ConsistentRead": True,  # a list shows what was just written (and deletes rely on it)
            }
        ):
            item = _doc(raw)
            if matches(item):
                found.append(item)
                if len(found) > limit:
                    break
        return page_of(found, limit)

    def count(self, resource: str) -> int:
        query: QueryInputTypeDef = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": _s(resource)},
            "Select": "COUNT",
        }
        return sum(response.get("Count", 0) for response in query_pages(self._client, self._table, query))


class DynamoLogStore(_Table):
    def __init__(self, client: DynamoDBClient, table: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__(client, table)
        self._clock = clock

    def _alive(self, raw: Item) -> bool:
        # TTL deletion is lazy (up to days late, never in moto): an expired item must stay invisible.
        expires = raw.get("expiresAt")
        return expires is None or float(expires["N"]) > self._clock()

    @staticmethod
    def _log_item(kind: str, item: dict[str, Any], subject: str | None, expires: datetime | None) -> Item:
        log_id = item.get("id") or new_id()
        doc = {**item, "id": log_id, "uuid": item.get("uuid") or log_id}
        attributes: Item = {
            "pk": _s(kind),
            "sk": _s(log_id),
            "doc": _s(json.dumps(doc, separators=(",", ":"), default=str)),
        }
        if subject:
            attributes["subject"] = _s(subject)
            attributes["gsi1pk"] = _s(f"{kind}#{subject}")
            attributes["gsi1sk"] = _s(log_id)
        if expires is not None:
            attributes["expiresAt"] = _n(int(expires.timestamp()))
        _check_size(attributes)
        return attributes

    def put(
        self, kind: str, item: dict[str, Any], *, subject: str | None = None, expires: datetime | None = None
    ) -> None:
        attributes = self._log_item(kind, item, subject, expires)
        with self._translated():
            self._client.put_item(TableName=self._table, Item=attributes)

    def put_many(
        self,
        kind: str,
        entries: Sequence[tuple[dict[str, Any], str | None]],
        *,
        expires: datetime | None = None,
    ) -> None:
        """Many ``(item, subject)`` logs in BatchWriteItem requests (e.g. a bulk write's audit trail)."""
        requests: list[WriteRequestTypeDef] = [
            {"PutRequest": {"Item": self._log_item(kind, item, subject, expires)}}
            for item, subject in entries
        ]
        batch_write(self._client, self._table, requests)

    def get(self, kind: str, log_id: str) -> dict[str, Any]:
        with self._translated():
            response = self._client.get_item(
                TableName=self._table, Key={"pk": _s(kind), "sk": _s(log_id)}, ConsistentRead=True
            )
        raw = response.get("Item")
        if raw is None or not self._alive(raw):
            raise NotFoundError(f"No {kind} entry {log_id!r}", resource=kind, key=log_id)
        return _doc(raw)

    def query(
        self,
        kind: str,
        *,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: Callable[[dict[str, Any]], bool] | None = None,
        limit: int = 50,
        cursor: str | None = None,
        newest_first: bool = True,
    ) -> Page:
        low, high, after = log_window(since, until, cursor)
        # The cursor narrows the range from the side we come from; the boundary item itself is
        # skipped in Python (key conditions have no exclusive BETWEEN).
        if after is not None:
            if newest_first:
                high = min(high, after) if high else after
            else:
                low = max(low, after) if low else after
        query: QueryInputTypeDef = {
            "TableName": self._table,
            "ScanIndexForward": not newest_first,
            "Limit": max(_QUERY_PAGE, limit + 1),
        }
        if subject is not None:
            query["IndexName"] = "bySubject"
            hash_name, range_name, hash_value = "gsi1pk", "gsi1sk", f"{kind}#{subject}"
        else:
            hash_name, range_name, hash_value = "pk", "sk", kind
        condition = f"{hash_name} = :h"
        values: Item = {":h": _s(hash_value)}
        if low and high:
            condition += f" AND {range_name} BETWEEN :low AND :high"
            values.update({":low": _s(low), ":high": _s(high)})
        elif low:
            condition += f" AND {range_name} >= :low"
            values[":low"] = _s(low)
        elif high:
            condition += f" AND {range_name} <= :high"
            values[":high"] = _s(high)
        query["KeyConditionExpression"] = condition
        query["ExpressionAttributeValues"] = values
        found: list[dict[str, Any]] = []
        for raw in self._query_all(query):
            if raw["sk"]["S"] == after or not self._alive(raw):
                continue
            item = _doc(raw)
            if where is not None and not where(item):
                continue
            found.append(item)
            if len(found) > limit:
                break
        return page_of(found, limit)
