"""Functions and their triggers are discovered from the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from openconnector_local.functions import base_environment, discover
from openconnector_local.resources import StackResources
from openconnector_local.template import SamTemplate

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "tests" / "e2e" / "fixtures" / "template.yaml"
ENDPOINT = "http://127.0.0.1:1"


def _discover(path: Path, **kwargs: object):
    resources = StackResources(SamTemplate.from_file(path, **kwargs), ENDPOINT)  # type: ignore[arg-type]
    return discover(resources, base_environment("eu-west-1", ENDPOINT))


def test_fixture_triggers() -> None:
    found = _discover(FIXTURE)
    assert {spec.logical_id for spec in found.specs} == {
        "ApiFunction",
        "WorkerFunction",
        "TickFunction",
        "EventFunction",
    }
    routes = {(route.method, route.path): route.requires_auth for route in found.routes}
    assert routes == {
        ("GET", "/api/health"): False,
        ("ANY", "/api/{proxy+}"): True,
        ("ANY", "/api/endpoint/{proxy+}"): False,
    }
    (queue,) = found.queues
    assert queue.function == "WorkerFunction"
    assert queue.batch_size == 5 and queue.report_batch_item_failures
    assert queue.queue_url == f"{ENDPOINT}/123456789012/openconnector-WorkQueue"
    (schedule,) = found.schedules
    assert schedule.expression == "rate(1 minute)" and schedule.function == "TickFunction"
    (rule,) = found.event_rules
    assert rule.bus_name == "fixture-bus" and rule.pattern == {"source": ["fixture.test"]}


def test_function_environment_layers_base_template_and_lambda_variables() -> None:
    spec = next(spec for spec in _discover(FIXTURE).specs if spec.logical_id == "WorkerFunction")
    assert spec.handler == "app.worker"
    assert spec.code_dir == FIXTURE.parent / "functions/fixture/"
    assert spec.timeout_seconds == 10 and spec.memory_mb == 256
    environment = spec.environment
    assert environment["AWS_ENDPOINT_URL"] == ENDPOINT
    assert environment["AWS_ACCOUNT_ID_ENDPOINT_MODE"] == "disabled"
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "openconnector-WorkerFunction"
    assert environment["RECORDS_TABLE"] == "openconnector-RecordsTable"


def test_shell_settings_override_the_template_for_openconnector_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    spec = next(
        spec for spec in _discover(REPO / "template.yaml").specs if spec.logical_id == "GatewayFunction"
    )
    assert spec.environment["OPENCONNECTOR_OUTBOUND_ALLOW"] == "127.0.0.1/32"


def test_project_template_routes_and_auth() -> None:
    routes = {
        (route.method, route.path): (route.function, route.requires_auth)
        for route in _discover(REPO / "template.yaml").routes
    }
    assert routes[("ANY", "/api/{proxy+}")] == ("ManagementFunction", True)
    assert routes[("ANY", "/api/endpoint/{proxy+}")] == ("GatewayFunction", False)
    assert routes[("GET", "/api/health")] == ("ManagementFunction", False)


def test_iam_auth_parameter_still_requires_the_token() -> None:
    routes = _discover(REPO / "template.yaml", parameter_overrides={"ManagementAuth": "IAM"}).routes
    management = next(route for route in routes if route.path == "/api/{proxy+}")
    assert management.requires_auth
