"""The object store over the stack `make run` starts (project template.yaml, moto DynamoDB and S3)."""

from __future__ import annotations

import concurrent.futures
import json
import re
import signal
import subprocess
import sys
from typing import Any

import boto3
import pytest

from openconnector_local.auth import read_emulator_key

from .conftest import REPO, TOKEN, RunningStack

pytestmark = pytest.mark.e2e

PET: dict[str, Any] = {
    "title": "Pet",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
    "required": ["name"],
}


@pytest.fixture
def stack(make_stack) -> RunningStack:  # type: ignore[no-untyped-def]
    return make_stack(template=REPO / "template.yaml")


def emulator(stack: RunningStack, service: str) -> Any:
    found = re.search(r"AWS emulator: (http://127\.0\.0\.1:\d+)", stack.output)
    assert found, stack.output
    session = boto3.Session(
        aws_access_key_id=read_emulator_key(stack.state_dir),  # the stack's per-start key
        aws_secret_access_key="testing",
        region_name="eu-west-1",
    )
    return session.client(service, endpoint_url=found.group(1))


def test_registers_schemas_and_objects_over_the_stack(stack: RunningStack, make_stack) -> None:  # type: ignore[no-untyped-def]
    with stack.client() as api:
        assert api.post("/api/schemas", json={"title": "Bad", "type": "objekt"}).status_code == 400
        assert api.post("/api/schemas", json=PET).status_code == 201
        register = api.post("/api/registers", json={"title": "Zoo", "schemas": ["pet"]})
        assert register.status_code == 201 and register.json()["slug"] == "zoo"
        assert api.post("/api/registers", json={"title": "Zoo"}).json()["slug"] == "zoo-2"

        refused = api.post("/api/objects/zoo/pet", json={"email": "nope"})
        assert refused.status_code == 400
        assert {e["property"] for e in refused.json()["errors"]} == {"name", "email"}
        assert api.post("/api/objects/zoo/pet", content=b"[1]").status_code == 400
        assert "register 'nope'" in api.get("/api/objects/nope/pet").json()["message"]
        assert "schema 'nope'" in api.get("/api/objects/zoo/nope").json()["message"]

        rex = api.post("/api/objects/zoo/pet", json={"name": "Rex", "address": {"city": "Utrecht"}})
        assert rex.status_code == 201 and rex.headers["ETag"] == '"1"'
        object_id = rex.json()["id"]
        api.post("/api/objects/zoo/pet", json={"name": "Tom", "address": {"city": "Delft"}})
        listed = api.get("/api/objects/zoo/pet", params={"address.city": "Utrecht"}).json()
        assert [item["name"] for item in listed["results"]] == ["Rex"]
        item = f"/api/objects/zoo/pet/{object_id}"
        assert api.patch(item, json={"name": "Max"}, headers={"If-Match": '"1"'}).status_code == 200
        assert api.put(item, json={"name": "Old"}, headers={"If-Match": '"1"'}).status_code == 412
        trail = api.get(f"{item}/audit-trail").json()["results"]
        assert [(entry["action"], entry["actor"]) for entry in trail] == [
            ("updated", "local-admin"),
            ("created", "local-admin"),
        ]
        assert api.delete("/api/schemas/pet").status_code == 409

    # The CLI prints the objects as a table.
    printed = subprocess.run(
        [sys.executable, "-m", "openconnector_local.cli", "objects", "list", "zoo/pet", "--url", stack.url,
         "--token", TOKEN, "--filter", "address.city=Delft"],
        capture_output=True, text=True, cwd=REPO, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "Tom" in printed and "Max" not in printed and printed.splitlines()[0].split()[:2] == ["id", "name"]

    # Objects survive a restart.
    assert stack.stop(signal.SIGTERM) == 0
    again = make_stack(template=REPO / "template.yaml", state_dir=stack.state_dir)
    with again.client() as api:
        assert api.get(f"/api/objects/zoo/pet/{object_id}").json()["name"] == "Max"


@pytest.mark.parametrize("size", [401 * 1024, 5 * 1024 * 1024])
def test_large_objects_round_trip_byte_identical(stack: RunningStack, size: int) -> None:
    with stack.client() as api:
        assert api.post("/api/schemas", json=PET).status_code == 201
        assert api.post("/api/registers", json={"title": "Zoo"}).status_code == 201
        sent = {"name": "Big", "blob": "x" * size, "nested": {"list": list(range(50)), "text": "é ü"}}
        created = api.post("/api/objects/zoo/pet", json=sent)
        assert created.status_code == 201, created.text[:500]
        body = created.json()
        read = api.get(f"/api/objects/zoo/pet/{body['id']}")
        assert read.status_code == 200
        assert read.content == created.content
        got = read.json()
        assert json.dumps({key: got[key] for key in sent}) == json.dumps(sent)
        assert set(got) == {"id", "@self", *sent}
        listed = api.get("/api/objects/zoo/pet").json()["results"]
        assert listed == [body]
    objects_table = [
        name for name in emulator(stack, "dynamodb").list_tables()["TableNames"] if "Objects" in name
    ]
    (raw,) = emulator(stack, "dynamodb").scan(TableName=objects_table[0])["Items"]
    assert "doc" not in raw and "bodyKey" in raw  # the body lives in the files bucket


def test_a_schema_delete_racing_writes_never_orphans_an_object(stack: RunningStack) -> None:
    """Writes and a delete in separate worker processes (ADR 0195): an object answered 201 is readable
    afterwards, and a schema that was deleted keeps nothing in the objects table."""
    objects_table = emulator(stack, "dynamodb")
    table = next(name for name in objects_table.list_tables()["TableNames"] if "Objects" in name)
    with stack.client() as api:
        for round_no in range(12):
            schema = api.post("/api/schemas", json={**PET, "slug": f"race-{round_no}"}).json()
            api.post("/api/registers", json={"title": f"Race {round_no}", "schemas": [schema["id"]]})
            collection = f"/api/objects/race-{round_no}/race-{round_no}"
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                deleting = pool.submit(api.delete, f"/api/schemas/{schema['id']}")
                writes = [pool.submit(api.post, collection, json={"name": f"Pet {n}"}) for n in range(3)]
            deleted = deleting.result().status_code
            answers = [write.result() for write in writes]
            assert deleted in (204, 409), deleting.result().text
            for answer in answers:
                if answer.status_code != 201:
                    assert answer.status_code in (404, 409) and f"race-{round_no}" in answer.json()["message"]
            stored = objects_table.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": schema["id"]}},
                ConsistentRead=True,
            )["Items"]
            if deleted == 204:
                assert [answer.status_code for answer in answers if answer.status_code == 201] == []
                assert stored == []
            else:
                for answer in answers:
                    if answer.status_code == 201:
                        assert api.get(f"{collection}/{answer.json()['id']}").status_code == 200
