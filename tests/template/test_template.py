"""Infrastructure is tested like code: the properties every resource of template.yaml must keep."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from tests.template.conftest import ROOT, of_type


def functions(resources: dict[str, Any]) -> dict[str, Any]:
    return of_type(resources, "AWS::Serverless::Function")


def test_every_handler_exists_and_imports(resources: dict[str, Any]) -> None:
    for name, function in functions(resources).items():
        code_dir = ROOT / function["Properties"]["CodeUri"]
        module_name, attribute = function["Properties"]["Handler"].rsplit(".", 1)
        path = code_dir / f"{module_name}.py"
        assert path.is_file(), f"{name}: {path} is missing"
        spec = importlib.util.spec_from_file_location(f"handler_{name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert callable(getattr(module, attribute)), f"{name}: {attribute} is not callable"


def test_every_function_has_a_log_group_with_retention(resources: dict[str, Any]) -> None:
    groups = of_type(resources, "AWS::Logs::LogGroup").values()
    named = {str(g["Properties"]["LogGroupName"]) for g in groups}
    for name in functions(resources):
        assert any(name in group for group in named), f"{name} has no log group"
    for group in groups:
        assert "RetentionInDays" in group["Properties"]


def test_every_table_is_on_demand_recoverable_and_encrypted(resources: dict[str, Any]) -> None:
    tables = of_type(resources, "AWS::DynamoDB::Table")
    assert {"EntitiesTable", "ContractsTable", "LogsTable", "ObjectsTable"} <= set(tables)
    for name, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name
        assert [k["AttributeName"] for k in props["KeySchema"]] == ["pk", "sk"], name


def test_logs_expire_by_ttl(resources: dict[str, Any]) -> None:
    ttl = resources["LogsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expiresAt", "Enabled": True}


def test_every_queue_event_source_reports_partial_failures_and_has_a_dlq(resources: dict[str, Any]) -> None:
    for name, function in functions(resources).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            assert "ReportBatchItemFailures" in event["Properties"].get("FunctionResponseTypes", []), name
            queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            redrive = resources[queue]["Properties"].get("RedrivePolicy")
            assert redrive and redrive["maxReceiveCount"] >= 1, f"{queue} has no dead-letter queue"
    for name, queue in of_type(resources, "AWS::SQS::Queue").items():
        is_dlq = any(
            q["Properties"].get("RedrivePolicy", {}).get("deadLetterTargetArn", {}).get("Fn::GetAtt", [""])[0]
            == name
            for q in of_type(resources, "AWS::SQS::Queue").values()
        )
        assert is_dlq or "RedrivePolicy" in queue["Properties"], f"{name} is neither a DLQ nor has one"


def test_policies_are_least_privilege(resources: dict[str, Any]) -> None:
    for name, function in functions(resources).items():
        for policy in function["Properties"].get("Policies", []):
            assert not isinstance(policy, str), f"{name}: managed policy {policy} is too broad"
            for statement in policy.get("Statement", []):
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                assert all("*" not in action for action in actions), f"{name}: wildcard action"
                assert statement.get("Resource") != "*", f"{name}: wildcard resource"


def test_management_is_behind_an_authorizer_and_the_gateway_is_public(resources: dict[str, Any]) -> None:
    route = resources["ManagementRoute"]["Properties"]
    assert route["RouteKey"] == "ANY /api/{proxy+}"
    assert route["AuthorizationType"] == {"Fn::If": ["UseIamAuth", "AWS_IAM", "JWT"]}
    gateway = resources["GatewayFunction"]["Properties"]["Events"]["Gateway"]["Properties"]
    assert gateway["Path"] == "/api/endpoint/{proxy+}"
    assert "Auth" not in gateway


def test_handlers_hold_no_business_logic() -> None:
    """Handlers import the core, never the local stack, and stay small."""
    for app in (ROOT / "functions").glob("*/app.py"):
        text = app.read_text()
        assert "openconnector_local" not in text, app
        assert len(text.splitlines()) < 200, f"{app} is growing business logic"


def test_the_core_imports_neither_functions_nor_the_local_stack() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(functions|openconnector_local)\b", re.MULTILINE)
    offenders = [p for p in (ROOT / "openconnector_core").rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_only_adapters_import_aws_sdks() -> None:
    allowed = {"store", "container.py"}
    pattern = re.compile(r"^\s*(from|import)\s+(boto3|botocore|pynamodb)\b", re.MULTILINE)
    core = ROOT / "openconnector_core"
    for path in core.rglob("*.py"):
        relative = path.relative_to(core)
        if relative.parts[0] in allowed:
            continue
        assert not pattern.search(path.read_text()), f"{relative} imports an AWS SDK outside the adapters"


RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
"""What the Lambda Python runtime brings itself (/var/runtime): the layer leaves them out (ADR 0140)."""


@pytest.mark.parametrize("tracing", [False, True], ids=["tracing-off", "tracing-on"])
def test_the_build_output_imports_every_handler(
    resources: dict[str, Any], tracing: bool, tmp_path: Path
) -> None:
    """Run each built handler as Lambda does: its code, the layer, then the runtime's own packages."""
    import subprocess
    import sys

    build = ROOT / ".aws-sam" / "build"
    assert build.is_dir(), "run `make build` first (make test does)"
    layer = build / "CoreLayer" / "python"
    runtime = tmp_path / "var-runtime"
    runtime.mkdir()
    for package in RUNTIME_PROVIDED:
        module = importlib.util.find_spec(package)
        assert module and module.origin, package
        (runtime / package).symlink_to(Path(module.origin).parent)
    for name in functions(resources):
        code = build / name
        script = (
            "import sys; sys.path[:0] = sys.argv[1:4]; "
            "import app; assert callable(app.lambda_handler); "
            f"assert ('aws_xray_sdk' in sys.modules) is {tracing}, 'X-Ray SDK import does not follow Tracing'"
        )
        env = {
            "AWS_DEFAULT_REGION": "eu-west-1",
            "PATH": "/usr/bin:/bin",
            "POWERTOOLS_TRACE_DISABLED": "false" if tracing else "true",
            "LAMBDA_TASK_ROOT": str(code),
        }
        # -S: no site-packages, so the layer (and the runtime's boto3) must carry every dependency.
        result = subprocess.run(
            [sys.executable, "-S", "-c", script, str(code), str(layer), str(runtime)],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(Path("/")),
            check=False,
        )
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
