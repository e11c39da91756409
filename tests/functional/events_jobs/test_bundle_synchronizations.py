"""The synchronizations of each folder's bundle run after import, against a local stand-in of their
source on 127.0.0.1 that serves the folder's realistic record at the configured endpoint and results
position (the rules are left aside; extra data the records link to is served by the stand-in, empty)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from openconnector_core.container import Container, set_container
from openconnector_core.mapping.paths import found, lookup, write
from openconnector_core.settings import Settings
from tests.functional.conftest import Management
from tests.functional.events_jobs.test_configurations import FOLDERS, _key, bundle_of
from tests.support.upstream_mappings import INPUTS

RECORDS = 3


class StandIn:
    def __init__(self) -> None:
        self.path = ""
        self.results_position = "results"
        self.records: list[dict[str, Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                page = int((parse_qs(url.query).get("page") or ["1"])[0])
                records = stand_in.records if url.path == stand_in.path and page == 1 else []
                body: Any = write({}, stand_in.results_position, records)
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def local_http_server() -> Iterator[StandIn]:  # the name lets the conftest allow sockets
    stand_in = StandIn()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@pytest.fixture
def services(local_http_server: StandIn) -> Iterator[Container]:
    container = Container.in_memory(Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32"))
    set_container(container)
    yield container
    set_container(None)


PULLING = [folder for folder in FOLDERS if folder.name != "woo-elastic"]  # woo-elastic pushes out


@pytest.mark.parametrize("folder", PULLING, ids=[folder.name for folder in PULLING])
def test_each_bundles_synchronization_runs_against_a_stand_in(
    services: Container, local_http_server: StandIn, folder: Path
) -> None:
    from openconnector_core.sync.runs import start_run

    bundle = bundle_of(folder)
    components = bundle["components"]
    [source] = components["sources"].values()
    source["location"] = local_http_server.url
    # The stand-in asks for no credentials: the source's own authentication is left out.
    source["auth"] = "none"
    source.pop("authenticationConfig", None)
    configuration = source.get("configuration") or {}
    source["configuration"] = {
        k: v for k, v in configuration.items() if not k.startswith(("authentication", "headers"))
    }
    for sync in components["synchronizations"].values():
        sync["actions"] = []
    report = Management().post("/api/configurations/import", bundle).body
    assert report["errors"] == [] and report["unresolved"] == []
    for slug, sync in components["synchronizations"].items():
        if sync.get("sourceType") != "api":
            continue
        config = sync["sourceConfig"]
        mapping = next(
            path.stem
            for path in (folder / "mappings").glob("*.json")
            if _key(path, json.loads(path.read_text(encoding="utf-8"))) == sync["sourceTargetMapping"]
        )
        record, _ = INPUTS[mapping]
        local_http_server.path = urlsplit(config["endpoint"]).path
        local_http_server.results_position = config.get("resultsPosition") or "results"
        id_position = config.get("idPosition") or "id"
        records = []
        for number in range(RECORDS):
            item = write(json.loads(json.dumps(record)), id_position, f"rec-{number}")
            # Extra data the source links to by URL (``dynamicEndpointLocation``) is served by the stand-in.
            for key, location in config.items():
                linked = key.endswith(".dynamicEndpointLocation") and key.count(".") == 2
                if linked and not found(lookup(item, str(location))):
                    item = write(item, str(location), f"{local_http_server.url}/extra/{key.split('.')[1]}")
            records.append(item)
        local_http_server.records = records
        log = start_run(services, slug, wait=20)
        assert log["status"] == "success", log.get("message")
        objects = log["result"]["objects"]
        assert (objects["found"], objects["created"], objects["invalid"]) == (RECORDS, RECORDS, 0), objects
        assert services.objects.count("publications/publication") == RECORDS
