"""Start ``openconnector serve`` as a subprocess on a free port with its own state directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "template.yaml"
TOKEN = "e2e-token"
START_TIMEOUT = 45.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningStack:
    state_dir: Path
    template: Path
    token: str | None = TOKEN
    extra_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RunningStack:
        environment = {**os.environ, "OPENCONNECTOR_PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        environment.pop("OPENCONNECTOR_ADMIN_TOKEN", None)
        if self.token:
            environment["OPENCONNECTOR_ADMIN_TOKEN"] = self.token
        self.log_path = self.state_dir.parent / f"{self.state_dir.name}-{time.monotonic_ns()}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "openconnector_local.cli",
                    "serve",
                    "--state-dir",
                    str(self.state_dir),
                    "--template",
                    str(self.template),
                    *self.extra_args,
                ],
                cwd=REPO,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the stack exited with {self.process.returncode}:\n{self.output}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"the stack did not answer /api/health within {START_TIMEOUT} s:\n{self.output}")

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the stack did not stop within {timeout} s after {sig.name}:\n{self.output}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=20)


@pytest.fixture
def make_stack(tmp_path: Path) -> Iterator[type]:
    started: list[RunningStack] = []

    def factory(
        template: Path = FIXTURE_TEMPLATE, state_dir: Path | None = None, **kwargs: object
    ) -> RunningStack:
        stack = RunningStack(state_dir=state_dir or tmp_path / "state", template=template, **kwargs)  # type: ignore[arg-type]
        started.append(stack)
        return stack.start()

    yield factory  # type: ignore[misc]
    for stack in started:
        stack.kill()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.3):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s (last value: {value!r})")
        time.sleep(interval)
