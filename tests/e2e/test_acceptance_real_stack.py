"""Acceptance of the foundation, mappings and sources issues on the stack `make run` starts:
the project's template.yaml, moto-backed DynamoDB and Secrets Manager, the real handlers."""

from __future__ import annotations

import json
import re
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from openconnector_local.auth import read_emulator_key

from .conftest import REPO, RunningStack

pytestmark = pytest.mark.e2e

# Resources with the smallest valid body each (events need a type and a source, as CloudEvents do).
BODIES: dict[str, dict[str, Any]] = {
    "sources": {"name": "Pet Store", "location": "https://petstore.example"},
    "endpoints": {"name": "Pets", "endpoint": "api/pets/{{id}}", "method": "GET"},
    "mappings": {"name": "Pet to animal", "mapping": {"kind": "species"}},
    "rules": {"name": "Check auth", "type": "authentication"},
    "synchronizations": {"name": "Pets sync", "sourceType": "api"},
    "jobs": {"name": "Nightly pets"},
    "consumers": {"name": "Reporting app"},
    "events": {"source": "/pets", "type": "pet.created"},
    "event-subscriptions": {"source": "/pets", "sink": "https://hooks.example/pets"},
    "configurations": {"name": "Pets bundle"},
}
PASSWORD = "correct-horse-battery-staple"
API_KEY = "key-2f1c0a9b7e"


@pytest.fixture
def stack(make_stack, tmp_path: Path) -> RunningStack:  # type: ignore[no-untyped-def]
    return make_stack(template=REPO / "template.yaml")


