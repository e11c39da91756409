"""The docs page renders offline in a real browser: headless Chromium loads ``/api/docs`` from the
local stack (the project's template), with no token and no network beyond 127.0.0.1, and Swagger UI
renders the operations of the OpenAPI document."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from .conftest import REPO

pytestmark = pytest.mark.e2e

CHROMIUM = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)),
    None,
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Anything but the stack itself is unreachable: a CDN reference would leave the page blank.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--virtual-time-budget=15000",
    "--dump-dom",
)


def rendered_dom(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine (`apt-get install chromium`; make test installs it as root)",
)
def test_swagger_ui_renders_the_operations_without_a_token(make_stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(template=REPO / "template.yaml")
    assert httpx.get(f"{stack.url}/api/docs").status_code == 200  # no Authorization header

    dom = rendered_dom(f"{stack.url}/api/docs", tmp_path / "profile")

    operations = set(re.findall(r'id="operations-[^"]*?-([a-z0-9-]+)"', dom))
    assert {"list-sources", "create-sources", "test-source", "test-mapping", "health"} <= operations, dom[
        -3000:
    ]
    assert "Authorize" in dom  # the bearer token goes in there for "Try it out"
    assert "OpenConnector management API" in dom
