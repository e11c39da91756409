"""Entities: pydantic models of the original's entities (camelCase on the wire), their registry
and the entity service."""

from openconnector_core.entities.models import (
    Configuration,
    Consumer,
    Endpoint,
    Event,
    EventSubscription,
    Job,
    Mapping,
    Rule,
    Source,
    Synchronization,
)
from openconnector_core.entities.records import (
    CallLog,
    EventMessage,
    JobLog,
    SynchronizationContract,
    SynchronizationContractLog,
    SynchronizationLog,
)
from openconnector_core.entities.registry import RESOURCES, ResourceSpec, StorageKind, resource_spec

__all__ = [
    "RESOURCES",
    "CallLog",
    "Configuration",
    "Consumer",
    "Endpoint",
    "Event",
    "EventMessage",
    "EventSubscription",
    "Job",
    "JobLog",
    "Mapping",
    "ResourceSpec",
    "Rule",
    "Source",
    "StorageKind",
    "Synchronization",
    "SynchronizationContract",
    "SynchronizationContractLog",
    "SynchronizationLog",
    "resource_spec",
]