@pytest.fixture
def peer() -> Iterator[dict[str, Any]]:
    """A real HTTP server on 127.0.0.1 that records what it was sent."""
    seen: dict[str, Any] = {"requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen["requests"].append({"path": self.path, "headers": dict(self.headers.items())})
            body = json.dumps({"pets": [{"name": "Rex"}], "path": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield seen
    server.shutdown()


def emulator_url(stack: RunningStack) -> str:
    found = re.search(r"AWS emulator: (http://127\.0\.0\.1:\d+)", stack.output)
    assert found, stack.output
    return found.group(1)


def test_every_resource_through_the_real_stack(stack: RunningStack) -> None:
    with stack.client() as api:
        for resource, body in BODIES.items():
            # Create: 201 with a generated id (and slug, where the resource has one)
            created = api.post(f"/api/{resource}", json=body)
            assert created.status_code == 201, f"{resource}: {created.text}"
            item = created.json()
            assert re.fullmatch(r"[0-9a-f-]{36}", item["id"])
            keys = [item["id"], item["uuid"]] + ([item["slug"]] if item.get("slug") else [])
            if resource not in ("events",):
                assert item.get("slug"), resource
            # Get by id, uuid and slug
            for key in keys:
                got = api.get(f"/api/{resource}/{key}")
                assert got.status_code == 200 and got.json()["id"] == item["id"], (resource, key)
            etag = got.headers["ETag"]
            # List, search and filter
            assert item["id"] in [i["id"] for i in api.get(f"/api/{resource}").json()["results"]]
            if "name" in body:
                term = body["name"].split()[-1].upper()
                found = api.get(f"/api/{resource}", params={"_search": term}).json()["results"]
                assert [i["id"] for i in found] == [item["id"]], resource
                none = api.get(f"/api/{resource}", params={"name": "no such name"}).json()["results"]
                assert none == [], resource
            # Update bumps the version; a stale If-Match is refused with nothing changed
            changed = api.put(f"/api/{resource}/{item['id']}", json={"description": "changed"})
            assert changed.status_code == 200, f"{resource}: {changed.text}"
            if "version" in item:
                assert changed.json()["version"] == "0.0.2", resource
            stale = api.put(
                f"/api/{resource}/{item['id']}", json={"description": "lost"}, headers={"If-Match": etag}
            )
            assert stale.status_code == 412, resource
            assert api.get(f"/api/{resource}/{item['id']}").json()["description"] == "changed"
            # Unknown field: 400 naming it
            unknown = api.post(f"/api/{resource}", json={**body, "colour": "blue"})
            assert unknown.status_code == 400 and "colour" in unknown.text, resource
            # Delete: 204, then 404
            assert api.delete(f"/api/{resource}/{item['id']}").status_code == 204
            assert api.get(f"/api/{resource}/{item['id']}").status_code == 404
        # Duplicate slug: 409
        assert api.post("/api/mappings", json={**BODIES["mappings"], "slug": "pets"}).status_code == 201
        assert api.post("/api/mappings", json={**BODIES["mappings"], "slug": "pets"}).status_code == 409
    # Without the token: 401
    assert httpx.get(f"{stack.url}/api/mappings", timeout=10).status_code == 401


def test_secrets_are_masked_kept_out_of_dynamodb_and_survive_a_restart(make_stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(template=REPO / "template.yaml")
    with stack.client() as api:
        created = api.post(
            "/api/sources",
            json={
                "name": "Secured",
                "location": "https://secured.example",
                "password": PASSWORD,
                "configuration": {"headers.X-Api-Key": API_KEY, "headers.Accept": "application/json"},
            },
        )
        assert created.status_code == 201, created.text
        source = created.json()
        assert source["password"] == "********"
        assert source["configuration"]["headers.X-Api-Key"] == "********"
        assert PASSWORD not in created.text and API_KEY not in created.text

    # No DynamoDB item holds the secret; Secrets Manager does.
    session = boto3.Session(
        aws_access_key_id=read_emulator_key(stack.state_dir),
        aws_secret_access_key="testing",
        region_name="eu-west-1",
    )
    dynamodb = session.client("dynamodb", endpoint_url=emulator_url(stack))
    for table in dynamodb.list_tables()["TableNames"]:
        items = json.dumps(dynamodb.scan(TableName=table)["Items"])
        assert PASSWORD not in items and API_KEY not in items, table
    secrets = session.client("secretsmanager", endpoint_url=emulator_url(stack))
    stored = [
        secrets.get_secret_value(SecretId=s["ARN"])["SecretString"]
        for s in secrets.list_secrets()["SecretList"]
    ]
    assert any(PASSWORD in value for value in stored)

    # Stop and start again: everything is still there, still masked.
    assert stack.stop(signal.SIGTERM) == 0
    again = make_stack(template=REPO / "template.yaml", state_dir=stack.state_dir)
    with again.client() as api:
        kept = api.get(f"/api/sources/{source['slug']}")
        assert kept.status_code == 200 and kept.json()["password"] == "********"
    assert PASSWORD not in again.output and API_KEY not in again.output


def test_a_thousand_entities_page_by_page(stack: RunningStack) -> None:
    with stack.client() as api:
        ids = set()
        for number in range(1000):
            response = api.post("/api/rules", json={"name": f"rule {number}", "type": "error"})
            assert response.status_code == 201, response.text
            ids.add(response.json()["id"])
        seen: list[str] = []
        token = None
        while True:
            params = {"_limit": "37", **({"_next": token} if token else {})}
            page = api.get("/api/rules", params=params).json()
            seen += [item["id"] for item in page["results"]]
            token = page["next"]
            if not token:
                break
    assert len(seen) == len(set(seen)) == 1000
    assert set(seen) == ids


def test_sources_and_callsource_reach_a_real_server_without_leaking_secrets(
    make_stack, peer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    stack = make_stack(template=REPO / "template.yaml")
    with stack.client() as api:
        source = api.post(
            "/api/sources",
            json={
                "name": "Peer",
                "location": peer["url"],
                "configuration": {"headers.X-Api-Key": API_KEY},
            },
        ).json()

        # One call through the source test route: 200 with the call log, secrets redacted
        tested = api.post(f"/api/sources/{source['id']}/test", json={"endpoint": "/pets"})
        assert tested.status_code == 200, tested.text
        log = tested.json()
        assert log["statusCode"] == 200
        assert log["response"]["statusCode"] == 200 and "Rex" in log["response"]["body"]
        assert peer["requests"][-1]["headers"]["X-Api-Key"] == API_KEY  # the server did get the key

        # callSource inside a mapping goes through the same engine
        mapped = api.post(
            "/api/mappings/test",
            json={
                "inputObject": {"sourceId": source["id"]},
                "mapping": {
                    "mapping": {"pets": "{{ callSource(sourceId, '/pets') }}"},
                    "cast": {"pets": "jsonToArray"},
                },
            },
        )
        assert mapped.status_code == 200, mapped.text
        assert mapped.json()["resultObject"]["pets"]["pets"] == [{"name": "Rex"}]

        # Both calls are in the call logs; no secret anywhere
        logs = api.get("/api/call-logs", params={"sourceId": source["id"]})
        assert logs.status_code == 200
        assert len(logs.json()["results"]) == 2
        for text in (tested.text, mapped.text, logs.text):
            assert API_KEY not in text
    assert API_KEY not in stack.output


def test_the_ssrf_guard_is_on_by_default(
    make_stack, peer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENCONNECTOR_OUTBOUND_ALLOW", raising=False)
    stack = make_stack(template=REPO / "template.yaml")
    with stack.client() as api:
        source = api.post("/api/sources", json={"name": "Internal", "location": peer["url"]}).json()
        tested = api.post(f"/api/sources/{source['id']}/test", json={"endpoint": "/pets"})
    assert tested.status_code == 200
    assert tested.json()["statusCode"] == 403
    assert peer["requests"] == []
