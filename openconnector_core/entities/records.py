"""Runtime records: contracts, synchronization/job/call logs and event messages.

They are written by the engines, never through the management API, and have no slug."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from openconnector_core.entities import enums
from openconnector_core.entities.base import EntityModel, Json, LogEntity, Timestamp, one_of


class SynchronizationContract(EntityModel):
    """One synchronized object of one synchronization."""

    SLUG_STYLE: ClassVar[str | None] = None

    version: str | None = None
    synchronization_id: str | None = None
    origin_id: str | None = None
    origin_hash: str | None = None
    source_last_changed: Timestamp = None
    source_last_checked: Timestamp = None
    source_last_synced: Timestamp = None
    target_id: str | None = None
    target_hash: str | None = None
    target_last_changed: Timestamp = None
    target_last_checked: Timestamp = None
    target_last_synced: Timestamp = None
    target_last_action: Annotated[str | None, one_of(enums.CONTRACT_ACTIONS)] = None
    source_id: str | None = None  # deprecated upstream, still serialized
    source_hash: str | None = None  # deprecated upstream, still serialized
    # ours (§5.7): the origin ids of the sub-objects a parent's target holds (ADR 0205)
    sub_object_origin_ids: list[str] | None = None


class SynchronizationLog(LogEntity):
    """One synchronization run; ``synchronizationId`` is the synchronization's id."""

    message: str | None = "Success"
    synchronization_id: str | None = None
    result: Json = Field(default_factory=dict)
    user_id: str | None = None
    session_id: str | None = None
    test: bool | None = False
    force: bool | None = False
    execution_time: int | None = None


class SynchronizationContractLog(LogEntity):
    """What happened to one object in one run."""

    message: str | None = None
    synchronization_id: str | None = None
    synchronization_contract_id: str | None = None
    synchronization_log_id: str | None = "n.a."
    source: Json = None
    target: Json = None
    target_result: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    test: bool | None = False
    force: bool | None = False


class JobLog(LogEntity):
    """One job execution."""

    level: Annotated[str | None, one_of(enums.JOB_LOG_LEVELS)] = "INFO"
    message: str | None = "success"
    job_id: str | None = None
    job_list_id: str | None = None
    job_class: str | None = None
    arguments: Json = None
    execution_time: int | None = None
    user_id: str | None = None
    session_id: str | None = None
    stack_trace: list[str] = Field(default_factory=list)
    last_run: Timestamp = None
    next_run: Timestamp = None


class CallLog(LogEntity):
    """One outbound call through a source; ``request`` is stored redacted."""

    status_code: int | None = None
    status_message: str | None = None
    request: Json = Field(default_factory=dict)
    response: Json = Field(default_factory=dict)
    source_id: str | None = None
    action_id: str | None = None
    synchronization_id: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    attempts: int | None = None
    retry_after: float | None = None
    """Seconds to wait before calling again (a local or remote 429)."""
    error: str | None = None
    """Our stable code of what went wrong (``outbound-refused``, ``source-timeout`` …), when anything did."""


class EventMessage(LogEntity):
    """One delivery of an event to a subscription."""

    event_id: str | None = None
    consumer_id: str | None = None
    subscription_id: str | None = None
    status: str | None = "pending"
    payload: Json = Field(default_factory=dict)
    last_response: Json = None
    retry_count: int | None = 0
    last_attempt: Timestamp = None
    next_attempt: Timestamp = None
