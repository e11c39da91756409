"""The run state, contracts and page queue of a container: DynamoDB + SQS in AWS and in the local
stack, in memory for unit tests and tools (when the container's stores were injected)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openconnector_core.sync.ports import ContractStore, PageQueue, RunState

if TYPE_CHECKING:
    from openconnector_core.container import Container
    from openconnector_core.sync.process import RunContext


@dataclass
class SyncRuntime:
    state: RunState
    contracts: ContractStore
    queue: PageQueue
    contexts: OrderedDict[str, RunContext] = field(default_factory=OrderedDict)
    """Per-run processing contexts (mappings, rules, target) cached in a warm container."""


def build_runtime(container: Container) -> SyncRuntime:
    settings = container.settings
    in_memory = getattr(container, "_contract_store", None) is not None
    if in_memory:
        from openconnector_core.sync.memory import LocalQueue, MemoryContractStore, MemoryRunState

        return SyncRuntime(
            MemoryRunState(container.logs), MemoryContractStore(container.contract_store), LocalQueue()
        )
    from openconnector_core.store.sync_dynamodb import DynamoContractStore, DynamoRunState

    queue: PageQueue
    if settings.sync_queue_url:
        from openconnector_core.store.sync_sqs import SqsPageQueue

        queue = SqsPageQueue.for_queue(settings.sync_queue_url, settings.aws_region)
    else:
        from openconnector_core.sync.memory import LocalQueue

        queue = LocalQueue()
    return SyncRuntime(
        DynamoRunState(container.dynamodb, settings.logs_table),
        DynamoContractStore(container.dynamodb, settings.contracts_table),
        queue,
    )
