"""Fixtures: a real paginated API on 127.0.0.1, a container on memory stores (or on moto's DynamoDB)
whose call engine may reach it, and helpers that create sources, a register/schema and synchronizations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from openconnector_core.container import Container
from openconnector_core.settings import Settings
from tests.support.paginated_api import PaginatedApi

ALLOW = {"OPENCONNECTOR_OUTBOUND_ALLOW": "127.0.0.1/32"}
FAST_RETRY = {"retry": {"attempts": 3, "baseDelay": 0.01, "maxDelay": 0.05}}


@pytest.fixture
def api() -> Iterator[PaginatedApi]:
    server = PaginatedApi(records=25, page_size=10).start()
    yield server
    server.stop()


@pytest.fixture
def container() -> Container:
    return Container.in_memory(Settings.from_environ(ALLOW))


@pytest.fixture
def dynamo_container(tables: dict[str, str]) -> Container:
    """The DynamoDB adapters on moto (tables from template.yaml); pages run in this process."""
    settings = Settings.from_environ(
        {
            **ALLOW,
            "ENTITIES_TABLE": tables["EntitiesTable"],
            "CONTRACTS_TABLE": tables["ContractsTable"],
            "LOGS_TABLE": tables["LogsTable"],
            "OBJECTS_TABLE": tables["ObjectsTable"],
            "FILES_BUCKET": "test-files",
            "AWS_REGION": "eu-west-1",
        }
    )
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="test-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return Container(settings)


class Setup:
    def __init__(self, container: Container, api: PaginatedApi) -> None:
        self.container = container
        self.api = api
        self.source = container.entities.create(
            "sources", {"name": "Records API", "location": api.url, "configuration": FAST_RETRY}
        ).item
        self.register = container.entities.create("registers", {"name": "Registry", "slug": "registry"}).item
        self.schema = container.entities.create(
            "schemas",
            {
                "name": "Record",
                "slug": "record",
                "properties": {"name": {"type": "string"}, "value": {"type": "integer"}},
            },
        ).item

    def sync(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": f"sync {fields.get('name', '')}",
            "sourceType": "api",
            "sourceId": self.source["id"],
            "sourceConfig": {"endpoint": "/original"},
            "targetType": "register/schema",
            "targetId": "registry/record",
            **fields,
        }
        return self.container.entities.create("synchronizations", body).item

    def api_target(self, **fields: Any) -> dict[str, Any]:
        defaults = {
            "targetType": "api",
            "targetId": self.source["id"],
            "targetConfig": {"endpoint": "/target"},
        }
        return self.sync(**{**defaults, **fields})

    def stored(self) -> list[dict[str, Any]]:
        return list(self.container.objects.list("registry/record", limit=500).items)

    def contracts(self, sync: dict[str, Any]) -> list[dict[str, Any]]:
        return self.container.entities.list(
            "synchronization-contracts", {"synchronizationId": sync["id"], "_limit": "500"}
        ).items


@pytest.fixture
def setup(container: Container, api: PaginatedApi) -> Setup:
    return Setup(container, api)


@pytest.fixture
def make_setup(api: PaginatedApi) -> Callable[[Container], Setup]:
    return lambda container: Setup(container, api)
