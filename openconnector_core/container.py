"""The composition root: one per execution environment, built lazily and cached.

Handlers call :func:`get_container`; tests swap in :meth:`Container.in_memory` with
:func:`set_container`. AWS clients, the HTTP client and the engines are created once per container,
never per request, and only when first used (cold start).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from openconnector_core.settings import Settings, get_settings

if TYPE_CHECKING:
    import httpx
    from mypy_boto3_dynamodb import DynamoDBClient

    from openconnector_core.entities.service import EntityService
    from openconnector_core.events.service import EventService
    from openconnector_core.events.transport import EventBus, TaskQueue
    from openconnector_core.gateway.cache import GatewayCache
    from openconnector_core.gateway.files import FileStore
    from openconnector_core.gateway.service import Gateway
    from openconnector_core.mapping import MappingEngine
    from openconnector_core.objects.service import ObjectStore
    from openconnector_core.objects.storage import ObjectStorage
    from openconnector_core.retention import GlobalSettings
    from openconnector_core.sources import CallEngine
    from openconnector_core.sources.call_logs import CallLogQuery
    from openconnector_core.store.ports import EntityStore, LogStore, SecretStore


class Container:
    """Wires ports to adapters. Adapters are injected for tests; otherwise AWS ones are built."""

    def __init__(
        self,
        settings: Settings,
        *,
        entity_store: EntityStore | None = None,
        contract_store: EntityStore | None = None,
        log_store: LogStore | None = None,
        secret_store: SecretStore | None = None,
        http_transport: httpx.BaseTransport | None = None,
        event_bus: EventBus | None = None,
        event_queue: TaskQueue | None = None,
        file_store: FileStore | None = None,
        object_storage: ObjectStorage | None = None,
    ) -> None:
        self.settings = settings
        self._event_bus = event_bus
        self._event_queue = event_queue
        self._entity_store = entity_store
        self._contract_store = contract_store
        self._log_store = log_store
        self._secret_store = secret_store
        self._http_transport = http_transport
        self._file_store = file_store
        self._object_storage = object_storage

    @classmethod
    def in_memory(
        cls,
        settings: Settings | None = None,
        *,
        http_transport: httpx.BaseTransport | None = None,
        event_bus: EventBus | None = None,
    ) -> Container:
        """In-memory stores. Events are published only to an ``event_bus`` passed in (e.g. an
        ``InlineBus`` that dispatches in-process); push deliveries run in-process."""
        from openconnector_core.events.transport import InlineQueue
        from openconnector_core.gateway.files import MemoryFileStore
        from openconnector_core.store.memory import MemoryEntityStore, MemoryLogStore, MemorySecretStore
        from openconnector_core.store.objects_memory import MemoryObjectStorage

        return cls(
            settings or Settings(),
            entity_store=MemoryEntityStore(),
            contract_store=MemoryEntityStore(),
            log_store=MemoryLogStore(),
            secret_store=MemorySecretStore(),
            http_transport=http_transport,
            event_bus=event_bus,
            event_queue=InlineQueue(),
            file_store=MemoryFileStore(),
            object_storage=MemoryObjectStorage(),
        )

    # ------------------------------------------------------------------ AWS adapters
    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        import boto3

        return boto3.client("dynamodb", region_name=self.settings.aws_region)

    @cached_property
    def entity_store(self) -> EntityStore:
        if self._entity_store is not None:
            return self._entity_store
        from openconnector_core.store.dynamodb import DynamoEntityStore

        return DynamoEntityStore(self.dynamodb, self.settings.entities_table)

    @cached_property
    def contract_store(self) -> EntityStore:
        if self._contract_store is not None:
            return self._contract_store
        from openconnector_core.store.dynamodb import DynamoEntityStore

        return DynamoEntityStore(self.dynamodb, self.settings.contracts_table)

    @cached_property
    def logs(self) -> LogStore:
        if self._log_store is not None:
            return self._log_store
        from openconnector_core.store.dynamodb import DynamoLogStore

        return DynamoLogStore(self.dynamodb, self.settings.logs_table)

    @cached_property
    def secrets(self) -> SecretStore:
        if self._secret_store is not None:
            return self._secret_store
        import boto3

        from openconnector_core.store.secrets_manager import SecretsManagerStore

        client = boto3.client("secretsmanager", region_name=self.settings.aws_region)
        return SecretsManagerStore(client, self.settings.secrets_prefix)

    @cached_property
    def files(self) -> FileStore:
        """The files bucket (downloads, written files, chunked uploads)."""
        if self._file_store is not None:
            return self._file_store
        import boto3
        from botocore.config import Config

        from openconnector_core.store.s3_files import S3FileStore

        # Signature V4 for presigned download URLs too (boto3 may otherwise presign with V2).
        config = Config(signature_version="s3v4")
        client = boto3.client("s3", region_name=self.settings.aws_region, config=config)
        return S3FileStore(client, self.settings.files_bucket)

    @cached_property
    def object_storage(self) -> ObjectStorage:
        if self._object_storage is not None:
            return self._object_storage
        import boto3

        from openconnector_core.store.objects_dynamodb import DynamoObjectStorage

        s3 = boto3.client("s3", region_name=self.settings.aws_region)
        return DynamoObjectStorage(
            self.dynamodb, self.settings.objects_table, s3=s3, bucket=self.settings.files_bucket
        )

    # ------------------------------------------------------------------ services and engines
    @cached_property
    def configuration(self) -> GatewayCache:
        """Endpoints, rules, mappings and consumers as this container serves them, re-read when the
        version item changes (docs/adr/0210): the gateway's and ``executeMapping``'s view."""
        from openconnector_core.gateway.cache import GatewayCache

        return GatewayCache(
            self.entity_store,
            # The entity service (and pydantic with it) loads only when a consumer's secret is needed.
            reveal=lambda resource, key: self.entities.reveal(resource, key),
            check_every=self.settings.gateway_cache_seconds,
        )

    @cached_property
    def gateway(self) -> Gateway:
        from openconnector_core.gateway.service import Gateway

        return Gateway(self)

    @cached_property
    def entities(self) -> EntityService:
        from functools import partial

        from openconnector_core.entities.service import EntityService
        from openconnector_core.gateway.cache import bump_version

        return EntityService(
            self.entity_store,
            self.secrets,
            contracts=self.contract_store,
            logs=self.logs,
            on_write=partial(bump_version, self.entity_store),
        )

    @cached_property
    def objects(self) -> ObjectStore:
        """The object store (registers/schemas/objects): ``ObjectService`` of ``objects.ports``."""
        from openconnector_core.events.objects import ObjectEventPublisher
        from openconnector_core.objects.audit import AuditTrail
        from openconnector_core.objects.service import ObjectStore

        store = ObjectStore(self.entity_store, self.object_storage, AuditTrail(self.logs))
        if self._event_bus is not None or self.settings.event_bus_name:  # else no event is built at all
            store.subscribe(ObjectEventPublisher(lambda events: self.events.publish_many(events)))
        return store

    @cached_property
    def call_engine(self) -> CallEngine:
        from openconnector_core.sources import CallEngine

        return CallEngine(
            self.entities,
            self.logs,
            self.settings,
            transport=self._http_transport,
            retention=self.global_settings.retention,
        )

    @cached_property
    def global_settings(self) -> GlobalSettings:
        from openconnector_core.retention import GlobalSettings

        return GlobalSettings(self.entity_store)

    @cached_property
    def call_logs(self) -> CallLogQuery:
        from openconnector_core.sources.call_logs import CallLogQuery

        return CallLogQuery(self.logs)

    @cached_property
    def mapping_engine(self) -> MappingEngine:
        from openconnector_core.mapping import MappingEngine

        return MappingEngine(
            resolver=self._resolve_mapping,
            functions={"callSource": self.call_engine.call_source_function},
        )

    @cached_property
    def events(self) -> EventService:
        """CloudEvents over the EventBridge bus and the EventQueue. Without ``EVENT_BUS_NAME`` (or an
        injected bus) nothing is published; without ``EVENT_QUEUE_URL`` push deliveries run in-process."""
        from openconnector_core.events.service import EventService
        from openconnector_core.events.transport import EventBridgeBus, InlineQueue, NoBus, SqsTaskQueue

        bus, queue = self._event_bus, self._event_queue
        if bus is None and self.settings.event_bus_name:
            import boto3

            client = boto3.client("events", region_name=self.settings.aws_region)
            bus = EventBridgeBus(client, self.settings.event_bus_name)
        if queue is None and self.settings.event_queue_url:
            import boto3

            sqs = boto3.client("sqs", region_name=self.settings.aws_region)
            queue = SqsTaskQueue(sqs, self.settings.event_queue_url)
        return EventService(self, bus or NoBus(), queue or InlineQueue())

    def _resolve_mapping(self, ref: str) -> dict[str, Any] | None:
        # executeMapping's references: one store read per mapping and configuration version, not one
        # per reference and mapping run (a synchronization maps thousands of records with them)
        return self.configuration.mapping(ref)


_container: Container | None = None


def get_container() -> Container:
    global _container
    if _container is None:
        _container = Container(get_settings())
    return _container


def set_container(container: Container | None) -> None:
    """The seam for tests (``None`` resets to lazily building the real one)."""
    global _container
    _container = container
