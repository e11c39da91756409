"""Base model and field types shared by every entity: snake_case in Python, camelCase on the wire."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def now_iso() -> str:
    """Now as ISO-8601 with offset and second precision, like PHP's ``'c'`` format."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _to_timestamp(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(f"not an ISO-8601 date-time: {value!r}") from error
    else:
        return value  # the str type check reports it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _php_empty_array_to_object(value: Any) -> Any:
    # PHP serializes an empty associative array as [], so upstream exports carry [] for empty objects.
    return {} if value == [] else value


def one_of(allowed: Iterable[str]) -> AfterValidator:
    """Validator: the value (when not null) must be one of ``allowed``; the error lists them."""
    choices = tuple(allowed)

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return AfterValidator(check)


Timestamp = Annotated[str | None, BeforeValidator(_to_timestamp)]
JsonObject = Annotated[dict[str, Any], BeforeValidator(_php_empty_array_to_object)]
Json = Any


class EntityModel(BaseModel):
    """Every entity and log: ids, timestamps, strict field names (unknown ones are rejected)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        validate_assignment=False,
    )

    # Fields the service maintains; clients may send them (a GET body PUT back) but they are ignored.
    READ_ONLY: ClassVar[frozenset[str]] = frozenset({"id", "created", "updated"})
    # Misspelt fields found in the original's exports that the original ignores; accepted and dropped
    # so such files import unchanged (anything else unknown is a 400).
    LEGACY_IGNORED: ClassVar[frozenset[str]] = frozenset()
    # How a missing slug is derived (see ``slugs.py``): "plain", "transliterate" or None (no slug).
    SLUG_STYLE: ClassVar[str | None] = "plain"

    id: str | None = None
    uuid: str | None = None
    created: Timestamp = None
    updated: Timestamp = None

    @classmethod
    def wire_fields(cls) -> frozenset[str]:
        """The camelCase names this entity accepts and returns."""
        return frozenset(field.alias or name for name, field in cls.model_fields.items())

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


class ConfigEntity(EntityModel):
    """Configuration entities (sources, mappings, …): the fields every one of them has."""

    name: str | None = None
    description: str | None = None
    reference: str | None = None
    version: str | None = None
    slug: str | None = None
    configurations: list[Any] | dict[str, Any] = Field(default_factory=list)


class LogEntity(EntityModel):
    """Append-only logs: no slug, no version; ``expires`` drives their expiry."""

    SLUG_STYLE: ClassVar[str | None] = None

    expires: Timestamp = None
    size: int | None = None
