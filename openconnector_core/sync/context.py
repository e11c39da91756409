"""Checking a synchronization before a run (400 naming the field, before anything is fetched) and
building the per-run processing context workers share (mappings, rules, target), once per container."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError, ValidationError
from openconnector_core.sync.contracts import content_hash
from openconnector_core.sync.enrich import enricher
from openconnector_core.sync.fetch import first_request, request_body, source_config
from openconnector_core.sync.file_rules import FileRules
from openconnector_core.sync.paginators import paginator_for
from openconnector_core.sync.process import RunContext
from openconnector_core.sync.targets import ApiTarget, ObjectStoreTarget, Target, unsupported

if TYPE_CHECKING:
    from openconnector_core.container import Container
    from openconnector_core.sync.ports import RunRecord
    from openconnector_core.sync.runtime import SyncRuntime

REGISTER_SCHEMA = "register/schema"
_VOLATILE = frozenset(
    {
        "created",
        "updated",
        "dateCreated",
        "dateModified",
        "version",
        "name",
        "description",
        "slug",
        "currentPage",
        "targetLastSynced",
        "sourceLastSynced",
        "sourceLastChecked",
        "sourceLastChanged",
        "targetLastChecked",
        "targetLastChanged",
        "status",
        "configurations",
        "followUps",
    }
)
_CACHED_CONTEXTS = 8


def objects_service(container: Container) -> Any:
    service = getattr(container, "objects", None)
    if service is None:
        raise ValidationError("The object store is not available", fields=["targetType"])
    return service


def _missing(field: str, what: str, value: Any) -> ValidationError:
    return ValidationError(f"{field}: no {what} {value!r}", fields=[field])


def _get(container: Container, resource: str, key: Any, field: str, what: str) -> dict[str, Any]:
    if key in (None, ""):
        raise ValidationError(f"{field} is required", fields=[field])
    try:
        return container.entities.get(resource, str(key)).item
    except NotFoundError:
        raise _missing(field, what, key) from None


def _resolve_ref(container: Container, key: Any, field: str) -> Any:
    if key in (None, ""):
        raise ValidationError(f'{field} is required ("register/schema")', fields=[field])
    try:
        return objects_service(container).resolve(str(key))
    except NotFoundError as error:
        raise ValidationError(f"{field}: {error.message}", fields=[field]) from None


def validate(
    container: Container, sync: Mapping[str, Any], object_id: str | None, data: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The run's plan, or ``ValidationError`` naming the first unusable field."""
    source_type = sync.get("sourceType") or "api"
    config = source_config(sync)
    plan: dict[str, Any] = {}
    if source_type == REGISTER_SCHEMA:
        plan["direction"] = "internToExtern"
        plan["sourceRef"] = _resolve_ref(container, sync.get("sourceId"), "sourceId").key
        plan["maxPages"] = config.get("maxPages")
        plan["firstRequest"] = {"objectId": object_id} if object_id else {"cursor": None}
    elif source_type == "api":
        if object_id is not None:
            raise ValidationError("objectId needs a register/schema source", fields=["objectId"])
        source = _get(container, "sources", sync.get("sourceId"), "sourceId", "source")
        plan["direction"] = "externToIntern"
        plan["sourceId"] = source["id"]
        plan["location"] = str(source.get("location") or "")
        paginator = paginator_for(config, plan["location"])
        max_pages = config.get("maxPages", paginator.default_max_pages)
        try:
            plan["maxPages"] = int(max_pages) if max_pages not in (None, "") else None
        except (TypeError, ValueError):
            raise ValidationError(
                "sourceConfig.maxPages must be an integer", fields=["sourceConfig.maxPages"]
            ) from None
        render = _lazy_render(container)
        enricher(config.get("extraDataConfigs"), None, source["id"], config, render)  # checks its shape
        plan["firstRequest"] = paginator.first(first_request(config, data, render))
        plan["body"] = request_body(config, data)
    else:
        raise ValidationError(
            f"Unsupported source type: {source_type}; valid: api, register/schema", fields=["sourceType"]
        )
    target_type = sync.get("targetType")
    if target_type == REGISTER_SCHEMA:
        plan["targetRef"] = _resolve_ref(container, sync.get("targetId"), "targetId").key
    elif target_type == "api":
        plan["targetSourceId"] = _get(container, "sources", sync.get("targetId"), "targetId", "source")["id"]
    else:
        raise unsupported(target_type)
    for field in ("sourceTargetMapping", "sourceHashMapping"):
        if sync.get(field) not in (None, ""):
            _get(container, "mappings", sync[field], field, "mapping")
    for index, rule in enumerate(sync.get("actions") or []):
        _get(container, "rules", rule, f"actions.{index}", "rule")
    return plan


def _synchronization_ids(container: Container) -> Callable[[], list[str]]:
    """Every synchronization's id, listed once per run context on first use."""
    listed: list[str] = []

    def ids() -> list[str]:
        if not listed:
            cursor: str | None = None
            while True:
                params = {"_limit": "500", **({"_next": cursor} if cursor else {})}
                page = container.entities.list("synchronizations", params)
                listed.extend(str(item["id"]) for item in page.items)
                if not (cursor := page.next):
                    break
        return listed

    return ids


