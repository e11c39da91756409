"""The one error tree. Each error has a stable kebab-case ``code`` and an HTTP ``status``.

Adapters translate driver errors into these with ``raise ... from``; handlers turn them into
``{"error": title, "message": str(error), "code": code, **extra}`` responses in one place.
Nobody matches on message text.

::

    OpenConnectorError            500 internal-error
    ├── BadRequestError           400 bad-request
    │   ├── ValidationError       400 validation-failed
    │   ├── MappingError          400 mapping-error
    │   └── ConditionError        400 condition-error
    ├── UnauthorizedError         401 unauthorized
    ├── ForbiddenError            403 forbidden
    ├── OutboundRefusedError      403 outbound-refused
    ├── NotFoundError             404 not-found
    ├── MethodNotAllowedError     405 method-not-allowed
    ├── ConflictError             409 conflict
    ├── PreconditionFailedError   412 precondition-failed
    ├── RateLimitedError          429 rate-limited
    ├── SourceError               502 source-error
    └── DeploymentError           500 deployment-misconfigured

``DeploymentError`` is the operator's problem (bad settings, a missing table, no access to the
secret store): it fails the cold start or answers 500. A *source's* bad configuration is a
``BadRequestError`` of the call engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class OpenConnectorError(Exception):
    """Base of every error the project raises on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, message: str = "", **extra: Any) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        self.extra = extra

    def to_body(self) -> dict[str, Any]:
        return {"error": self.title, "message": self.message, "code": self.code, **self.extra}


class BadRequestError(OpenConnectorError):
    status, code, title = 400, "bad-request", "Bad request"


class ValidationError(BadRequestError):
    """Bad input; ``fields`` names the offending fields (``extra['fields']``)."""

    code, title = "validation-failed", "Validation failed"


class MappingError(BadRequestError):
    """A mapping could not be run or saved; the message names the mapping, the key and the cause."""

    code, title = "mapping-error", "Mapping error"


class ConditionError(BadRequestError):
    """A JSON-logic condition could not be evaluated (unknown operator, bad arguments)."""

    code, title = "condition-error", "Condition error"


class UnauthorizedError(OpenConnectorError):
    status, code, title = 401, "unauthorized", "Unauthorized"


class ForbiddenError(OpenConnectorError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFoundError(OpenConnectorError):
    status, code, title = 404, "not-found", "Not found"


class MethodNotAllowedError(OpenConnectorError):
    """The path exists but not for this method (e.g. a write on a read-only resource)."""

    status, code, title = 405, "method-not-allowed", "Method not allowed"

    def __init__(self, message: str, *, allow: Sequence[str]) -> None:
        super().__init__(message, allow=sorted(allow))
        self.allow = sorted(allow)


class ConflictError(OpenConnectorError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailedError(OpenConnectorError):
    status, code, title = 412, "precondition-failed", "Precondition failed"


class RateLimitedError(OpenConnectorError):
    """Too many requests; ``extra['retryAfter']`` is the number of seconds to wait, when known."""

    status, code, title = 429, "rate-limited", "Too many requests"


class OutboundRefusedError(OpenConnectorError):
    """The SSRF guard refused an outbound destination."""

    status, code, title = 403, "outbound-refused", "Outbound call refused"


class SourceError(OpenConnectorError):
    """A source could not be called (misconfigured, disabled, or the remote failed)."""

    status, code, title = 502, "source-error", "Source error"


class DeploymentError(OpenConnectorError):
    """The deployment itself is misconfigured (settings, tables, permissions); fails the cold start."""

    code, title = "deployment-misconfigured", "Deployment misconfigured"
