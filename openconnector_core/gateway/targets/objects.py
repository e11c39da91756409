"""The ``register/schema`` target: CRUD on the object store.

* GET with ``id`` as the last path parameter → the object (404 when absent);
* GET with ``id`` followed by more segments → a sub-collection: the segment after ``id`` names a
  property of the object holding objects or ids (``{count, results}``, or one of them by sub id);
* GET without ``id`` → ``{count, next?, previous?, results}`` with absolute ``next``/``previous``
  URLs (``_limit``/``limit``, default 30; ``_page``/``page``; ``_search``; other parameters are
  equality filters; ``extend`` expands the named references);
* POST → 201; PUT → 200 (replace); PATCH → 200 (merge); DELETE → 204. Writes to an object locked
  by someone else → 423; ``If-Match`` is honoured (412).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError, NotFoundError, PreconditionFailedError, ValidationError
from openconnector_core.gateway.chain import PLUMBING
from openconnector_core.gateway.locks import LockedError
from openconnector_core.gateway.response import GatewayResponse, json_response
from openconnector_core.gateway.rules.support import run_mapping, uuid_in, validation_response
from openconnector_core.gateway.targets.references import referred, rewrite

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow
    from openconnector_core.objects.ports import ObjectService, SchemaRef, StoredObject

# Keys of the rule data and request plumbing that are never object fields.
RESERVED = PLUMBING | {"_route"}
_QUERY_CONTROL = frozenset(
    {"_limit", "limit", "_page", "page", "_search", "extend", "_extend", "_order", "_fields"}
)
DEFAULT_LIMIT = 30
MAX_LIMIT = 500
_COUNT_PAGE = 500


def serve(
    flow: Flow, parameters: dict[str, Any], *, transient: frozenset[str] = frozenset()
) -> GatewayResponse:
    store: ObjectService = flow.container.objects
    try:
        ref = flow.ref()
    except (NotFoundError, BadRequestError) as error:
        return json_response(500, {"error": f"Endpoint misconfigured: {error.message}"})
    params = {k: v for k, v in parameters.items() if k not in RESERVED and k not in transient}
    object_id = flow.path_params.get("id")
    method = flow.request.method
    if_match = flow.request.header("if-match")
    try:
        if method == "GET":
            return _get(flow, store, ref, params, object_id)
        data = _input(
            flow, {k: v for k, v in params.items() if not str(k).startswith("_") and k not in ("id", "@self")}
        )
        if method == "POST":
            return _object(flow, store, ref, 201, store.create(ref, data, actor=flow.user))
        if not object_id:
            if method == "DELETE":
                return json_response(400, {"error": "No id given to delete"})
            return json_response(400, {"error": f"ID required for {method} request"})
        flow.container.gateway.locks.check(object_id, flow.user or "anonymous")
        if method == "PUT":
            stored = store.replace(ref, object_id, data, if_match=if_match, actor=flow.user)
            return _object(flow, store, ref, 200, stored)
        if method == "PATCH":
            stored = store.patch(ref, object_id, data, if_match=if_match, actor=flow.user)
            return _object(flow, store, ref, 200, stored)
        if method == "DELETE":
            store.delete(ref, object_id, if_match=if_match, actor=flow.user)
            return GatewayResponse(204)
        return json_response(405, {"error": f"Method {method} is not supported on objects"})
    except ValidationError as error:
        return validation_response(error)
    except LockedError as error:
        return json_response(423, {"error": error.message, "message": "Locked"})
    except PreconditionFailedError as error:
        return json_response(412, {"error": error.message, "message": "Precondition failed"})
    except NotFoundError:
        return _not_found(object_id)


def _object(
    flow: Flow, store: ObjectService, ref: SchemaRef, status: int, stored: StoredObject
) -> GatewayResponse:
    _extend(flow, store, ref, [stored.object])
    rewrite(flow, ref, [stored.object])
    return json_response(status, stored.object, {"ETag": stored.etag})


def _extend(flow: Flow, store: ObjectService, ref: SchemaRef, objects: list[dict[str, Any]]) -> None:
    """``extend``/``_extend`` (comma-separated or a list): the named properties' ids become the
    objects they refer to (expanded values are not rewritten to URLs)."""
    wanted = flow.request.query.get("extend", flow.request.query.get("_extend"))
    names = wanted if isinstance(wanted, list) else str(wanted or "").split(",")
    for name in (str(n).strip() for n in names):
        if not name or name in ("id", "@self"):
            continue
        target = referred(flow, ref, name)
        for item in objects:
            value = item.get(name)
            if isinstance(value, list):
                item[name] = _expand(value, store, target)
            elif uuid_in(value):
                item[name] = _expand([value], store, target)[0]


def _input(flow: Flow, data: dict[str, Any]) -> dict[str, Any]:
    mapping = flow.endpoint.get("inputMapping")
    if not mapping:
        return data
    mapped = run_mapping(flow, mapping, data)
    return mapped if isinstance(mapped, dict) else {"value": mapped}


def _not_found(object_id: str | None) -> GatewayResponse:
    return json_response(
        404, {"error": "not found", "message": f"the object with id {object_id} does not exist"}
    )


def _get(
    flow: Flow, store: ObjectService, ref: SchemaRef, params: dict[str, Any], object_id: str | None
) -> GatewayResponse:
    if not object_id:
        return _collection(flow, store, ref, params)
    stored = store.get(ref, object_id)
    names = list(flow.path_params)
    after = names[names.index("id") + 1 :]
    if not after:
        return _object(flow, store, ref, 200, stored)
    return _sub_collection(flow, store, ref, stored.object, after)


def _sub_collection(
    flow: Flow, store: ObjectService, ref: SchemaRef, main: dict[str, Any], after: list[str]
) -> GatewayResponse:
    prop = flow.path_params[after[0]]
    if prop not in main:
        return json_response(200, main)
    value = main.get(prop)
    items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
    sub_id = flow.path_params.get(after[1]) if len(after) > 1 else None
    if not items:
        if sub_id:
            return json_response(
                404, {"error": "not found", "message": f"the subobject with id {sub_id} does not exist"}
            )
        return json_response(200, {"count": 0, "results": []})
    sub_ref = referred(flow, ref, prop)
    if sub_id:
        match = next((item for item in items if _item_id(item) == sub_id), None)
        if match is None:
            return json_response(
                404, {"error": "not found", "message": f"the subobject with id {sub_id} does not exist"}
            )
        return json_response(200, _expand([match], store, sub_ref)[0])
    results = _expand(items, store, sub_ref)
    rewrite(flow, sub_ref, [item for item in results if isinstance(item, dict)])
    return json_response(200, {"count": len(results), "results": results})


def _item_id(item: Any) -> str | None:
    if isinstance(item, dict):
        return str(item.get("id")) if item.get("id") is not None else None
    return uuid_in(item) or (str(item) if item is not None else None)


def _expand(items: list[Any], store: ObjectService, ref: SchemaRef) -> list[Any]:
    ids = [uuid_in(item) for item in items if not isinstance(item, dict)]
    found = store.get_many(ref, [i for i in ids if i]) if any(ids) else {}
    return [item if isinstance(item, dict) else found.get(uuid_in(item) or "", item) for item in items]


def _collection(flow: Flow, store: ObjectService, ref: SchemaRef, params: dict[str, Any]) -> GatewayResponse:
    limit = min(max(_int(params.get("_limit", params.get("limit")), DEFAULT_LIMIT), 1), MAX_LIMIT)
    page = max(_int(params.get("_page", params.get("page")), 1), 1)
    search = params.get("_search") if isinstance(params.get("_search"), str) else None
    filters = {
        str(k): _filter_value(flow, v)
        for k, v in params.items()
        if k not in _QUERY_CONTROL and not str(k).startswith("_") and isinstance(v, str | int | float | bool)
    }
    cursor: str | None = None
    for _ in range(page - 1):
        skipped = store.list(ref, filters=filters, search=search, limit=limit, cursor=cursor)
        cursor = skipped.next
        if cursor is None:
            break
    results = (
        store.list(ref, filters=filters, search=search, limit=limit, cursor=cursor).items
        if cursor is not None or page == 1
        else []
    )
    _extend(flow, store, ref, results)
    rewrite(flow, ref, results)
    count = (
        store.count(ref, filters=filters) if search is None else _count_search(store, ref, filters, search)
    )
    body: dict[str, Any] = {"count": count}
    query = dict(flow.request.query)
    query.pop("_page", None)
    if page * limit < count:
        body["next"] = flow.request.url({**query, "page": page + 1})
    if page > 1:
        body["previous"] = flow.request.url({**query, "page": page - 1})
    body["results"] = results
    return json_response(200, body)


def _count_search(store: ObjectService, ref: SchemaRef, filters: dict[str, str], search: str) -> int:
    total, cursor = 0, None
    while True:
        page = store.list(ref, filters=filters, search=search, limit=_COUNT_PAGE, cursor=cursor)
        total += len(page.items)
        cursor = page.next
        if not cursor:
            return total


def _filter_value(flow: Flow, value: Any) -> str:
    """A URL of this gateway stands for the object it names (search by its id)."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if text.startswith(flow.request.base_url + "/api/endpoint/"):
        return uuid_in(text) or text
    return text


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
