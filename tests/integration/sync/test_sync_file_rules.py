"""File rules in synchronizations (§5.11): ``fetch_file`` through a real file server on 127.0.0.1
(Content-Disposition, Content-Type, JSON with base64, base64 text, raw bytes) and ``write_file``, in
real synchronization runs on the in-memory stores."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.gateway.files import object_folder
from openconnector_core.settings import Settings
from openconnector_core.sync.runs import start_run
from tests.integration.sync.conftest import ALLOW, FAST_RETRY

SECRET = "s3cret-token-value"
PDF = b"%PDF-1.4\n\x00\xff\xfe binary"
PNG = b"\x89PNG\r\n\x1a\n\x00\x01"
LOGO = bytes(range(48))


class FileServer:
    """``/records`` lists ``records``; ``/files/...`` serves files in every shape fetch_file reads.
    Requests without the source's API key get 401."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server.paths.append(self.path)
                if self.headers.get("X-Api-Key") != SECRET:
                    return self._send(401, b"{}", "application/json")
                path = self.path.split("?")[0]
                if path == "/records":
                    return self._send(200, json.dumps(server.records).encode(), "application/json")
                if path == "/files/disposition":
                    return self._send(200, PDF, "application/pdf", 'attachment; filename="report.pdf"')
                if path == "/files/typed/photo":
                    return self._send(200, PNG, "image/png")
                if path == "/files/raw/notes.txt":
                    return self._send(200, b"plain notes!", "text/plain; charset=utf-8")
                if path == "/files/b64":
                    return self._send(200, base64.b64encode(LOGO), "text/plain")
                if path == "/files/json":
                    body = {"file": {"content": base64.b64encode(b"from json").decode()}, "title": "x"}
                    return self._send(200, json.dumps(body).encode(), "application/json")
                if path.startswith("/files/named/"):
                    name = path.rsplit("/", 1)[-1]
                    return self._send(200, name.encode(), "text/plain", f'attachment; filename="{name}"')
                return self._send(404, b"not here", "text/plain")

            def _send(self, status: int, body: bytes, kind: str, disposition: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if disposition:
                    self.send_header("Content-Disposition", disposition)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FileServer]:
    running = FileServer()
    yield running
    running.stop()


class Hub:
    def __init__(self, server: FileServer) -> None:
        self.server = server
        self.container = Container.in_memory(Settings.from_environ(ALLOW))
        entities = self.container.entities
        configuration = {**FAST_RETRY, "headers": {"X-Api-Key": SECRET}}
        self.source = entities.create(
            "sources", {"name": "Files API", "location": server.url, "configuration": configuration}
        ).item
        entities.create("registers", {"name": "Registry", "slug": "registry"})
        entities.create("schemas", {"name": "Record", "slug": "record"})

    def sync(self, *rules: dict[str, Any]) -> dict[str, Any]:
        ids = [
            self.container.entities.create(
                "rules", {"name": f"rule {n}", "timing": "after", "order": n, **rule}
            ).item["id"]
            for n, rule in enumerate(rules)
        ]
        return self.container.entities.create(
            "synchronizations",
            {
                "name": "files",
                "sourceType": "api",
                "sourceId": self.source["id"],
                "sourceConfig": {"endpoint": "/records", "resultsPosition": "_root"},
                "targetType": "register/schema",
                "targetId": "registry/record",
                "actions": ids,
            },
        ).item

    def fetch_rule(self, **config: Any) -> dict[str, Any]:
        fetch = {"source": self.source["id"], **config}
        return {"type": "fetch_file", "configuration": {"fetch_file": fetch}}

    def files(self, origin: str) -> dict[str, tuple[bytes, str, dict[str, str]]]:
        store = self.container.files
        found = {}
        for info in store.list(object_folder(self.object_id(origin))):
            head = store.head(info.key)
            assert head is not None
            found[info.name] = (store.get(info.key), head.content_type, dict(head.metadata))
        return found

    def stored(self) -> list[dict[str, Any]]:
        return list(self.container.objects.list("registry/record", limit=100).items)

    def object_id(self, origin: str) -> str:
        return str(next(o["id"] for o in self.stored() if o["ref"] == origin))


@pytest.fixture
def hub(server: FileServer) -> Hub:
    return Hub(server)


def test_fetch_file_names_bodies_and_tags(hub: Hub) -> None:
    hub.server.records = [
        {
            "id": "1",
            "ref": "1",
            "docs": [
                {"endpoint": "/files/disposition", "labels": ["Public", "Report", "Public"], "published": 1},
                {"endpoint": f"{hub.server.url}/files/typed/photo", "tag": "Photo"},  # absolute → relative
                "/files/raw/notes.txt",
                {"endpoint": "/files/b64", "filename": "logo.bin", "published": "2024-05-01T10:00:00Z"},
            ],
        }
    ]
    sync = hub.sync(hub.fetch_rule(filePath="docs", allowedLabels=["Public", "Photo"]))
    log = start_run(hub.container, sync["id"])
    assert log["status"] == "success", log["message"]
    assert log["result"]["objects"]["created"] == 1 and "ruleErrors" not in log["result"]
    files = hub.files("1")
    assert files["report.pdf"] == (PDF, "application/pdf", {"tags": "Public", "published": "true"})
    assert files["photo.png"] == (PNG, "image/png", {"tags": "Photo"})
    assert files["notes.txt"][:2] == (b"plain notes!", "text/plain")
    assert files["logo.bin"][0] == LOGO  # strict base64 body decoded
    assert files["logo.bin"][2] == {"published": "2024-05-01T10:00:00+00:00"}
    assert set(files) == {"report.pdf", "photo.png", "notes.txt", "logo.bin"}
    assert "/files/typed/photo" in hub.server.paths  # called through the source, relative
    # the stored object keeps the file references: after-rules' results are discarded (§5.5 k)
    assert {o["ref"]: o for o in hub.stored()}["1"]["docs"][2] == "/files/raw/notes.txt"


