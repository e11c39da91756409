"""JSON Schema, the one wrapper around ``jsonschema``: schema checks on save, object validation.

A schema entity is a JSON Schema plus entity fields (``id``, ``slug``, ``version`` …); the document
validated against is the schema without those. Objects are checked with the schema's own dialect
(``$schema``), Draft 2020-12 by default, with format checks on. Validators are compiled once per
schema revision (synchronizations validate thousands of objects against the same schema).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from openconnector_core.errors import ValidationError

# Entity fields of a schema that are not part of the JSON Schema document.
_ENTITY_FIELDS = frozenset(
    {"id", "uuid", "created", "updated", "name", "reference", "version", "slug", "configurations", "summary"}
)
_CACHE_SIZE = 256

_lock = threading.Lock()
_validators: dict[tuple[str, str, str], Any] = {}


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


def _validator(schema: Mapping[str, Any]) -> Any:
    key = (str(schema.get("id")), str(schema.get("updated")), str(schema.get("version")))
    with _lock:
        validator = _validators.get(key)
    if validator is None:
        from jsonschema import FormatChecker

        document = json_schema(schema)
        cls = _validator_class(document)
        validator = cls(document, format_checker=FormatChecker())
        with _lock:
            if len(_validators) >= _CACHE_SIZE:
                _validators.pop(next(iter(_validators)))
            _validators[key] = validator
    return validator


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
    from referencing.exceptions import Unresolvable

    validator = _validator(schema)
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
