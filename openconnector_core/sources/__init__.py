"""The call engine: calling sources (REST, XML, SOAP) with authentication, rate limits, retries,
call logs and the SSRF guard. ``from openconnector_core.sources import CallEngine``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openconnector_core.sources.call_logs import CallLogQuery
    from openconnector_core.sources.engine import CallEngine

__all__ = ["CallEngine", "CallLogQuery"]


def __getattr__(name: str) -> Any:
    if name == "CallEngine":
        from openconnector_core.sources.engine import CallEngine

        return CallEngine
    if name == "CallLogQuery":
        from openconnector_core.sources.call_logs import CallLogQuery

        return CallLogQuery
    raise AttributeError(name)
