"""SQS event source mappings: poll a queue, invoke the function with a batch, delete what succeeded.

Like Lambda: an error fails the whole batch; with ``ReportBatchItemFailures`` the listed messages stay
(and come back after the visibility timeout) while the others are deleted. The queue's redrive
policy moves a message to its dead-letter queue once it was received ``maxReceiveCount`` times
(moto implements that on receive).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from openconnector_local.functions import SqsSource
from openconnector_local.lambda_runtime import Invocation

log = logging.getLogger("openconnector.local.sqs")

MAX_RECEIVE = 10
WAIT_SECONDS = 1

Invoke = Callable[[dict[str, Any]], Invocation]


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda's SQS poller sends: one record per message."""
    records = []
    for message in messages:
        attributes = message.get("Attributes", {})
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    key: attributes[key]
                    for key in (
                        "ApproximateReceiveCount",
                        "SentTimestamp",
                        "SenderId",
                        "ApproximateFirstReceiveTimestamp",
                        "MessageGroupId",
                        "MessageDeduplicationId",
                        "SequenceNumber",
                        "AWSTraceHeader",
                    )
                    if key in attributes
                },
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": value.get("StringListValues", []),
                        "binaryListValues": value.get("BinaryListValues", []),
                        "dataType": value.get("DataType"),
                    }
                    for name, value in (message.get("MessageAttributes") or {}).items()
                },
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def succeeded_messages(
    messages: list[dict[str, Any]], invocation: Invocation, report_batch_item_failures: bool
) -> list[dict[str, Any]]:
    """The messages to delete after an invocation, as Lambda decides."""
    if not invocation.ok:
        return []
    if not report_batch_item_failures:
        return messages
    result = invocation.payload
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return messages
    identifiers = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier:
            return []  # a malformed report fails the whole batch
        identifiers.add(identifier)
    known = {message["MessageId"] for message in messages}
    if not identifiers <= known:
        return []
    return [message for message in messages if message["MessageId"] not in identifiers]


class SqsPoller:
    def __init__(self, source: SqsSource, sqs_client: Any, invoke: Invoke, region: str) -> None:
        self.source = source
        self.sqs = sqs_client
        self.invoke = invoke
        self.region = region
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"sqs-{source.function}-{source.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop receiving; the batch in flight finishes (and is deleted) first."""
        self._stop.set()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("Polling %s failed", self.source.queue_url)
                self._stop.wait(1.0)

    def poll_once(self) -> int:
        messages = self._receive()
        if not messages:
            return 0
        invocation = self.invoke(sqs_event(messages, self.source.queue_arn, self.region))
        if not invocation.ok:
            log.warning(
                "%s: batch of %d failed (%s); the messages return after the visibility timeout",
                self.source.function,
                len(messages),
                invocation.error_message,
            )
        done = succeeded_messages(messages, invocation, self.source.report_batch_item_failures)
        for start in range(0, len(done), MAX_RECEIVE):
            chunk = done[start : start + MAX_RECEIVE]
            self.sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(chunk)
                ],
            )
        return len(messages)

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        wait = WAIT_SECONDS
        while len(messages) < self.source.batch_size and not self._stop.is_set():
            response = self.sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=min(MAX_RECEIVE, self.source.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = response.get("Messages", [])
            if not received:
                break
            messages.extend(received)
            wait = 0  # fill the batch with what is there, don't wait for more
        return messages
