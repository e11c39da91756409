"""Management Lambda: ``ANY /api/{proxy+}`` (HTTP API, payload format 2.0), behind the authorizer.

Thin: Powertools resolver, logger and metrics at the edge; each route makes one call into the core
(routes live in ``openconnector_core.api``); errors become responses in one place
(``openconnector_core.api.errors``). Engines are imported by the routes that use them, not here.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from openconnector_core.api import routers
from openconnector_core.api.authorization import forbidden
from openconnector_core.api.errors import install_error_handlers, internal_error_event_response
from openconnector_core.settings import get_settings
from openconnector_core.tracing import traced

get_settings()  # bad configuration fails the cold start with one message naming the variable

logger = Logger()
metrics = Metrics()
if not metrics.provider.namespace:  # POWERTOOLS_METRICS_NAMESPACE comes from the template
    metrics.provider.namespace = "OpenConnector"

app = APIGatewayHttpResolver()


def _request_id() -> str | None:
    return app.current_event.request_context.request_id


def _count_error(status: int) -> None:
    metrics.add_metric(
        name="ServerErrors" if status >= 500 else "ClientErrors", unit=MetricUnit.Count, value=1
    )


install_error_handlers(app, logger, request_id=_request_id, on_error=_count_error)
for router in routers():
    app.include_router(router)


@traced
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    try:
        response = forbidden(event, settings.admin_scope, settings.read_scope) or app.resolve(event, context)
    except Exception:  # outside the route's handlers (e.g. serializing the body): still our 500 shape
        logger.exception("Unhandled error outside the routes")
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        response = internal_error_event_response(event.get("requestContext", {}).get("requestId"))
    finally:
        if metrics.provider.metric_set:  # only errors are counted; no empty-metrics warning per request
            metrics.flush_metrics()
    http = event.get("requestContext", {}).get("http", {})
    # The access line: method, path and status only (query strings and bodies may carry secrets).
    logger.info(
        "Request handled",
        extra={"method": http.get("method"), "path": http.get("path"), "status": response.get("statusCode")},
    )
    return response
