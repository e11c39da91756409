"""The local stack's output is quiet and useful: one line per request (method, path, status, ms),
a 4xx says why, the functions' JSON logs only with --verbose."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO, TOKEN, wait_for

pytestmark = pytest.mark.e2e

ACCESS = re.compile(r"^\d\d:\d\d:\d\d (GET|POST) (\S+) (\d{3}) \d+\.\d ms(?: — (.+))?$")


def _access_lines(output: str) -> list[tuple[str, str, str, str | None]]:
    found = [ACCESS.match(line) for line in output.splitlines()]
    return [match.groups() for match in found if match]  # type: ignore[misc]


def test_one_line_per_request_with_the_reason_of_a_4xx(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(template=REPO / "template.yaml")
    with stack.client() as client:
        assert client.get("/api/sources").status_code == 200
        assert client.post("/api/sources", json={"name": "x", "nope": 1}).status_code == 400
    with stack.client(token=None) as anonymous:
        assert anonymous.get("/api/sources").status_code == 401

    lines = wait_for(lambda: (found := _access_lines(stack.output)) and len(found) >= 4 and found)
    by_request = {(method, path, status): reason for method, path, status, reason in lines}
    assert by_request[("GET", "/api/sources", "200")] is None
    assert "nope" in by_request[("POST", "/api/sources", "400")]
    assert "OPENCONNECTOR_ADMIN_TOKEN" in by_request[("GET", "/api/sources", "401")]
    assert '"level":"INFO"' not in stack.output  # the handler's JSON lines stay out of the way


def test_verbose_adds_the_functions_json_logs(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(template=REPO / "template.yaml", extra_args=["--verbose"])
    with stack.client() as client:
        assert client.get("/api/sources").status_code == 200
    wait_for(lambda: '"message":"Request handled"' in stack.output)
    assert TOKEN not in stack.output
