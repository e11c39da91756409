"""Sync worker Lambdas (SQS event sources with partial batch responses).

``lambda_handler`` (``SyncQueue``): one synchronization page per message — claim, fetch, send the
next page, process, finalize when last (``openconnector_core.sync.runs.handle_page``). A message that
fails is reported as a batch item failure and comes back; after ``maxReceiveCount`` receives SQS moves
it to ``SyncDeadLetterQueue``, where ``dead_letter_handler`` ends its run ``failed``, deleting nothing.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from openconnector_core.container import get_container
from openconnector_core.settings import get_settings
from openconnector_core.sync.runs import fail_from_dead_letter, handle_page
from openconnector_core.tracing import traced

logger = Logger()
get_settings()  # bad configuration fails the cold start with one message naming the variable
processor = BatchProcessor(event_type=EventType.SQS)
dead_letters = BatchProcessor(event_type=EventType.SQS)
_budget: dict[str, float] = {"seconds": 300.0}


def _page(record: SQSRecord) -> None:
    message = json.loads(record.body)
    logger.append_keys(run=message.get("run"), page=message.get("page"))
    handle_page(get_container(), message, time_left=_budget["seconds"])


def _dead_letter(record: SQSRecord) -> None:
    message = json.loads(record.body)
    logger.warning(
        "Page moved to the dead-letter queue", extra={"run": message.get("run"), "page": message.get("page")}
    )
    fail_from_dead_letter(get_container(), message)


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _budget["seconds"] = context.get_remaining_time_in_millis() / 1000
    return process_partial_response(event=event, record_handler=_page, processor=processor, context=context)


@traced
@logger.inject_lambda_context(clear_state=True)
def dead_letter_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_dead_letter, processor=dead_letters, context=context
    )
