"""Job runner Lambda: an EventBridge schedule (rate 1 minute) runs every due job (§7).

Thin: one call into the core. Jobs that would not fit in the invocation's remaining time stay due
and run on the next tick; a long synchronization is started, not waited for.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from openconnector_core.container import get_container
from openconnector_core.jobs import JobRunner
from openconnector_core.settings import get_settings
from openconnector_core.tracing import traced

logger = Logger()
get_settings()  # bad configuration fails the cold start with one message naming the variable


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def remaining() -> float:
        return context.get_remaining_time_in_millis() / 1000

    outcome = JobRunner(get_container()).run_due(remaining_seconds=remaining).to_dict()
    logger.info("Due jobs handled", extra={key: len(value) for key, value in outcome.items()})
    return outcome
