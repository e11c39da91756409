"""The local stack's quiet output: one access line per request, a 4xx says why."""

from __future__ import annotations

import json

from openconnector_local.output import access_line


def test_a_success_is_method_path_status_and_time() -> None:
    assert (
        access_line("GET", "/api/sources", 200, 3.14159, b'{"results": []}') == "GET /api/sources 200 3.1 ms"
    )


def test_a_client_error_ends_with_its_reason_and_fields() -> None:
    body = json.dumps({"error": "Validation failed", "message": "name: field required", "fields": ["name"]})
    line = access_line("POST", "/api/sources", 400, 2.0, body.encode())
    assert line == "POST /api/sources 400 2.0 ms — Validation failed: name: field required (fields: name)"


def test_a_server_error_or_a_body_without_json_has_no_reason() -> None:
    assert access_line("GET", "/x", 500, 1, b'{"message": "Internal Server Error"}') == "GET /x 500 1.0 ms"
    assert access_line("GET", "/x", 404, 1, b"<html>") == "GET /x 404 1.0 ms"


def test_a_long_reason_is_cut_and_kept_on_one_line() -> None:
    line = access_line("GET", "/x", 409, 1, json.dumps({"message": "a\nb " * 200}).encode())
    assert "\n" not in line
    assert line.endswith("…")
    assert len(line) < 260
