"""The configuration entities of the original, field for field. Wire names are the camelCase aliases."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from openconnector_core.entities import enums
from openconnector_core.entities.base import ConfigEntity, Json, JsonObject, Timestamp, one_of

PING_ACTION = "OCA\\OpenConnector\\Action\\PingAction"


def _http_method(value: str | None) -> str | None:
    """Any case is a method, but it is stored as written: the original compares a stored method
    with the request's case-sensitively, so a stored ``get`` serves no request (clients send ``GET``)."""
    if value is not None and value.upper() not in enums.HTTP_METHODS:
        raise ValueError(f"{value!r} is not one of: {', '.join(enums.HTTP_METHODS)}")
    return value


HttpMethod = Annotated[str | None, AfterValidator(_http_method)]
TargetType = Annotated[str | None, one_of(enums.TARGET_TYPES)]


class Source(ConfigEntity):
    """An external API. Secret fields are moved to the secret store by the service."""

    location: str | None = None
    is_enabled: bool | None = True
    type: Annotated[str | None, one_of(enums.SOURCE_TYPES)] = None
    configuration: JsonObject = Field(default_factory=dict)
    authentication_config: JsonObject = Field(default_factory=dict)
    authorization_header: str | None = None
    auth: str | None = None
    authorization_passthrough_method: str | None = None
    locale: str | None = None
    accept: str | None = None
    jwt: str | None = None
    jwt_id: str | None = None
    secret: str | None = None
    username: str | None = None
    password: str | None = None
    apikey: str | None = None
    documentation: str | None = None
    logging_config: Json = None
    oas: Json = None
    paths: Json = None
    headers: Json = None
    translation_config: Json = None
    endpoints_config: Json = None
    status: str | None = None
    object_count: int | None = None
    test: bool | None = None
    log_retention: int | None = 3600
    error_retention: int | None = 86400
    rate_limit_limit: int | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset: int | None = None
    rate_limit_window: int | None = None
    last_call: Timestamp = None
    last_sync: Timestamp = None
    date_created: Timestamp = None
    date_modified: Timestamp = None

    READ_ONLY: ClassVar[frozenset[str]] = ConfigEntity.READ_ONLY | {"dateCreated", "dateModified"}


class Endpoint(ConfigEntity):
    """A path we expose through the gateway. ``endpointArray``/``endpointRegex`` are derived."""

    endpoint: str = ""
    endpoint_array: list[str] = Field(default_factory=list)
    endpoint_regex: str | None = None
    method: HttpMethod = None
    target_type: TargetType = None
    target_id: str | None = None
    conditions: Json = Field(default_factory=list)
    input_mapping: str | None = None
    output_mapping: str | None = None
    rules: list[Any] = Field(default_factory=list)


class Mapping(ConfigEntity):
    """A declarative transformation."""

    SLUG_STYLE: ClassVar[str | None] = "transliterate"
    READ_ONLY: ClassVar[frozenset[str]] = ConfigEntity.READ_ONLY | {"dateCreated", "dateModified"}
    LEGACY_IGNORED: ClassVar[frozenset[str]] = frozenset({"passTrough", "passthrough"})

    mapping: JsonObject = Field(default_factory=dict)
    unset: list[Any] = Field(default_factory=list)
    cast: JsonObject = Field(default_factory=dict)
    pass_through: bool | None = None
    date_created: Timestamp = None
    date_modified: Timestamp = None


class Rule(ConfigEntity):
    """One step of an endpoint's rule chain or a synchronization action."""

    action: str | None = None
    timing: Annotated[str | None, one_of(enums.RULE_TIMINGS)] = "before"
    conditions: Json = Field(default_factory=list)
    type: Annotated[str | None, one_of(enums.RULE_TYPES)] = None
    configuration: JsonObject = Field(default_factory=dict)
    order: int | None = 0

    @field_validator("configuration")
    @classmethod
    def _normalize_synchronization(cls, configuration: dict[str, Any]) -> dict[str, Any]:
        # A scalar configuration.synchronization means {"synchronization": X, "retainResponse": false}.
        value = configuration.get("synchronization")
        if value is not None and not isinstance(value, dict):
            return {**configuration, "synchronization": {"synchronization": value, "retainResponse": False}}
        return configuration


class Synchronization(ConfigEntity):
    """A source → target data flow."""

    source_id: str | None = None
    source_type: TargetType = None
    source_hash: str | None = None
    source_hash_mapping: str | None = None
    source_target_mapping: str | None = None
    source_config: JsonObject = Field(default_factory=dict)
    source_last_changed: Timestamp = None
    source_last_checked: Timestamp = None
    source_last_synced: Timestamp = None
    current_page: int | None = 1
    target_id: str | None = None
    target_type: TargetType = None
    target_hash: str | None = None
    target_source_mapping: str | None = None
    target_config: JsonObject = Field(default_factory=dict)
    target_last_changed: Timestamp = None
    target_last_checked: Timestamp = None
    target_last_synced: Timestamp = None
    conditions: Json = Field(default_factory=list)
    follow_ups: list[Any] = Field(default_factory=list)
    actions: list[Any] = Field(default_factory=list)
    status: str | None = None


