"""JSON Schema, the one wrapper around ``jsonschema``: schema checks on save, object validation.

A schema entity is a JSON Schema plus entity fields (``id``, ``slug``, ``version`` …); the document
validated against is the schema without those. Objects are checked with the schema's own dialect
(``$schema``), Draft 2020-12 by default, with format checks on. Validators are compiled once per
schema revision (synchronizations validate thousands of objects against the same schema).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core.errors import ValidationError

# Entity fields of a schema that are not part of the JSON Schema document.
_ENTITY_FIELDS = frozenset(
    {"id", "uuid", "created", "updated", "name", "reference", "version", "slug", "configurations", "summary"}
)
_CACHE_SIZE = 256

_lock = threading.Lock()
_validators: dict[tuple[str, str, str], tuple[Any, Callable[[Any], bool] | None]] = {}

# The keywords the fast check below decides exactly as ``jsonschema`` (Draft 2020-12); a schema with
# any other keyword is always checked by ``jsonschema``. Annotations assert nothing.
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}
)
_DIALECTS = frozenset(
    {None, "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#"}
)
_TYPES: dict[str, tuple[type, ...]] = {  # exact types: a subclass falls back to jsonschema
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}


def json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema document of a schema entity (unset entity fields such as a null
    ``description`` are not keywords)."""
    return {key: value for key, value in schema.items() if key not in _ENTITY_FIELDS and value is not None}


def _validator_class(document: Mapping[str, Any]) -> Any:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    return validator_for(document, default=Draft202012Validator)


def check_schema(schema: Mapping[str, Any]) -> None:
    """Refuse a schema that is not valid JSON Schema: ``ValidationError`` naming the keyword."""
    from jsonschema.exceptions import SchemaError, best_match

    document = json_schema(schema)
    cls = _validator_class(document)
    errors = list(cls(cls.META_SCHEMA).iter_errors(document))
    if not errors:
        return
    error: SchemaError = best_match(errors)
    path = [str(part) for part in error.path]
    keyword = next((part for part in reversed(path) if not part.isdigit()), str(error.validator))
    where = "/".join(path) or "(schema)"
    raise ValidationError(
        f"Invalid JSON Schema: keyword {keyword!r} at {where}: {error.message}",
        fields=[path[0] if path else keyword],
        keyword=keyword,
        path=where,
    )


def _fast_check(document: Any) -> Callable[[Any], bool] | None:
    """A predicate that is true only for instances ``jsonschema`` finds valid, for schemas made of
    ``type``, ``properties``, ``required``, boolean ``additionalProperties`` and ``items``; ``None``
    for any other schema. When it says false, ``jsonschema`` finds the errors (one code path for
    messages). Synchronizations validate thousands of objects against such schemas."""
    if document is True or document == {}:
        return lambda _value: True
    if not isinstance(document, Mapping):
        return None
    known = {"type", "properties", "required", "additionalProperties", "items"}
    if any(key not in known and key not in _ANNOTATIONS for key in document):
        return None
    checks: list[Callable[[Any], bool]] = []
    kind = document.get("type")
    if kind is not None:
        names = [kind] if isinstance(kind, str) else kind
        if not isinstance(names, list) or not all(name in _TYPES for name in names):
            return None
        exact = frozenset(kind for name in names for kind in _TYPES[name])
        integral = "integer" in names and "number" not in names  # 1.0 is an integer

        def type_check(value: Any) -> bool:
            actual = type(value)
            return actual in exact or (integral and actual is float and value.is_integer())

        checks.append(type_check)
    properties = document.get("properties", {})
    if not isinstance(properties, Mapping):
        return None
    compiled: list[tuple[str, Callable[[Any], bool]]] = []
    for name, subschema in properties.items():
        check = _fast_check(subschema)
        if check is None:
            return None
        compiled.append((name, check))
    required = document.get("required", [])
    additional = document.get("additionalProperties", True)
    if not isinstance(required, list) or additional not in (True, False):
        return None
    allowed = frozenset(properties)

    def object_check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        if any(name not in value for name in required):
            return False
        if not additional and any(key not in allowed for key in value):
            return False
        return all(check(value[name]) for name, check in compiled if name in value)

    if compiled or required or not additional:
        checks.append(object_check)
    if "items" in document:
        item_check = _fast_check(document["items"])
        if item_check is None:
            return None
        checks.append(lambda value: not isinstance(value, list) or all(item_check(item) for item in value))
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _validator(schema: Mapping[str, Any]) -> tuple[Any, Callable[[Any], bool] | None]:
    """The compiled validator of a schema revision and its fast check (see :func:`_fast_check`)."""
    key = (str(schema.get("id")), str(schema.get("updated")), str(schema.get("version")))
    with _lock:
        cached = _validators.get(key)
    if cached is None:
        from jsonschema import FormatChecker

        document = json_schema(schema)
        cls = _validator_class(document)
        fast = _fast_check({k: v for k, v in document.items() if k != "$schema"})
        cached = (
            cls(document, format_checker=FormatChecker()),
            fast if document.get("$schema") in _DIALECTS else None,
        )
        with _lock:
            if len(_validators) >= _CACHE_SIZE:
                _validators.pop(next(iter(_validators)))
            _validators[key] = cached
    return cached


def _property(error: Any) -> str:
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing:
            parts.append(str(missing[0]))
    elif error.validator == "dependentRequired" and isinstance(error.instance, Mapping):
        for needs in error.validator_value.values():
            missing = [name for name in needs if name not in error.instance]
            if missing:
                parts.append(str(missing[0]))
                break
    return ".".join(parts)


def object_errors(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every way ``data`` fails ``schema``, as ``[{"property": "address.city", "message": …}]``
    (``property`` is ``""`` for the object itself), in document order."""
    validator, fast = _validator(schema)
    if fast is not None and fast(data):
        return []
    from referencing.exceptions import Unresolvable  # only the slow path needs it

    try:
        found = sorted(validator.iter_errors(data), key=lambda error: list(map(str, error.absolute_path)))
    except Unresolvable as error:  # a $ref to a document we do not fetch (no outbound calls from here)
        raise ValidationError(
            f"Schema {schema.get('slug') or schema.get('id')!r} cannot be applied: {error}", fields=["$ref"]
        ) from None
    return [{"property": _property(error), "message": error.message} for error in found]


def validate_object(schema: Mapping[str, Any], data: Mapping[str, Any], *, title: str = "") -> None:
    """Raise ``ValidationError`` (400, ``errors`` = ``[{"property", "message"}]``) when invalid."""
    errors = object_errors(schema, data)
    if errors:
        named = title or str(schema.get("slug") or schema.get("id"))
        raise ValidationError(
            f"The object does not match schema {named!r}: "
            + "; ".join(f"{e['property'] or '(object)'}: {e['message']}" for e in errors[:5]),
            fields=list(dict.fromkeys(e["property"] for e in errors)),
            errors=errors,
        )
