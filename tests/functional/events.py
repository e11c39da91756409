"""A factory for API Gateway HTTP API (payload format 2.0) events and a fake Lambda context.

The shape is what API Gateway sends for ``ANY /api/{proxy+}`` on the ``$default`` stage; the samples
in ``events/<function>/*.json`` were built with it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

ACCOUNT_ID = "123456789012"
API_ID = "openconnector"
TIME_EPOCH = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | bytes | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    request_id: str = "req-0001",
    route_key: str = "ANY /api/{proxy+}",
    base64_body: bool = False,
) -> dict[str, Any]:
    """An HTTP API v2 event. ``body`` is JSON-encoded; ``raw_body`` is sent as is."""
    all_headers = {
        "accept": "application/json",
        "host": f"{API_ID}.execute-api.eu-west-1.amazonaws.com",
        "user-agent": "openconnector-tests",
    }
    if body is not None and raw_body is None:
        raw_body = json.dumps(body)
        all_headers["content-type"] = "application/json"
    all_headers.update({name.lower(): value for name, value in (headers or {}).items()})
    if isinstance(raw_body, bytes):
        raw_body = base64.b64encode(raw_body).decode("ascii")
        base64_body = True
    elif raw_body is not None and base64_body:
        raw_body = base64.b64encode(raw_body.encode("utf-8")).decode("ascii")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": all_headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": all_headers["host"],
            "domainPrefix": API_ID,
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.10",
                "userAgent": all_headers["user-agent"],
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": TIME_EPOCH,
        },
        "isBase64Encoded": base64_body,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if path.startswith("/api/"):
        event["pathParameters"] = {"proxy": path[len("/api/") :]}
    if raw_body is not None:
        event["body"] = raw_body
    return event


@dataclass
class FakeLambdaContext:
    """What Powertools' logger reads from the Lambda context."""

    function_name: str = "ManagementFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = f"arn:aws:lambda:eu-west-1:{ACCOUNT_ID}:function:ManagementFunction"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/ManagementFunction"
    log_stream_name: str = "2026/01/01/[$LATEST]tests"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000
