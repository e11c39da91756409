"""X-Ray tracing at the edge: Powertools Tracer when the template's ``Tracing`` parameter is on.

Off (the default), handlers stay exactly as written and the X-Ray SDK is never imported — even a
disabled ``Tracer()`` imports it, which costs cold-start time for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from openconnector_core.settings import get_settings


def traced[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """``handler`` wrapped by ``Tracer.capture_lambda_handler`` when tracing is on, else unchanged."""
    if not get_settings().tracing:
        return handler
    from aws_lambda_powertools import Tracer

    return cast(Handler, Tracer().capture_lambda_handler(handler))
