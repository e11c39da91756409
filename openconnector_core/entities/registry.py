"""The API resources: their model, where they are stored, whether they are writable, their secrets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openconnector_core.entities import models, records
from openconnector_core.entities.base import EntityModel
from openconnector_core.entities.enums import AUTH_TYPES, SOURCE_AUTH_SCHEMES
from openconnector_core.entities.secrets import SecretRules
from openconnector_core.errors import NotFoundError


class StorageKind(StrEnum):
    ENTITIES = "entities"  # the entities table
    CONTRACTS = "contracts"  # the contracts table (an EntityStore too)
    LOGS = "logs"  # the logs table (LogStore, with expiry)


@dataclass(frozen=True)
class ResourceSpec:
    name: str  # the API path segment, also the storage namespace / log kind
    model: type[EntityModel]
    storage: StorageKind = StorageKind.ENTITIES
    read_only: bool = False
    secrets: SecretRules = field(default_factory=SecretRules)
    kind: str = ""  # singular, for derived slugs and messages
    # Semantic checks beyond the model (e.g. a mapping's templates and casts); raise ValidationError.
    check: Callable[[dict[str, Any]], None] | None = None

    @property
    def count_key(self) -> str:
        """The camelCase key of this resource in dashboard counts (``synchronizationContracts``)."""
        head, *rest = self.name.split("-")
        return head + "".join(part.title() for part in rest)


SOURCE_SECRETS = SecretRules(
    fields=("password", "secret", "apikey", "jwt", "jwtId", "authorizationHeader", "auth"),
    containers=("authenticationConfig", "configuration"),
    urls=("location",),
    # ``auth`` and ``authorizationHeader`` mostly hold a scheme or header name, not a credential.
    harmless_values={
        "auth": frozenset(value.lower() for value in (*AUTH_TYPES, *SOURCE_AUTH_SCHEMES)),
        "authorizationHeader": frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key"}),
    },
)
CONSUMER_SECRETS = SecretRules(containers=("authorizationConfiguration",))
RULE_SECRETS = SecretRules(containers=("configuration",))
JOB_SECRETS = SecretRules(containers=("arguments",))
SYNCHRONIZATION_SECRETS = SecretRules(containers=("sourceConfig", "targetConfig"))
"""Engines read these resources with :meth:`EntityService.reveal` to get their secrets in clear."""


def _check_mapping(wire: dict[str, Any]) -> None:
    from openconnector_core.mapping import validate_mapping  # the template engine loads on first save

    validate_mapping(wire)


def _check_job(wire: dict[str, Any]) -> None:
    from openconnector_core.jobs.schedule import validate_job  # cron parsing loads on first save

    validate_job(wire)


def _check_rule(wire: dict[str, Any]) -> None:
    from openconnector_core.gateway.rules import check_rule  # the rule registry loads on first save

    check_rule(wire)


def _check_schema(wire: dict[str, Any]) -> None:
    from openconnector_core.objects.validation import check_schema  # jsonschema loads on first save

    check_schema(wire)


def _spec(
    name: str,
    model: type[EntityModel],
    kind: str,
    storage: StorageKind = StorageKind.ENTITIES,
    secrets: SecretRules | None = None,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> ResourceSpec:
    return ResourceSpec(
        name=name,
        model=model,
        storage=storage,
        read_only=storage is not StorageKind.ENTITIES,
        secrets=secrets or SecretRules(),
        kind=kind,
        check=check,
    )


RESOURCES: dict[str, ResourceSpec] = {
    spec.name: spec
    for spec in (
        _spec("sources", models.Source, "source", secrets=SOURCE_SECRETS),
        _spec("endpoints", models.Endpoint, "endpoint"),
        _spec("mappings", models.Mapping, "mapping", check=_check_mapping),
        _spec("rules", models.Rule, "rule", secrets=RULE_SECRETS, check=_check_rule),
        _spec("synchronizations", models.Synchronization, "synchronization", secrets=SYNCHRONIZATION_SECRETS),
        _spec("jobs", models.Job, "job", secrets=JOB_SECRETS, check=_check_job),
        _spec("consumers", models.Consumer, "consumer", secrets=CONSUMER_SECRETS),
        _spec("events", models.Event, "event"),
        _spec("event-subscriptions", models.EventSubscription, "event-subscription"),
        _spec("configurations", models.Configuration, "configuration"),
        _spec("registers", models.Register, "register"),
        _spec("schemas", models.Schema, "schema", check=_check_schema),
        _spec(
            "synchronization-contracts",
            records.SynchronizationContract,
            "synchronization-contract",
            StorageKind.CONTRACTS,
        ),
        _spec("call-logs", records.CallLog, "call-log", StorageKind.LOGS),
        _spec("synchronization-logs", records.SynchronizationLog, "synchronization-log", StorageKind.LOGS),
        _spec("job-logs", records.JobLog, "job-log", StorageKind.LOGS),
        _spec("event-messages", records.EventMessage, "event-message", StorageKind.LOGS),
    )
}

# Written by the engines only and not listed by the management API, but stored as logs too.
LOG_KINDS: dict[str, type[EntityModel]] = {
    "call-logs": records.CallLog,
    "synchronization-logs": records.SynchronizationLog,
    "synchronization-contract-logs": records.SynchronizationContractLog,
    "job-logs": records.JobLog,
    "event-messages": records.EventMessage,
}


def resource_spec(resource: str) -> ResourceSpec:
    """The spec of ``resource``; unknown → ``NotFoundError`` listing the known ones."""
    try:
        return RESOURCES[resource]
    except KeyError:
        raise NotFoundError(
            f"Unknown resource {resource!r}; known: {', '.join(RESOURCES)}", resource=resource
        ) from None
