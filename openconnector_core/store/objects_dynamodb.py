"""Object storage on the Objects table, with large objects' bodies in the files bucket.

Item: ``pk`` = schema id, ``sk`` = ``{register id}#{object id}``, ``rev`` (N, the condition of every
single-object write) and ``doc``, the JSON array ``[version, created, updated, {fields}]`` (few
attributes: every attribute costs on each read and write). Listing one register/schema is one Query
on a key range (``sk`` between ``{register}#`` and ``{register}$``: ``$`` sorts right after ``#``),
and "does any (or this) register hold objects of this schema" is a one-item Query.

DynamoDB refuses items over 400 KB: a ``doc`` over :data:`INLINE_LIMIT` bytes is the body of an S3 object
``objects/{schema}/{register}/{id}.json`` and the item keeps ``bodyKey`` + ``bodyVersion``. The bucket
is versioned, so every write of a body is a new version and the item names the exact version it was
written with: a conditional write that loses a race never changes what the winner's item reads.
Replaced versions are deleted after the write that replaced them (bulk writes leave them to the
bucket's lifecycle rule for noncurrent versions).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from openconnector_core.errors import OpenConnectorError, PreconditionFailedError
from openconnector_core.objects.storage import ObjectRecord, Partition
from openconnector_core.store.aws_errors import error_code
from openconnector_core.store.dynamodb import batch_get, batch_write, call, query_pages, translate

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        QueryOutputTypeDef,
        WriteRequestTypeDef,
    )
    from mypy_boto3_s3 import S3Client

    Item = dict[str, AttributeValueTypeDef]

INLINE_LIMIT = 350_000  # bytes of JSON kept in the item; DynamoDB's item limit is 400 KB
_QUERY_PAGE = 500


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _key(partition: Partition, object_id: str) -> Item:
    return {"pk": _s(partition.schema), "sk": _s(f"{partition.register}#{object_id}")}


class DynamoObjectStorage:
    def __init__(self, client: DynamoDBClient, table: str, *, s3: S3Client, bucket: str) -> None:
        self._client = client
        self._table = table
        self._s3 = s3
        self._bucket = bucket

    # --- single objects ------------------------------------------------------------------------

    def get(self, partition: Partition, object_id: str) -> ObjectRecord | None:
        response = self._call(
            "get_item",
            TableName=self._table,
            Key=_key(partition, object_id),
            ConsistentRead=True,
        )
        raw = response.get("Item")
        return self._record(raw) if raw else None

    def put(self, partition: Partition, record: ObjectRecord, *, expected_rev: int) -> None:
        item = self._item(partition, record)
        if expected_rev == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "rev = :rev",
                "ExpressionAttributeValues": {":rev": {"N": str(expected_rev)}},
            }
        try:
            response = self._client.put_item(
                TableName=self._table, Item=item, ReturnValues="ALL_OLD", **condition
            )
        except ClientError as error:
            self._drop_body(item)  # the body of a write that did not happen
            if error_code(error) == "ConditionalCheckFailedException":
                raise PreconditionFailedError(f"Object {record.id} was changed by another write") from error
            raise translate(error, self._table) from error
        old = response.get("Attributes")
        if old and old.get("bodyVersion") != item.get("bodyVersion"):
            self._drop_body(old)

    def delete(self, partition: Partition, object_id: str, *, expected_rev: int) -> None:
        try:
            response = self._client.delete_item(
                TableName=self._table,
                Key=_key(partition, object_id),
                ConditionExpression="rev = :rev",
                ExpressionAttributeValues={":rev": {"N": str(expected_rev)}},
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise PreconditionFailedError(f"Object {object_id} was changed by another write") from error
            raise translate(error, self._table) from error
        self._drop_body(response.get("Attributes") or {})

    # --- lists ---------------------------------------------------------------------------------

    def _query(self, partition: Partition, after: str | None, **extra: Any) -> Iterator[QueryOutputTypeDef]:
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": _s(partition.schema),
                ":low": _s(f"{partition.register}#{after or ''}"),
                ":high": _s(f"{partition.register}$"),
            },
            "ConsistentRead": True,
            **extra,
        }
        return query_pages(self._client, self._table, cast("QueryInputTypeDef", query))

    def scan(self, partition: Partition, *, after: str | None = None) -> Iterator[ObjectRecord]:
        for response in self._query(partition, after, Limit=_QUERY_PAGE):
            for raw in response.get("Items", []):
                record = self._record(raw)
                if record.id != after:
                    yield record

    def count(self, partition: Partition) -> int:
        return sum(int(response.get("Count", 0)) for response in self._query(partition, None, Select="COUNT"))

    def holds_objects(self, schema_id: str, register_id: str | None = None) -> bool:
        condition, values = "pk = :pk", {":pk": _s(schema_id)}
        if register_id is not None:
            condition += " AND begins_with(sk, :register)"
            values[":register"] = _s(f"{register_id}#")
        response = self._call(
            "query",
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ProjectionExpression="pk",
            Limit=1,
            ConsistentRead=True,  # a delete's look for objects must see every acknowledged write
        )
        return bool(response.get("Items"))

    # --- bulk ----------------------------------------------------------------------------------

    def get_many(self, partition: Partition, ids: Sequence[str]) -> dict[str, ObjectRecord]:
        keys = [_key(partition, key) for key in dict.fromkeys(ids)]
        raws = batch_get(self._client, self._table, keys)
        records = (self._record(raw) for raw in raws)
        return {record.id: record for record in records}

    def put_many(self, partition: Partition, records: Sequence[ObjectRecord]) -> None:
        requests: list[WriteRequestTypeDef] = [
            {"PutRequest": {"Item": self._item(partition, record)}} for record in records
        ]
        batch_write(self._client, self._table, requests)

    def delete_many(self, partition: Partition, ids: Sequence[str]) -> None:
        keys = [_key(partition, key) for key in dict.fromkeys(ids)]
        bodies = batch_get(self._client, self._table, keys, projection="bodyKey, bodyVersion")
        bodies = [raw for raw in bodies if "bodyKey" in raw]
        deletes: list[WriteRequestTypeDef] = [{"DeleteRequest": {"Key": key}} for key in keys]
        batch_write(self._client, self._table, deletes)
        for raw in bodies:
            self._drop_body(raw)

    # --- items and bodies ----------------------------------------------------------------------

    def _item(self, partition: Partition, record: ObjectRecord) -> Item:
        envelope = [record.version, record.created, record.updated, record.data]
        doc = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
        item: Item = {
            **_key(partition, record.id),
            "rev": {"N": str(record.rev)},
        }
        body = doc.encode()
        if len(body) <= INLINE_LIMIT:
            item["doc"] = _s(doc)
            return item
        key = f"objects/{partition.schema}/{partition.register}/{record.id}.json"
        try:
            response = self._s3.put_object(
                Bucket=self._bucket, Key=key, Body=body, ContentType="application/json"
            )
        except ClientError as error:
            raise OpenConnectorError(f"Could not store a large object in bucket {self._bucket}") from error
        item["bodyKey"] = _s(key)
        item["bodyVersion"] = _s(str(response.get("VersionId") or "null"))
        return item

    def _record(self, raw: Item) -> ObjectRecord:
        if "doc" in raw:
            envelope = json.loads(raw["doc"]["S"])
        else:
            key, version = raw["bodyKey"]["S"], raw["bodyVersion"]["S"]
            try:
                if version == "null":  # written to an unversioned bucket
                    response = self._s3.get_object(Bucket=self._bucket, Key=key)
                else:
                    response = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version)
            except ClientError as error:
                raise OpenConnectorError(
                    f"Could not read a large object from bucket {self._bucket}"
                ) from error
            envelope = json.loads(response["Body"].read())
        version, created, updated, data = envelope
        return ObjectRecord(
            id=raw["sk"]["S"].partition("#")[2],
            data=data,
            rev=int(raw["rev"]["N"]),
            version=version,
            created=created,
            updated=updated,
        )

    def _drop_body(self, raw: Item) -> None:
        """Delete the exact body version an item pointed to (best effort: the lifecycle rule is the net)."""
        if "bodyKey" not in raw:
            return
        key, version = raw["bodyKey"]["S"], raw["bodyVersion"]["S"]
        with contextlib.suppress(ClientError):
            if version == "null":
                self._s3.delete_object(Bucket=self._bucket, Key=key)
            else:
                self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version)

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return call(self._client, self._table, operation, **kwargs)