def _location(container: Container) -> Callable[[str], str]:
    """A source's location (a file URL that starts with it is called relative to the source)."""

    def location(source_id: str) -> str:
        return str(_get(container, "sources", source_id, "fetch_file.source", "source").get("location") or "")

    return location


def _lazy_render(container: Container) -> Callable[[str, Mapping[str, Any]], str]:
    """The template renderer, loaded when a template is rendered: a run without templated
    endpoints does not pay for importing the mapping engine."""

    def render(template: str, context: Mapping[str, Any]) -> str:
        return str(container.mapping_engine.renderer.render(template, context))

    return render


def _stable(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in _VOLATILE}


def fingerprint_of(container: Container, sync: Mapping[str, Any]) -> str:
    """What an object was written under: the synchronization's content, its mappings and rules.
    A change to any of them rewrites every object on the next run (the skip rule compares it)."""
    parts: dict[str, Any] = {"synchronization": _stable(sync)}
    for field in ("sourceTargetMapping", "sourceHashMapping"):
        if sync.get(field):
            parts[field] = _stable(container.entities.get("mappings", str(sync[field])).item)
    rules = [container.entities.get("rules", str(rule)).item for rule in sync.get("actions") or []]
    parts["rules"] = [_stable(rule) for rule in rules]
    for rule in rules:  # a rule's mapping is part of what it writes
        mapping = (rule.get("configuration") or {}).get("mapping")
        if rule.get("type") == "mapping" and mapping:
            parts.setdefault("ruleMappings", []).append(
                _stable(container.entities.get("mappings", str(mapping)).item)
            )
    return content_hash(parts)


def build_context(container: Container, services: SyncRuntime, record: RunRecord) -> RunContext:
    run_id = str(record.doc["id"])
    cached = services.contexts.get(run_id)
    if cached is not None:
        services.contexts.move_to_end(run_id)
        return cached
    plan, sync = record.plan, record.plan["synchronization"]
    mappings: dict[str, dict[str, Any]] = {}

    def mapping(ref: Any) -> dict[str, Any]:
        if isinstance(ref, Mapping):
            return dict(ref)
        key = str(ref)
        if key not in mappings:
            mappings[key] = container.entities.get("mappings", key).item
        return mappings[key]

    def run_mapping(ref: Any, data: Any) -> dict[str, Any]:
        result = container.mapping_engine.run(mapping(ref), data, stored=not isinstance(ref, Mapping))
        return result if isinstance(result, dict) else {"value": result}

    target: Target
    if "targetRef" in plan:
        target = ObjectStoreTarget(objects_service(container), plan["targetRef"], str(sync["id"]))
    else:
        target = ApiTarget(
            container.call_engine, plan["targetSourceId"], sync.get("targetConfig") or {}, run_mapping
        )
    rules = [container.entities.get("rules", str(rule)).item for rule in sync.get("actions") or []]
    rules.sort(key=lambda rule: int(rule.get("order") or 0))

    def save_object(config: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        objects = objects_service(container)
        ref = f"{config.get('register')}/{config.get('schema')}"
        if config.get("mapping"):
            data = run_mapping(config["mapping"], data)
        before = data.get("_objectBeforeMapping")
        body = {k: v for k, v in data.items() if k != "_objectBeforeMapping"}
        object_id = body.get("id") or (
            before.get("id") if config.get("patch") and isinstance(before, Mapping) else None
        )
        actor = f"synchronization:{sync['id']}"
        if object_id:
            try:
                return dict(objects.replace(ref, str(object_id), body, actor=actor).object)
            except NotFoundError:
                pass
        return dict(objects.create(ref, body, actor=actor).object)

    context = RunContext(
        run_id=run_id,
        synchronization=sync,
        test=bool(plan.get("test")),
        force=bool(plan.get("force")),
        data=plan.get("data"),
        fingerprint=str(plan["fingerprint"]),
        config=source_config(sync),
        target=target,
        contracts=services.contracts,
        run_mapping=run_mapping,
        hash_mapping=mapping(sync["sourceHashMapping"]) if sync.get("sourceHashMapping") else None,
        target_mapping=mapping(sync["sourceTargetMapping"]) if sync.get("sourceTargetMapping") else None,
        rules=rules,
        save_object=save_object,
        record=record,
    )
    if plan.get("sourceId"):
        config = context.config
        render = _lazy_render(container)
        context.enrich = enricher(
            config.get("extraDataConfigs"), container.call_engine, plan["sourceId"], config, render
        )
    context.synchronization_ids = _synchronization_ids(container)
    if any(rule.get("type") in ("fetch_file", "write_file") for rule in rules):
        context.file_rules = FileRules(container.files, container.call_engine.call, _location(container))
    services.contexts[run_id] = context
    while len(services.contexts) > _CACHED_CONTEXTS:
        services.contexts.popitem(last=False)
    return context
