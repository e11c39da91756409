"""Event Lambda: CloudEvents from the bus (EventBridge rule) and the EventQueue (SQS).

Bus events and outside CloudEvents on the queue are dispatched to subscriptions and the
synchronizations they trigger; queue records carrying a delivery task push one message. Each queue
record succeeds or fails on its own (partial batch responses); a record that keeps failing ends in
the dead-letter queue.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from openconnector_core.container import get_container
from openconnector_core.errors import ValidationError
from openconnector_core.events.cloudevent import from_json
from openconnector_core.events.transport import TASK_ATTRIBUTE
from openconnector_core.settings import get_settings
from openconnector_core.tracing import traced

logger = Logger()
get_settings()  # bad configuration fails the cold start with one message naming the variable
processor = BatchProcessor(event_type=EventType.SQS)


def handle_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    events = get_container().events
    if TASK_ATTRIBUTE in (record.message_attributes.keys() if record.message_attributes else []):
        events.handle_task(body)
    else:
        events.dispatch(from_json(body))


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return dict(
            process_partial_response(
                event=event, record_handler=handle_record, processor=processor, context=context
            )
        )
    try:
        cloudevent = from_json(event.get("detail") or {})
    except ValidationError as error:  # not one of ours: retrying would not make it valid
        logger.error("Ignoring a bus event that is not a CloudEvent", extra={"reason": error.message})
        return {"dispatched": 0}
    messages = get_container().events.dispatch(cloudevent)
    return {"dispatched": len(messages)}
