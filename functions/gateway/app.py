"""Gateway Lambda: ``ANY /api/endpoint/{proxy+}`` and its ``OPTIONS`` preflight. Public; each
endpoint's rules decide who gets in. One call into the core (``openconnector_core.gateway``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from openconnector_core.container import get_container
from openconnector_core.settings import get_settings
from openconnector_core.tracing import traced

get_settings()  # bad configuration fails the cold start with one message naming the variable

logger = Logger()


@traced
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = get_container().gateway.handle(event)
    http = event.get("requestContext", {}).get("http", {})
    # The access line: method, path and status only (query strings and bodies may carry secrets).
    logger.info(
        "Request handled",
        extra={"method": http.get("method"), "path": http.get("path"), "status": response.get("statusCode")},
    )
    return response
