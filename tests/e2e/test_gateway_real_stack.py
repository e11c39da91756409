"""The gateway on the stack `make run` starts (the project's template.yaml, moto's DynamoDB, S3 and
Secrets Manager, the real handlers in their own workers): a proxy endpoint with an authentication
and a mapping rule against a real upstream, the object store through endpoints, files assembled
and served from the bucket, CORS and the limits."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from .conftest import REPO, RunningStack

pytestmark = pytest.mark.e2e


@pytest.fixture
def upstream() -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {"requests": []}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen["requests"].append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
            )
            payload = json.dumps(
                {"results": [{"name": "Rex", "kind": "dog"}, {"name": "Tom", "kind": "cat"}]}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield seen
    server.shutdown()


@pytest.fixture
def stack(make_stack, monkeypatch: pytest.MonkeyPatch) -> RunningStack:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    return make_stack(template=REPO / "template.yaml")


def _created(api: httpx.Client, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post(f"/api/{resource}", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_proxy_endpoint_with_authentication_and_mapping(
    stack: RunningStack, upstream: dict[str, Any]
) -> None:
    with stack.client() as api:
        source = _created(api, "sources", {"name": "Pets", "location": upstream["url"]})
        mapping = _created(api, "mappings", {"name": "Pet name", "mapping": {"title": "name"}})
        auth = _created(
            api,
            "rules",
            {
                "name": "key",
                "type": "authentication",
                "configuration": {"authentication": {"type": "apikey", "keys": {"k-1": "app"}}},
            },
        )
        shape = _created(
            api,
            "rules",
            {
                "name": "shape",
                "type": "mapping",
                "timing": "after",
                "action": "GET",
                "configuration": {"mapping": mapping["id"]},
            },
        )
        _created(
            api,
            "endpoints",
            {
                "name": "Pets",
                "endpoint": "pets",
                "method": "GET",
                "targetType": "api",
                "targetId": source["id"],
                "rules": [auth["id"], shape["id"]],
            },
        )
        refused = api.post("/api/rules", json={"name": "js", "type": "javascript"})
        assert refused.status_code == 400 and "not supported" in refused.text

    with httpx.Client(base_url=stack.url, timeout=20) as public:
        denied = public.get("/api/endpoint/pets")
        assert denied.status_code == 403
        assert denied.json()["detail"] == "forbidden"
        answer = public.get(
            "/api/endpoint/pets",
            params={"species": "all"},
            headers={"Authorization": "k-1", "Origin": "https://app.example"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"results": [{"title": "Rex"}, {"title": "Tom"}]}
        assert answer.headers["access-control-allow-origin"] == "https://app.example"
        assert upstream["requests"][-1]["path"] == "/pets?species=all"
        assert "Authorization" not in upstream["requests"][-1]["headers"]

        as_xml = public.get(
            "/api/endpoint/pets", headers={"Authorization": "k-1", "Accept": "application/xml"}
        )
        assert as_xml.headers["content-type"] == "application/xml" and "<title>Rex</title>" in as_xml.text

        preflight = public.options("/api/endpoint/pets", headers={"Origin": "https://app.example"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-methods"] == "PUT, POST, GET, DELETE, PATCH"

        missing = public.get("/api/endpoint/cats")
        assert missing.status_code == 404
        assert missing.json()["error"] == "No matching endpoint found for path and method: cats GET"


def test_objects_and_a_chunked_file_through_endpoints(stack: RunningStack) -> None:
    with stack.client() as api:
        _created(
            api, "schemas", {"title": "Pet", "properties": {"name": {"type": "string"}}, "required": ["name"]}
        )
        _created(
            api,
            "schemas",
            {
                "title": "Document",
                "properties": {
                    "filename": {"type": "string"},
                    "size": {"type": "integer"},
                    "fileParts": {"type": "array"},
                },
            },
        )
        _created(api, "schemas", {"title": "Part", "properties": {"order": {"type": "integer"}}})
        _created(api, "registers", {"title": "Zoo", "schemas": ["pet", "document", "part"]})
        for method in ("GET", "POST", "DELETE"):
            _created(
                api,
                "endpoints",
                {
                    "name": f"pets {method}",
                    "endpoint": "pets/{{id}}",
                    "method": method,
                    "targetType": "register/schema",
                    "targetId": "zoo/pet",
                },
            )
        setup = _created(
            api,
            "rules",
            {
                "name": "parts",
                "type": "fileparts_create",
                "timing": "after",
                "configuration": {"fileparts_create": {"sizeLocation": "body.size", "schemaId": "part"}},
            },
        )
        upload = _created(api, "rules", {"name": "upload", "type": "filepart_upload", "timing": "after"})
        download = _created(api, "rules", {"name": "download", "type": "download", "timing": "after"})
        _created(
            api,
            "endpoints",
            {
                "name": "documents",
                "endpoint": "documents",
                "method": "POST",
                "targetType": "register/schema",
                "targetId": "zoo/document",
                "rules": [setup["id"]],
            },
        )
        _created(
            api,
            "endpoints",
            {
                "name": "parts",
                "endpoint": "parts/{{id}}",
                "method": "PATCH",
                "targetType": "register/schema",
                "targetId": "zoo/part",
                "rules": [upload["id"]],
            },
        )
        _created(
            api,
            "endpoints",
            {
                "name": "file",
                "endpoint": "documents/{{id}}/file",
                "method": "GET",
                "targetType": "register/schema",
                "targetId": "zoo/document",
                "rules": [download["id"]],
            },
        )

    with httpx.Client(base_url=stack.url, timeout=60) as public:
        for name in ("Rex", "Tom", "Kit"):
            assert public.post("/api/endpoint/pets", json={"name": name}).status_code == 201
        invalid = public.post("/api/endpoint/pets", json={"age": 3})
        assert invalid.status_code == 400
        assert invalid.json()["invalidParams"][0]["property"] == "name"
        page = public.get("/api/endpoint/pets", params={"_limit": "2"}).json()
        assert page["count"] == 3 and len(page["results"]) == 2
        assert page["next"] == f"{stack.url}/api/endpoint/pets?_limit=2&page=2"
        second = public.get(page["next"]).json()
        assert [pet["name"] for pet in second["results"]] == ["Kit"]
        rex = page["results"][0]["id"]
        assert public.get(f"/api/endpoint/pets/{rex}").json()["name"] == "Rex"
        assert public.delete(f"/api/endpoint/pets/{rex}").status_code == 204
        assert public.get(f"/api/endpoint/pets/{rex}").status_code == 404

        content = bytes(range(256)) * (5 * 4096 + 7)  # ~5.2 MB: served by a presigned redirect
        document = public.post("/api/endpoint/documents", json={"filename": "big.bin", "size": len(content)})
        assert document.status_code == 201, document.text
        parts = document.json()["fileParts"]
        assert len(parts) == 6
        for part in parts:
            start = (part["order"] - 1) * 1_000_000
            chunk = base64.b64encode(content[start : start + part["size"]]).decode()
            stored = public.patch(f"/api/endpoint/parts/{part['id']}", json={"data": chunk})
            assert stored.status_code == 200, stored.text
        served = public.get(f"/api/endpoint/documents/{document.json()['id']}/file")
        assert served.status_code == 302
        fetched = httpx.get(served.headers["location"], timeout=60)
        assert fetched.status_code == 200, (served.headers["location"], fetched.text[:500])
        assert fetched.content == content

        too_big = public.post(
            "/api/endpoint/pets",
            content=b"x" * (6 * 1024 * 1024 + 10),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert too_big.status_code == 413


def test_jwt_and_basic_against_consumers_whose_credentials_live_in_secrets_manager(
    stack: RunningStack,
) -> None:
    import time

    import jwt

    secret = "consumer-shared-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
    with stack.client() as api:
        _created(
            api,
            "consumers",
            {
                "name": "partner",
                "userId": "p-1",
                "authorizationConfiguration": {"publicKey": secret, "audience": "gw"},
            },
        )
        _created(
            api,
            "consumers",
            {"name": "ann", "authorizationConfiguration": {"username": "ann", "password": "s3cret-pass"}},
        )
        listed = api.get("/api/consumers").text
        assert secret not in listed and "s3cret-pass" not in listed
        jwt_rule = _created(
            api,
            "rules",
            {"name": "jwt", "type": "authentication", "configuration": {"authentication": {"type": "jwt"}}},
        )
        basic_rule = _created(
            api,
            "rules",
            {
                "name": "basic",
                "type": "authentication",
                "configuration": {"authentication": {"type": "basic"}},
            },
        )
        welcome = _created(
            api,
            "rules",
            {
                "name": "welcome",
                "type": "error",
                "order": 9,
                "configuration": {"error": {"code": 200, "name": "welcome"}},
            },
        )
        _created(
            api,
            "endpoints",
            {
                "name": "jwt",
                "endpoint": "jwt-only",
                "method": "GET",
                "rules": [jwt_rule["id"], welcome["id"]],
            },
        )
        _created(
            api,
            "endpoints",
            {
                "name": "basic",
                "endpoint": "basic-only",
                "method": "GET",
                "rules": [basic_rule["id"], welcome["id"]],
            },
        )

    now = int(time.time())
    good = jwt.encode({"iss": "partner", "aud": "gw", "iat": now, "exp": now + 60}, secret, algorithm="HS512")
    forged = jwt.encode(
        {"iss": "partner", "aud": "gw", "iat": now, "exp": now + 60}, "guess" * 16, algorithm="HS512"
    )
    with httpx.Client(base_url=stack.url, timeout=20) as public:
        assert (
            public.get("/api/endpoint/jwt-only", headers={"Authorization": f"Bearer {good}"}).status_code
            == 200
        )
        refused = public.get("/api/endpoint/jwt-only", headers={"Authorization": f"Bearer {forged}"})
        assert refused.status_code == 401 and refused.json()["detail"] == "The token could not be validated"
        assert public.get("/api/endpoint/basic-only", auth=("ann", "s3cret-pass")).status_code == 200
        assert public.get("/api/endpoint/basic-only", auth=("ann", "wrong")).status_code == 401


def test_an_edited_rule_answers_at_once_on_the_local_stack(stack: RunningStack) -> None:
    with stack.client() as api:
        rule = _created(
            api,
            "rules",
            {"name": "say", "type": "error", "configuration": {"error": {"code": 200, "name": "v1"}}},
        )
        _created(api, "endpoints", {"name": "say", "endpoint": "say", "method": "GET", "rules": [rule["id"]]})
        with httpx.Client(base_url=stack.url, timeout=20) as public:
            assert public.get("/api/endpoint/say").json()["error"] == "v1"
            changed = api.put(
                f"/api/rules/{rule['id']}", json={"configuration": {"error": {"code": 200, "name": "v2"}}}
            )
            assert changed.status_code == 200, changed.text
            assert public.get("/api/endpoint/say").json()["error"] == "v2"
