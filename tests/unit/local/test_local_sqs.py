"""SQS event source: event shape and which messages an invocation lets go."""

from __future__ import annotations

from typing import Any

from openconnector_local.lambda_runtime import Invocation
from openconnector_local.sqs_poller import sqs_event, succeeded_messages

ARN = "arn:aws:sqs:eu-west-1:123456789012:q"


def _messages(*ids: str) -> list[dict[str, Any]]:
    return [
        {
            "MessageId": identifier,
            "ReceiptHandle": f"rh-{identifier}",
            "Body": f"body-{identifier}",
            "MD5OfBody": "md5",
            "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1", "Unrelated": "x"},
            "MessageAttributes": {"kind": {"StringValue": "a", "DataType": "String"}},
        }
        for identifier in ids
    ]


def test_event_records_have_lambdas_shape() -> None:
    (record,) = sqs_event(_messages("m1"), ARN, "eu-west-1")["Records"]
    assert record == {
        "messageId": "m1",
        "receiptHandle": "rh-m1",
        "body": "body-m1",
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1"},
        "messageAttributes": {
            "kind": {
                "stringValue": "a",
                "binaryValue": None,
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            }
        },
        "md5OfBody": "md5",
        "eventSource": "aws:sqs",
        "eventSourceARN": ARN,
        "awsRegion": "eu-west-1",
    }


def _ids(messages: list[dict[str, Any]]) -> list[str]:
    return [message["MessageId"] for message in messages]


def test_success_deletes_all_and_an_error_deletes_none() -> None:
    messages = _messages("a", "b")
    assert _ids(succeeded_messages(messages, Invocation("r", True, None), True)) == ["a", "b"]
    assert succeeded_messages(messages, Invocation("r", False, {"errorMessage": "x"}), True) == []


def test_batch_item_failures_keep_only_the_failed_messages() -> None:
    messages = _messages("a", "b", "c")
    invocation = Invocation("r", True, {"batchItemFailures": [{"itemIdentifier": "b"}]})
    assert _ids(succeeded_messages(messages, invocation, True)) == ["a", "c"]
    # Without ReportBatchItemFailures the report means nothing: the batch succeeded.
    assert _ids(succeeded_messages(messages, invocation, False)) == ["a", "b", "c"]


def test_a_malformed_report_fails_the_whole_batch() -> None:
    messages = _messages("a", "b")
    for report in ([{"itemIdentifier": ""}], [{"itemIdentifier": "unknown"}], ["b"]):
        assert succeeded_messages(messages, Invocation("r", True, {"batchItemFailures": report}), True) == []
