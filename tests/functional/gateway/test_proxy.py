"""The ``api`` target against a real upstream on 127.0.0.1: what is forwarded, what comes back,
source authentication, the call log, and failures (unreachable, too slow, refused)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

PNG = b"\x89PNG\r\n\x1a\n\x00\xff binary"


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/binary"):
            self._send(200, PNG, "image/png")
        elif self.path.startswith("/trickle"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "40")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path.startswith("/silent"):
            time.sleep(2)  # answers nothing within the source's timeout of 1 s
            self._send(200, b"{}", "application/json")
        elif self.path.startswith("/teapot"):
            self._send(418, b'{"error": "short and stout"}', "application/json")
        else:
            echo = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": base64.b64encode(body).decode(),
            }
            self._send(
                200,
                json.dumps(echo).encode(),
                "application/json",
                {"X-Upstream": "yes", "Connection": "keep-alive"},
            )

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def local_http_server() -> Iterator[str]:
    """(Named so the socket guard lets this test open connections.)"""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def upstream(gateway: Any, local_http_server: str) -> dict[str, Any]:
    return gateway.create(
        "sources",
        {
            "name": "upstream",
            "location": local_http_server,
            "configuration": {"headers": {"X-Source-Key": "s3cr3t-source-key"}, "timeout": 1},
        },
    )


def test_method_path_query_headers_and_raw_body_are_forwarded(gateway: Any, upstream: dict[str, Any]) -> None:
    gateway.endpoint("v1/pets/{{id}}", "PUT", targetType="api", targetId=upstream["id"])
    raw = b"<pet><name>Rex</name></pet>"

    answer = gateway.request(
        "PUT",
        "v1/pets/7",
        raw_body=raw,
        query={"tags[]": "a", "q": "x y"},
        headers={"Content-Type": "application/xml", "X-Forwarded-For": "203.0.113.9", "X-Trace": "t-1"},
    )

    assert answer.status == 200, answer.text
    echo = answer.body
    assert echo["method"] == "PUT"
    assert echo["path"].startswith("/v1/pets/7?")
    assert "q=x+y" in echo["path"] and "tags" in echo["path"]
    assert base64.b64decode(echo["body"]) == raw
    assert echo["headers"]["content-type"] == "application/xml"
    assert echo["headers"]["x-trace"] == "t-1"
    assert echo["headers"]["x-source-key"] == "s3cr3t-source-key"  # the source's own configuration
    assert "x-forwarded-for" not in echo["headers"]
    assert answer.header("X-Upstream") == "yes"
    assert answer.header("Connection") is None  # hop-by-hop headers stay behind


def test_configured_path_with_path_parameters(gateway: Any, upstream: dict[str, Any]) -> None:
    gateway.endpoint(
        "pets/{{id}}",
        targetType="api",
        targetId=upstream["id"],
        configurations={"path": "/v2/animals/{{id}}/card"},
    )

    assert gateway.get("pets/42").body["path"] == "/v2/animals/42/card"


def test_the_clients_credential_is_not_forwarded_when_a_rule_checked_it(
    gateway: Any, upstream: dict[str, Any]
) -> None:
    auth = gateway.rule("authentication", {"authentication": {"type": "apikey", "keys": {"client-key": "c"}}})
    gateway.endpoint("guarded", rules=[auth], targetType="api", targetId=upstream["id"])
    gateway.endpoint("open", targetType="api", targetId=upstream["id"])

    assert (
        "authorization" not in gateway.get("guarded", headers={"Authorization": "client-key"}).body["headers"]
    )
    assert gateway.get("open", headers={"Authorization": "token"}).body["headers"]["authorization"] == "token"


def test_binary_and_error_responses_come_back_unchanged(gateway: Any, upstream: dict[str, Any]) -> None:
    gateway.endpoint("binary", targetType="api", targetId=upstream["id"])
    gateway.endpoint("teapot", targetType="api", targetId=upstream["id"])

    binary = gateway.get("binary")
    assert binary.status == 200
    assert binary.header("Content-Type") == "image/png"
    assert base64.b64decode(binary.raw["body"]) == PNG

    teapot = gateway.get("teapot")
    assert (teapot.status, teapot.body) == (418, {"error": "short and stout"})


def test_every_proxied_call_is_logged_without_the_source_secret(
    gateway: Any, upstream: dict[str, Any]
) -> None:
    gateway.endpoint("logged", targetType="api", targetId=upstream["id"])

    gateway.get("logged")

    stored = gateway.container.logs.query("call-logs").items
    assert stored and stored[0]["statusCode"] == 200
    assert "s3cr3t-source-key" not in json.dumps(stored)


def test_a_source_that_trickles_past_its_timeout_is_504(gateway: Any, upstream: dict[str, Any]) -> None:
    gateway.endpoint("trickle", targetType="api", targetId=upstream["id"])

    answer = gateway.get("trickle")

    assert answer.status == 504
    assert answer.header("Content-Type") == "application/problem+json"


def test_a_source_that_says_nothing_within_its_timeout_is_504(gateway: Any, upstream: dict[str, Any]) -> None:
    gateway.endpoint("silent", targetType="api", targetId=upstream["id"])

    answer = gateway.get("silent")

    assert answer.status == 504
    assert answer.header("Content-Type") == "application/problem+json"


def test_an_unreachable_source_is_502_without_details(gateway: Any, local_http_server: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    source = gateway.create("sources", {"name": "down", "location": f"http://127.0.0.1:{port}"})
    gateway.endpoint("down", targetType="api", targetId=source["id"])

    answer = gateway.get("down")

    assert answer.status == 502
    assert str(port) not in answer.text and "Errno" not in answer.text


def test_the_ssrf_guard_applies_to_proxied_calls(gateway: Any, local_http_server: str) -> None:
    source = gateway.create("sources", {"name": "metadata", "location": "http://169.254.169.254"})
    gateway.endpoint("meta", targetType="api", targetId=source["id"])

    answer = gateway.get("meta")

    assert answer.status == 502
    assert "169.254" not in answer.text


def test_after_rules_reshape_a_json_upstream_answer(gateway: Any, upstream: dict[str, Any]) -> None:
    mapping = gateway.create("mappings", {"name": "slim", "mapping": {"verb": "method"}})
    rule = gateway.rule("mapping", {"mapping": mapping["id"]}, timing="after")
    gateway.endpoint("slim", "POST", rules=[rule], targetType="api", targetId=upstream["id"])

    answer = gateway.post("slim", {"a": 1})

    assert answer.status == 200
    assert answer.body == {"verb": "POST"}
    assert answer.header("X-Upstream") == "yes"


def test_a_before_mapping_changes_what_is_sent_upstream(gateway: Any, upstream: dict[str, Any]) -> None:
    mapping = gateway.create(
        "mappings", {"name": "outbound", "mapping": {"fullName": "{{ first }} {{ last }}"}}
    )
    rule = gateway.rule("mapping", {"mapping": mapping["id"]})
    gateway.endpoint("people", "POST", rules=[rule], targetType="api", targetId=upstream["id"])

    echo = gateway.post("people", {"first": "Ada", "last": "Lovelace"}, query={"dry": "1"}).body

    assert json.loads(base64.b64decode(echo["body"])) == {"fullName": "Ada Lovelace"}
    assert echo["path"] == "/people?dry=1"


@pytest.mark.parametrize("path", ["pets/..", "pets/%2E%2E", "pets/.%2e"])
def test_dot_segments_cannot_walk_out_of_the_proxied_path(
    gateway: Any, upstream: dict[str, Any], path: str
) -> None:
    gateway.endpoint(
        "pets/{{id}}",
        targetType="api",
        targetId=upstream["id"],
        configurations={"path": "/v2/animals/{{id}}/card"},
    )
    gateway.endpoint("open/{{id}}", targetType="api", targetId=upstream["id"])

    assert gateway.get(path).status == 400
    assert gateway.get(path.replace("pets", "open", 1)).status == 400


def test_path_parameters_are_data_in_the_upstream_path(gateway: Any, upstream: dict[str, Any]) -> None:
    gateway.endpoint(
        "pets/{{id}}",
        targetType="api",
        targetId=upstream["id"],
        configurations={"path": "/v2/animals/{{id}}/card"},
    )

    echo = gateway.get("pets/x%3Fadmin%3D1%23").body

    assert echo["path"] == "/v2/animals/x%3Fadmin%3D1%23/card"
