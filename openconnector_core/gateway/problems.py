"""Gateway error responses in the original's problem shape (type, code, title, status, detail…)."""

from __future__ import annotations

import json
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(status: int, title: str | None, detail: str | None, instance: str) -> dict[str, Any]:
    """An API Gateway (payload 2.0) response carrying a problem document."""
    body = {
        "type": title,
        "code": status,
        "title": title,
        "status": status,
        "instance": instance,
        "detail": detail,
    }
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
        "body": json.dumps(body),
    }


def no_matching_endpoint(path: str, method: str, request_id: str) -> dict[str, Any]:
    return problem_response(
        404,
        "Not Found",
        f"No matching endpoint found for path and method: {path} {method}",
        request_id,
    )
