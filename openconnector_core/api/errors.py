"""The one place where an exception becomes an HTTP response of the management API.

Every error body is ``{"error": "<short>", "message": "<detail>", ...}``. Statuses come from
:mod:`openconnector_core.errors` (``OpenConnectorError.status`` / ``to_body()``); pydantic validation
errors become 400 naming the offending fields; an unknown route is a JSON 404; anything unexpected is
a 500 with a generic message and the request id — the exception itself only goes to the log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler import exceptions as powertools_errors

from openconnector_core.api.http import json_response
from openconnector_core.errors import MethodNotAllowedError, OpenConnectorError, ValidationError

if TYPE_CHECKING:
    from pydantic import ValidationError as PydanticValidationError

INTERNAL_ERROR = "Internal error"
INTERNAL_MESSAGE = "An unexpected error occurred"


class _Logger(Protocol):
    def exception(self, msg: object, *args: Any, **kwargs: Any) -> None: ...
    def info(self, msg: object, *args: Any, **kwargs: Any) -> None: ...
    def warning(self, msg: object, *args: Any, **kwargs: Any) -> None: ...


class _Resolver(Protocol):
    def exception_handler(self, exc_class: type[Exception] | list[type[Exception]]) -> Callable[..., Any]: ...


def _is_pydantic_error(error: Exception) -> TypeGuard[PydanticValidationError]:
    # pydantic costs ~25 ms of cold start; if nothing imported it yet, no error can come from it.
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(error, pydantic.ValidationError)


def pydantic_fields(error: PydanticValidationError) -> list[dict[str, str]]:
    """``[{"field": "a.b", "message": "..."}]`` — locations and messages only, never input values."""
    details = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        field = ".".join(str(part) for part in item.get("loc", ())) or "body"
        details.append({"field": field, "message": str(item.get("msg", "invalid value"))})
    return details


def error_body_and_headers(
    error: Exception, request_id: str | None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and headers for ``error``. Pure: no logging, no I/O."""
    headers: dict[str, str] = {}
    if isinstance(error, OpenConnectorError):
        status = error.status
        if status == 500:  # an internal failure raised on purpose: its text is for the log only
            return 500, _internal_body(request_id), headers
        body = error.to_body()
        if status >= 500 and request_id:
            body.setdefault("requestId", request_id)
        if isinstance(error, MethodNotAllowedError):
            headers["Allow"] = ", ".join(error.allow)
        retry_after = error.extra.get("retryAfter")
        if status == 429 and retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return status, body, headers
    if _is_pydantic_error(error):
        details = pydantic_fields(error)
        fields = sorted({detail["field"] for detail in details})
        converted = ValidationError(f"Invalid fields: {', '.join(fields)}", fields=fields, errors=details)
        return converted.status, converted.to_body(), headers
    if isinstance(error, powertools_errors.NotFoundError):
        return 404, {"error": "Not found", "message": "No such route", "code": "not-found"}, headers
    if isinstance(error, powertools_errors.ServiceError):
        status = error.status_code
        if status >= 500:
            return 500, _internal_body(request_id), headers
        return status, {"error": _short(status), "message": str(error.msg), "code": "bad-request"}, headers
    return 500, _internal_body(request_id), headers


def internal_error_event_response(request_id: str | None) -> dict[str, Any]:
    """A complete HTTP API response for a failure outside the resolver (e.g. while serializing)."""
    import json

    return {
        "statusCode": 500,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(_internal_body(request_id)),
        "isBase64Encoded": False,
    }


def _internal_body(request_id: str | None) -> dict[str, Any]:
    return {
        "error": INTERNAL_ERROR,
        "message": INTERNAL_MESSAGE,
        "code": "internal-error",
        "requestId": request_id,
    }


def _short(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_error_handlers(
    resolver: _Resolver,
    logger: _Logger,
    *,
    request_id: Callable[[], str | None],
    on_error: Callable[[int], None] | None = None,
) -> None:
    """Register one handler for every exception (the resolver looks handlers up along the MRO, and
    an unmatched route is raised as Powertools' ``NotFoundError``, a subclass of ``Exception``)."""

    @resolver.exception_handler(Exception)
    def handle(error: Exception) -> Response[Any]:
        status, body, headers = error_body_and_headers(error, request_id())
        expected = isinstance(
            error, (OpenConnectorError, powertools_errors.ServiceError)
        ) or _is_pydantic_error(error)
        if status == 500 or not expected:
            logger.exception("Unhandled error", extra={"status": status, "errorType": type(error).__name__})
        elif status >= 500:
            logger.warning("Request failed", extra={"status": status, "code": body.get("code")})
        else:
            logger.info("Request rejected", extra={"status": status, "code": body.get("code")})
        if on_error is not None:
            on_error(status)
        return json_response(status, body, headers)
