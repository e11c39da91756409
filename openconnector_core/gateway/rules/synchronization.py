"""``synchronization``: start a run of a synchronization from the gateway.

``configuration.synchronization`` names it (id, uuid, slug or reference) with ``retainResponse``,
``objectIdPath`` (a dot path in the body whose value — or a URL's last segment — is an object id:
that object runs intern → extern), ``preDelay``/``postDelay`` (seconds). ``isTest``/``force`` in
the body override the rule's. Result handling (``synchronizationConfig``): ``retainResponse``
keeps the body; ``mergeResultToKey`` ``"#"`` merges the produced object into the body, another
key puts it there; ``overwriteObjectWithResult`` makes it the body; otherwise the body becomes
the synchronization log. "Produced object" is what the run wrote or received for the object
(the original handed back the unchanged request body, so its merge options did nothing).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError, OpenConnectorError
from openconnector_core.gateway.rules.support import get

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

MAX_DELAY_SECONDS = 10  # a Lambda request must not sleep its time away
WAIT_SECONDS = 20.0


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any]:
    configuration = rule.get("configuration") or {}
    settings = configuration.get("synchronization")
    if not isinstance(settings, dict):
        settings = {"synchronization": settings, "retainResponse": False}
    synchronization = _find(flow, settings.get("synchronization"))
    body = data.get("body") if isinstance(data.get("body"), dict) else {}
    assert isinstance(body, dict)
    test = _flag(body.get("isTest"), configuration.get("isTest"))
    force = _flag(body.get("force"), configuration.get("force"))
    object_id = None
    if settings.get("objectIdPath"):
        value = get(body, str(settings["objectIdPath"]))
        if isinstance(value, str) and value:
            object_id = value.rstrip("/").rsplit("/", 1)[-1]
    _sleep(settings.get("preDelay"))
    from openconnector_core.sync.runs import start_run

    log = start_run(
        flow.container,
        str(synchronization["id"]),
        test=test,
        force=force,
        data=None if object_id else {k: v for k, v in body.items() if not str(k).startswith("_")},
        object_id=object_id,
        wait=WAIT_SECONDS,
    )
    _sleep(settings.get("postDelay"))
    if settings.get("retainResponse") in (True, 1, "1", "true"):
        return data
    options = configuration.get("synchronizationConfig") or {}
    produced = _produced(log)
    merge_key = options.get("mergeResultToKey")
    if merge_key and produced is not None:
        if merge_key == "#" and isinstance(produced, dict):
            data["body"] = {**body, **produced}
        else:
            data["body"] = {**body, str(merge_key): produced}
    elif options.get("overwriteObjectWithResult") and produced is not None:
        data["body"] = produced
    else:
        data["body"] = log
    return data


def _find(flow: Flow, reference: Any) -> dict[str, Any]:
    if reference in (None, ""):  # misconfigured endpoint: 500, like an unknown synchronization
        raise OpenConnectorError("The synchronization rule names no synchronization")
    try:
        return dict(flow.container.entities.get("synchronizations", str(reference)).item)
    except NotFoundError:
        page = flow.container.entity_store.list(
            "synchronizations", filters={"reference": str(reference)}, limit=1
        )
        if page.items:
            return dict(page.items[0])
        raise OpenConnectorError(f"Synchronization {reference} not found") from None


def _produced(log: dict[str, Any]) -> Any:
    result = log.get("result") if isinstance(log.get("result"), dict) else {}
    assert isinstance(result, dict)
    for key in ("object", "targetObject", "response"):
        if result.get(key) is not None:
            return result[key]
    return log.get("object")


def _flag(request: Any, configured: Any) -> bool:
    value = request if request is not None else configured
    return value in (True, 1, "1", "true")


def _sleep(seconds: Any) -> None:
    try:
        delay = min(float(seconds or 0), MAX_DELAY_SECONDS)
    except (TypeError, ValueError):
        return
    if delay > 0:
        time.sleep(delay)
