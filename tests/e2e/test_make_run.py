"""The README's `make run`: serves on the port it is given, and when `make` itself goes away (even by
SIGKILL, which it cannot pass on to its recipe) the stack stops cleanly with its state saved."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from .conftest import REPO, START_TIMEOUT, free_port, wait_for

pytestmark = pytest.mark.e2e


def start_make_run(port: int, state_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))},
        "OPENCONNECTOR_PORT": str(port),
        "OPENCONNECTOR_STATE_DIR": str(state_dir),
        "OPENCONNECTOR_ADMIN_TOKEN": "make-run-token",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            ["make", "--no-print-directory", "run"], cwd=REPO, env=environment, stdout=output, stderr=output
        )


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_make_run_serves_and_stops_with_make(tmp_path: Path) -> None:
    port, state_dir, log = free_port(), tmp_path / "state", tmp_path / "make-run.log"
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": "Bearer make-run-token"}

    make = start_make_run(port, state_dir, log)
    try:
        wait_for(lambda: healthy(url) or make.poll() is not None, timeout=START_TIMEOUT)
        assert healthy(url), log.read_text(errors="replace")
        created = httpx.post(
            f"{url}/api/mappings", json={"name": "kept", "mapping": {"a": "b"}}, headers=headers
        )
        assert created.status_code == 201

        # When make alone is killed
        make.send_signal(signal.SIGKILL)
        make.wait(timeout=10)

        # Then the stack stops too, cleanly, and frees the port
        wait_for(lambda: not healthy(url), timeout=20)
        time.sleep(0.5)
    finally:
        if make.poll() is None:
            make.kill()

    again = start_make_run(port, state_dir, log)
    try:
        wait_for(lambda: healthy(url) or again.poll() is not None, timeout=START_TIMEOUT)
        assert healthy(url), log.read_text(errors="replace")
        kept = httpx.get(f"{url}/api/mappings/kept", headers=headers)
        assert kept.status_code == 200, kept.text
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=10)
        wait_for(lambda: not healthy(url), timeout=20)
    assert "stopped" in log.read_text(errors="replace")
