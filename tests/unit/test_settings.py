"""Settings fail fast: every variable is checked at start, one message names the variable and entry."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openconnector_core.errors import DeploymentError
from openconnector_core.settings import KNOWN, PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_no_environment() -> None:
    settings = Settings()
    assert settings.port == 3000
    assert settings.outbound_allow_list == []
    assert settings.tracing is False
    assert settings.admin_token is None


def test_outbound_allow_takes_hosts_addresses_and_cidrs() -> None:
    settings = Settings(
        OPENCONNECTOR_OUTBOUND_ALLOW=" 127.0.0.1/32, api.example.com ,::1,[fd00::1], 10.0.0.1"
    )
    assert settings.outbound_allow_list == ["127.0.0.1/32", "api.example.com", "::1", "[fd00::1]", "10.0.0.1"]


@pytest.mark.parametrize("entry", ["not-a-cidr/99", "10.0.0.0/33", "http://x", "a b", "-bad-.com"])
def test_a_bad_outbound_entry_is_named(entry: str) -> None:
    with pytest.raises(DeploymentError) as raised:
        Settings(OPENCONNECTOR_OUTBOUND_ALLOW=f"127.0.0.1/32,{entry}")
    assert str(raised.value).count("OPENCONNECTOR_OUTBOUND_ALLOW") == 1
    assert repr(entry) in str(raised.value)
    assert raised.value.extra["variables"] == ["OPENCONNECTOR_OUTBOUND_ALLOW"]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OPENCONNECTOR_PORT", "abc", "'abc' is not a port number"),
        ("OPENCONNECTOR_PORT", "70000", "70000 is not a port number"),
        ("OPENCONNECTOR_SCHEDULE_SPEED", "0", "must be a positive number"),
        ("OPENCONNECTOR_SCHEDULE_SPEED", "fast", "is not a number"),
        ("OPENCONNECTOR_URL", "127.0.0.1:3000", "is not an http(s) URL"),
        ("OPENCONNECTOR_ADMIN_TOKEN", "two words", "must not contain spaces"),
        ("POWERTOOLS_TRACE_DISABLED", "maybe", "is not a boolean"),
        ("ENTITIES_TABLE", " ", "must not be empty"),
    ],
)
def test_each_variable_is_checked(name: str, value: str, expected: str) -> None:
    with pytest.raises(DeploymentError, match=rf"{name}: .*{re.escape(expected)}"):
        Settings(**{name: value})


def test_a_misspelt_variable_is_refused_with_a_suggestion() -> None:
    with pytest.raises(
        DeploymentError,
        match=r"OPENCONNECTOR_OUTBOUND_ALOW: unknown variable \(did you mean OPENCONNECTOR_OUTBOUND_ALLOW",
    ):
        Settings(OPENCONNECTOR_OUTBOUND_ALOW="127.0.0.1/32")


def test_every_problem_is_in_one_message() -> None:
    with pytest.raises(DeploymentError) as raised:
        Settings(OPENCONNECTOR_PORT="0", OPENCONNECTOR_URL="ftp://x")
    assert raised.value.extra["variables"] == ["OPENCONNECTOR_PORT", "OPENCONNECTOR_URL"]


def test_region_falls_back_to_the_default_region() -> None:
    assert Settings.from_environ({"AWS_DEFAULT_REGION": "us-east-2"}).aws_region == "us-east-2"
    assert Settings.from_environ({"AWS_DEFAULT_REGION": "x", "AWS_REGION": "eu-central-1"}).aws_region == (
        "eu-central-1"
    )


def test_settings_are_read_only() -> None:
    with pytest.raises(AttributeError):
        Settings().port = 1  # type: ignore[misc]


def test_every_openconnector_variable_of_the_docs_is_declared() -> None:
    documented = {
        name
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        for name in re.findall(rf"{PREFIX}[A-Z_]*[A-Z]", path.read_text(encoding="utf-8"))
    }
    assert documented - KNOWN == set()


def _python(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(PREFIX)}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "AWS_DEFAULT_REGION": "eu-west-1", **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_cold_start_fails_with_one_message_naming_the_variable() -> None:
    result = _python("import functions.management.app", OPENCONNECTOR_OUTBOUND_ALLOW="not-a-cidr/99")
    assert result.returncode != 0
    assert "DeploymentError: Invalid settings: OPENCONNECTOR_OUTBOUND_ALLOW: 'not-a-cidr/99'" in result.stderr


def test_the_local_stack_refuses_to_start_with_one_message() -> None:
    result = _python(
        "import sys; from openconnector_local.cli import main; sys.exit(main(['serve', '--port', '1']))",
        OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32,not-a-cidr/99",
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "openconnector: Invalid settings: OPENCONNECTOR_OUTBOUND_ALLOW: 'not-a-cidr/99' is neither a host "
        "name nor an IP address or CIDR (e.g. 10.0.0.0/8)"
    ]
