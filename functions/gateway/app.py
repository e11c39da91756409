"""Gateway Lambda: ``ANY /api/endpoint/{proxy+}``. Public; each endpoint's rules decide who gets in.

Endpoint matching and the rule chain arrive with the gateway issue; until then every request is
answered with the problem document of a path that matches no endpoint.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from openconnector_core.gateway.problems import no_matching_endpoint
from openconnector_core.settings import get_settings
from openconnector_core.tracing import traced

get_settings()  # bad configuration fails the cold start with one message naming the variable

logger = Logger()


@traced
@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    path = (event.get("pathParameters") or {}).get("proxy", "")
    request_id = event.get("requestContext", {}).get("requestId", "")
    return no_matching_endpoint(path, method, request_id)
