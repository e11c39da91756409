"""An endpoint that serves the object store keeps the gateway's cold path light: no pydantic, no
entity models, no mapping engine (measured in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import json, sys
from openconnector_core.container import Container
from openconnector_core.store.memory import MemoryEntityStore

store = MemoryEntityStore()
pet_schema = {"id": "s1", "slug": "pet", "title": "Pet", "properties": {"name": {"type": "string"}}}
store.create("schemas", pet_schema)
store.create("registers", {"id": "r1", "slug": "zoo", "title": "Zoo", "schemas": ["pet"]})
endpoint = {"endpoint": "pets/{{id}}", "method": "GET", "targetType": "register/schema"}
endpoint["targetId"] = "zoo/pet"
store.create("endpoints", {"id": "e1", "slug": "pets", "name": "pets", "rules": [], **endpoint})
container = Container.in_memory()
container._entity_store = store
pet = container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
event = {"rawPath": "/api/endpoint/pets/" + pet, "headers": {"host": "x"},
         "requestContext": {"http": {"method": "GET"}, "requestId": "r"}}
answer = container.gateway.handle(event)
heavy = ("pydantic", "openconnector_core.entities.models", "openconnector_core.mapping.engine", "jinja2")
print(json.dumps({"status": answer["statusCode"], "loaded": sorted(n for n in heavy if n in sys.modules)}))
"""


def test_serving_an_object_loads_neither_pydantic_nor_the_mapping_engine() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"status": 200, "loaded": []}
