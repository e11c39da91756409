"""Template parameters are checked as CloudFormation checks them before the local stack starts."""

from __future__ import annotations

from pathlib import Path

from openconnector_local import cli
from openconnector_local.parameters import parameter_problems
from openconnector_local.template import load_yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_yaml((ROOT / "template.yaml").read_text(encoding="utf-8"))


def test_the_templates_defaults_are_valid() -> None:
    assert parameter_problems(TEMPLATE, {}) == []


def test_each_constraint_is_checked_and_named() -> None:
    problems = parameter_problems(
        TEMPLATE,
        {
            "OutboundAllow": "not-a-cidr/99",
            "Tracing": "On",
            "ThrottlingRateLimit": "0",
            "JwtIssuer": "http://insecure",
            "LogRetentionDays": "2",
        },
    )
    assert [problem.split(":")[0] for problem in problems] == [
        "Parameter JwtIssuer",
        "Parameter OutboundAllow",
        "Parameter LogRetentionDays",
        "Parameter Tracing",
        "Parameter ThrottlingRateLimit",
    ]
    assert "'not-a-cidr/99' must be comma-separated host names" in problems[1]
    assert "is not one of Active, Disabled" in problems[3]
    assert "is below 1" in problems[4]


def test_serve_stops_before_starting(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("POWERTOOLS_LOG_LEVEL", raising=False)  # restored after, should serve set it
    code = cli.main(["serve", "--port", "1", "--template", str(ROOT / "template.yaml"), "-P", "Tracing=On"])
    assert code == 2
    assert (
        capsys.readouterr().err.strip()
        == "openconnector: Parameter Tracing: 'On' is not one of Active, Disabled"
    )
