"""An in-memory container with one register and one schema."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.objects.service import ObjectStore

PET_SCHEMA: dict[str, Any] = {
    "title": "Pet",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name"],
}


@pytest.fixture
def container() -> Container:
    return Container.in_memory()


@pytest.fixture
def store(container: Container) -> ObjectStore:
    container.entities.create("schemas", dict(PET_SCHEMA))
    container.entities.create("registers", {"title": "Zoo", "schemas": ["pet"]})
    return container.objects
