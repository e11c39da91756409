"""The local stack with the project's template.yaml: what `make run` starts."""

from __future__ import annotations

import json
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import REPO

pytestmark = pytest.mark.e2e


def test_make_run_stack_health_auth_gateway_and_cli(make_stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Given no OPENCONNECTOR_ADMIN_TOKEN, a token is generated, stored privately and printed.
    stack = make_stack(template=REPO / "template.yaml", token=None)
    token_file = stack.state_dir / "admin-token"
    token = token_file.read_text().strip()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token in stack.output
    anonymous = httpx.Client(base_url=stack.url, timeout=20)
    health = anonymous.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    refused = anonymous.get("/api/sources")
    assert refused.status_code == 401 and refused.json()["error"] == "Unauthorized"
    with stack.client(token=token) as client:
        listed = client.get("/api/sources")
        assert listed.status_code == 200 and "results" in listed.json()
    # The gateway is public: its answer comes from the gateway function, not from the authorizer.
    assert anonymous.get("/api/endpoint/nothing/here").status_code != 401
    # Every request gets one log line: method, path, status, milliseconds.
    assert re.search(r"GET /api/sources 401 [\d.]+ ms", stack.output)

    # The CLI talks to it with the token from the state directory.
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"mapping": {"fullName": "name"}}))
    source = tmp_path / "input.json"
    source.write_text(json.dumps({"name": "Ada"}))
    cli = [sys.executable, "-m", "openconnector_local.cli"]
    common = ["--url", stack.url, "--state-dir", str(stack.state_dir)]
    result = subprocess.run(
        [*cli, "mapping", "test", "--mapping", str(mapping), "--input", str(source), "--json", *common],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["resultObject"] == {"fullName": "Ada"}
    wrong = subprocess.run(
        [*cli, "logs", "calls", "--token", "wrong", *common], capture_output=True, text=True, timeout=60
    )
    assert wrong.returncode == 4 and "401" in wrong.stderr

    assert stack.stop(signal.SIGTERM) == 0