def test_fetch_file_json_content_path_filename_path_and_extension(hub: Hub) -> None:
    hub.server.records = [{"id": "1", "ref": "1", "doc": "/files/json", "title": "summary"}]
    rule = hub.fetch_rule(
        filePath="doc", contentPath="file.content", filenamePath="title", fileExtension="txt"
    )
    sync = hub.sync(rule)
    assert start_run(hub.container, sync["id"])["status"] == "success"
    assert hub.files("1") == {"summary.txt": (b"from json", "text/plain", {})}


def test_orphans_are_removed_only_after_a_complete_list(hub: Hub) -> None:
    hub.server.records = [
        {"id": "1", "ref": "1", "docs": ["/files/named/a.txt", "/files/named/b.txt"], "v": 1}
    ]
    sync = hub.sync(hub.fetch_rule(filePath="docs"))
    start_run(hub.container, sync["id"])
    assert set(hub.files("1")) == {"a.txt", "b.txt"}

    hub.server.records[0].update(docs=["/files/named/a.txt", "/files/missing"], v=2)  # one fails
    log = start_run(hub.container, sync["id"])
    assert log["result"]["objects"]["updated"] == 1 and log["result"]["ruleErrors"] == 1
    assert set(hub.files("1")) == {"a.txt", "b.txt"}  # a partial answer deletes nothing

    hub.server.records[0].update(docs=["/files/named/a.txt"], v=3)
    start_run(hub.container, sync["id"])
    assert set(hub.files("1")) == {"a.txt"}

    hub.server.records[0].update(docs=[], v=4)  # an empty list removes every file
    start_run(hub.container, sync["id"])
    assert hub.files("1") == {}


def test_errors_are_logged_and_counted_without_secrets(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    hub.server.records = [
        {"id": "1", "ref": "1", "doc": f"/files/missing?token={SECRET}"},
        {"id": "2", "ref": "2", "doc": "/files/raw/notes.txt"},
    ]
    sync = hub.sync(hub.fetch_rule(filePath="doc"))
    with caplog.at_level(logging.INFO):
        log = start_run(hub.container, sync["id"])
    assert log["status"] == "success"
    assert log["result"]["objects"]["created"] == 2 and log["result"]["ruleErrors"] == 1
    assert hub.files("1") == {} and set(hub.files("2")) == {"notes.txt"}
    assert "/files/missing: the source answered 404" in caplog.text
    assert SECRET not in caplog.text
    logs = hub.container.logs.query("synchronization-contract-logs", limit=10).items
    problems = [entry["ruleErrors"] for entry in logs if entry.get("ruleErrors")]
    assert problems and SECRET not in json.dumps(problems)


def test_fetch_file_without_write_hands_base64_to_the_next_rule(hub: Hub) -> None:
    hub.server.records = [{"id": "1", "ref": "1", "doc": "/files/typed/photo", "name": "copy.png"}]
    sync = hub.sync(
        hub.fetch_rule(filePath="doc", write=False),
        {"type": "write_file", "configuration": {"write_file": {"filePath": "doc", "fileNamePath": "name"}}},
    )
    assert start_run(hub.container, sync["id"])["status"] == "success"
    assert hub.files("1") == {"copy.png": (PNG, "image/png", {})}  # only the write_file stored it


def test_write_file_single_and_list(hub: Hub) -> None:
    encoded = base64.b64encode(b"single content").decode()
    hub.server.records = [
        {"id": "1", "ref": "1", "content": encoded, "fileName": "one.txt"},
        {"id": "2", "ref": "2", "content": encoded},  # no name: default_file
        {
            "id": "3",
            "ref": "3",
            "content": [
                {"content": base64.b64encode(b"first").decode(), "filename": "first.txt", "label": "A"},
                {"content": f"data:image/png;base64,{base64.b64encode(PNG).decode()}"},  # file_1
                {"content": "not base64!", "filename": "bad.txt"},  # logged, counted, nothing stored
            ],
        },
    ]
    rule = {"filePath": "content", "fileNamePath": "fileName", "tags": ["shared"]}
    sync = hub.sync({"type": "write_file", "configuration": {"write_file": rule}})
    log = start_run(hub.container, sync["id"])
    assert log["result"]["objects"]["created"] == 3 and log["result"]["ruleErrors"] == 1
    assert hub.files("1") == {"one.txt": (b"single content", "text/plain", {"tags": "shared"})}
    assert set(hub.files("2")) == {"default_file"}
    assert hub.files("3") == {
        "first.txt": (b"first", "text/plain", {"tags": "shared", "label": "A"}),
        "file_1": (PNG, "image/png", {"tags": "shared"}),
    }
