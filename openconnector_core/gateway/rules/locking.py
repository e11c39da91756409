"""``locking`` (after): lock or unlock the object for ``duration`` seconds (default 3600)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.gateway.locks import DEFAULT_DURATION
from openconnector_core.gateway.rules.support import require_object, settings

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any]:
    object_id = require_object(flow)
    config = settings(rule, "locking")
    user = flow.user or "anonymous"
    locks = flow.container.gateway.locks
    if str(config.get("action") or "lock").lower() == "unlock":
        locks.unlock(object_id, user)
        lock = None
    else:
        duration = config.get("duration")
        if duration in (None, "") and config.get("timeout") not in (None, ""):
            duration = int(config["timeout"]) * 60  # the UI writes minutes under "timeout"
        lock = locks.lock(object_id, user, int(duration or DEFAULT_DURATION))
    body = data.get("body")
    if isinstance(body, dict):
        body["locked"] = None if lock is None else {"user": lock["user"], "expiresAt": lock["expiresAt"]}
    return data