class Job(ConfigEntity):
    """A scheduled action."""

    job_class: str | None = PING_ACTION
    arguments: Json = None
    interval: int | None = 3600
    cron: str | None = None  # ours: a 5-field cron expression (UTC) used instead of ``interval``
    execution_time: int | None = 3600
    time_sensitive: bool | None = True
    allow_parallel_runs: bool | None = False
    is_enabled: bool | None = True
    single_run: bool | None = False
    schedule_after: Timestamp = None
    user_id: str | None = None
    job_list_id: str | None = None
    log_retention: int | None = 3600
    error_retention: int | None = 86400
    last_run: Timestamp = None
    next_run: Timestamp = None
    status: str | None = None


class Consumer(ConfigEntity):
    """An external client of the gateway. ``authorizationConfiguration`` secrets are stored apart."""

    domains: Json = Field(default_factory=list)
    ips: Json = Field(default_factory=list)
    authorization_type: Annotated[str | None, one_of(enums.AUTH_TYPES)] = None
    authorization_configuration: JsonObject = Field(default_factory=dict)
    user_id: str | None = None


class Event(ConfigEntity):
    """A CloudEvent. Events have no slug; they are found by id."""

    SLUG_STYLE: ClassVar[str | None] = None

    source: str | None = None
    type: str | None = None
    specversion: str | None = "1.0"
    time: Timestamp = None
    datacontenttype: str | None = "application/json"
    dataschema: str | None = None
    subject: str | None = None
    data: Json = None
    user_id: str | None = None
    processed: Timestamp = None
    status: str | None = "pending"


class EventSubscription(ConfigEntity):
    """A CloudEvents subscription."""

    source: str | None = None
    types: list[str] = Field(default_factory=list)
    config: JsonObject = Field(default_factory=dict)
    filters: Json = Field(default_factory=list)
    sink: str | None = None
    protocol: str | None = "HTTP"
    protocol_settings: JsonObject = Field(default_factory=dict)
    style: Annotated[str | None, one_of(enums.SUBSCRIPTION_STYLES)] = "push"
    status: str | None = "active"
    user_id: str | None = None


class Configuration(ConfigEntity):
    """A bundle of entities that is exported and imported together.

    Membership lives on the entities (their ``configurations`` list); ``items`` may additionally
    name members per resource (``{"sources": [id-or-slug, …]}``) for bundles built by hand."""

    app: str | None = None
    type: str | None = None
    owner: str | None = None
    items: dict[str, list[str]] = Field(default_factory=dict)


class Register(ConfigEntity):
    """A collection of schemas whose objects live in the object store (the original's OpenRegister).
    ``schemas`` lists the schemas it holds by id, uuid or slug; empty means any schema."""

    title: str | None = None
    schemas: list[str] = Field(default_factory=list)

    @field_validator("schemas", mode="before")
    @classmethod
    def _schema_keys_as_text(cls, value: Any) -> Any:
        # Exports of the original name schemas by database id (numbers).
        if isinstance(value, list):
            return [str(key) if isinstance(key, int) and not isinstance(key, bool) else key for key in value]
        return value


# JSON Schema (2020-12, plus draft-07's ``definitions``/``dependencies``) keywords a schema may carry
# beside its entity fields; the validity of their values is checked by ``objects.validation``.
JSON_SCHEMA_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$ref", "$defs", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
        "$comment", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "maxContains", "minContains", "maxProperties", "minProperties", "dependentRequired",
        "patternProperties", "additionalProperties", "propertyNames", "items", "prefixItems", "contains",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "unevaluatedItems",
        "unevaluatedProperties", "format", "contentEncoding", "contentMediaType", "contentSchema",
        "default", "deprecated", "readOnly", "writeOnly", "examples", "definitions", "dependencies",
    }
)  # fmt: skip


class Schema(ConfigEntity):
    """A JSON Schema that objects of a register are validated against. Besides the entity fields it
    takes any JSON Schema keyword (``type``, ``additionalProperties``, ``$defs`` …) and keeps it."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    summary: str | None = None
    properties: JsonObject = Field(default_factory=dict)
    required: list[str] = Field(default_factory=list)

    @classmethod
    def wire_fields(cls) -> frozenset[str]:
        return super().wire_fields() | JSON_SCHEMA_KEYWORDS
