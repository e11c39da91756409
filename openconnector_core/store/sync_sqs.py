"""The page queue on SQS (``SyncQueue``): page messages in batches of ten."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from openconnector_core.errors import OpenConnectorError

_BATCH = 10


class SqsPageQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    @classmethod
    def for_queue(cls, queue_url: str, region: str) -> SqsPageQueue:
        import boto3

        return cls(boto3.client("sqs", region_name=region), queue_url)

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(messages), _BATCH):
            entries = [
                {"Id": str(index), "MessageBody": json.dumps(message, separators=(",", ":"))}
                for index, message in enumerate(messages[start : start + _BATCH])
            ]
            for _attempt in range(3):
                try:
                    response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
                except ClientError as error:
                    raise OpenConnectorError(f"Could not queue synchronization pages: {error}") from error
                failed = {entry["Id"] for entry in response.get("Failed") or []}
                entries = [entry for entry in entries if entry["Id"] in failed]
                if not entries:
                    break
            else:
                raise OpenConnectorError("Could not queue synchronization pages: SQS refused them")
