"""Production properties of template.yaml that every newcomer resource must keep: alarms on every
function and dead-letter queue, tags on everything taggable, kept log groups, tracing behind one
parameter, access logs and throttling, deploy-time checks of the authorizer settings, a locked layer.

Adding a function or a queue? Copy the alarm blocks of an existing one (docs/operations.md).
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from packaging.requirements import Requirement

from tests.template.conftest import ROOT, of_type

SAM_TAGGABLE = {"AWS::Serverless::Function", "AWS::Serverless::HttpApi", "AWS::Serverless::Api"}
TOPIC_ACTIONS = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath"}


def alarms(resources: dict[str, Any]) -> list[dict[str, Any]]:
    return [alarm["Properties"] for alarm in of_type(resources, "AWS::CloudWatch::Alarm").values()]


def alarm_on(resources: dict[str, Any], namespace: str, metric: str, dimension: Any) -> dict[str, Any] | None:
    for alarm in alarms(resources):
        values = [d["Value"] for d in alarm.get("Dimensions", [])]
        if alarm["Namespace"] == namespace and alarm["MetricName"] == metric and dimension in values:
            return alarm
    return None


def dead_letter_queues(resources: dict[str, Any]) -> set[str]:
    """Queues named as a dead-letter target anywhere: SQS RedrivePolicy, function or event DLQs."""
    found: set[str] = set()

    def walk(value: Any, under_dlq: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "Fn::GetAtt" and under_dlq and isinstance(item, list):
                    found.add(item[0])
                elif key == "Ref" and under_dlq and isinstance(item, str) and item in resources:
                    found.add(item)
                else:
                    walk(
                        item,
                        under_dlq or key in ("deadLetterTargetArn", "DeadLetterQueue", "DeadLetterConfig"),
                    )
        elif isinstance(value, list):
            for item in value:
                walk(item, under_dlq)

    walk(resources, False)
    return {name for name in found if resources.get(name, {}).get("Type") == "AWS::SQS::Queue"}


def test_every_function_alarms_on_errors_and_throttles(resources: dict[str, Any]) -> None:
    for name in of_type(resources, "AWS::Serverless::Function"):
        for metric in ("Errors", "Throttles"):
            alarm = alarm_on(resources, "AWS/Lambda", metric, {"Ref": name})
            assert alarm, f"{name} has no {metric} alarm: copy the block of ManagementFunction{metric}Alarm"
            assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_dead_letter_queue_alarms_when_it_holds_a_message(resources: dict[str, Any]) -> None:
    for name in dead_letter_queues(resources):
        alarm = alarm_on(
            resources, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [name, "QueueName"]}
        )
        assert alarm, f"dead-letter queue {name} has no depth alarm (ApproximateNumberOfMessagesVisible > 0)"
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_the_dead_letter_queue_finder_sees_every_form() -> None:
    resources = {
        "Work": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["WorkDlq", "Arn"]}}},
        },
        "WorkDlq": {"Type": "AWS::SQS::Queue"},
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"DeadLetterQueue": {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["FnDlq", "Arn"]}}},
        },
        "FnDlq": {"Type": "AWS::SQS::Queue"},
    }
    assert dead_letter_queues(resources) == {"WorkDlq", "FnDlq"}


def test_the_http_api_alarms_on_5xx(resources: dict[str, Any]) -> None:
    alarm = alarm_on(resources, "AWS/ApiGateway", "5xx", {"Ref": "HttpApi"})
    assert alarm and {"Name": "Stage", "Value": "$default"} in alarm["Dimensions"]


def test_every_alarm_notifies_the_optional_topic(template: dict[str, Any], resources: dict[str, Any]) -> None:
    assert template["Parameters"]["AlarmTopicArn"]["Default"] == ""
    for alarm in alarms(resources):
        assert alarm["AlarmActions"] == TOPIC_ACTIONS == alarm["OKActions"], alarm["AlarmDescription"]
        assert alarm["TreatMissingData"] == "notBreaching"


def _taggable(kind: str) -> bool:
    if kind.startswith("AWS::Serverless::"):
        return kind in SAM_TAGGABLE
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("eu-west-1", kind).schema
    return "Tags" in schema.get("properties", {})


def _tags(properties: dict[str, Any], globals_tags: dict[str, Any]) -> dict[str, Any]:
    tags = properties.get("Tags", globals_tags)
    if isinstance(tags, list):
        return {tag["Key"]: tag["Value"] for tag in tags}
    return dict(tags)


def test_everything_taggable_carries_application_and_stage(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    function_tags = template["Globals"]["Function"]["Tags"]
    for name, resource in resources.items():
        if not _taggable(resource["Type"]):
            continue
        inherited = function_tags if resource["Type"] == "AWS::Serverless::Function" else {}
        tags = _tags(resource.get("Properties", {}), inherited)
        assert tags.get("Application") == "openconnector", f"{name} lacks the Application tag"
        assert tags.get("Stage") == {"Ref": "Stage"}, f"{name} lacks the Stage tag"


def test_log_groups_say_what_happens_on_delete_and_replace(resources: dict[str, Any]) -> None:
    for name, group in of_type(resources, "AWS::Logs::LogGroup").items():
        assert "DeletionPolicy" in group and "UpdateReplacePolicy" in group, name


def test_tracing_is_one_parameter_for_lambda_and_powertools(template: dict[str, Any]) -> None:
    assert template["Parameters"]["Tracing"]["Default"] == "Disabled"
    function = template["Globals"]["Function"]
    assert function["Tracing"] == {"Fn::If": ["TracingOn", "Active", "PassThrough"]}
    assert function["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == {
        "Fn::If": ["TracingOn", "false", "true"]
    }


def test_the_http_api_writes_json_access_logs_and_throttles(resources: dict[str, Any]) -> None:
    api = resources["HttpApi"]["Properties"]
    settings = api["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]}
    line = json.loads(settings["Format"])
    assert {"requestId", "method", "path", "status"} <= set(line)
    assert "$context.path" in line.values()  # never the query string: it may carry secrets
    throttle = api["DefaultRouteSettings"]
    assert throttle == {
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
    }


def test_the_authorizer_settings_have_no_default_and_are_checked_before_deploying(
    template: dict[str, Any],
) -> None:
    parameters = template["Parameters"]
    for name in ("JwtIssuer", "JwtAudience"):
        assert "Default" not in parameters[name], f"{name} must be set by whoever deploys"
        assert parameters[name]["AllowedPattern"] and parameters[name]["ConstraintDescription"]
    rule = template["Rules"]["JwtAuthorizerNeedsIssuerAndAudience"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "ManagementAuth"}, "JWT"]}
    asserted = json.dumps(rule["Assertions"])
    assert "JwtIssuer" in asserted and "JwtAudience" in asserted
    issuer = re.compile(parameters["JwtIssuer"]["AllowedPattern"])
    assert issuer.fullmatch("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123")
    assert not issuer.fullmatch("http://insecure.example") and not issuer.fullmatch("example.com")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("", True),
        ("127.0.0.1/32", True),
        ("10.0.0.0/8, api.internal,::1", True),
        ("[fd00::1]/64", True),
        ("not-a-cidr/99", False),
        ("http://x", False),
        ("a b", False),
    ],
)
def test_the_outbound_allow_parameter_refuses_what_settings_refuse(
    template: dict[str, Any], value: str, valid: bool
) -> None:
    pattern = re.compile(template["Parameters"]["OutboundAllow"]["AllowedPattern"])
    assert bool(pattern.fullmatch(value)) is valid


def test_samconfig_tags_every_stack_and_explains_the_authorizer_settings() -> None:
    text = (ROOT / "samconfig.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)
    assert "JwtIssuer=https://" in text and "sam deploy --guided" in text
    for env in ("dev", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        tags = dict(item.split("=", 1) for item in shlex.split(deploy["tags"]))
        assert tags == {"Application": "openconnector", "Stage": env}
        assert "example.invalid" not in deploy["parameter_overrides"]


def test_make_deploy_stops_early_naming_the_missing_authorizer_settings(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "check_deploy_config", ROOT / "scripts/check_deploy_config.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        '[dev.deploy.parameters]\nparameter_overrides = "Stage=dev OutboundAllow=not-a-cidr/99"\n'
    )
    found = module.problems(module.parameter_overrides("dev", samconfig))
    assert [line.split(":")[0] for line in found] == ["JwtIssuer", "JwtAudience", "OutboundAllow"]
    assert "'not-a-cidr/99'" in found[2]
    good = {"JwtIssuer": "https://issuer.example", "JwtAudience": "client", "OutboundAllow": "127.0.0.1/32"}
    assert module.problems(good) == []
    assert module.problems({"ManagementAuth": "IAM"}) == []


# ---------------------------------------------------------------- the CoreLayer and its lock


def _requirements(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_layer_needs_what_the_package_needs_minus_what_the_runtime_provides() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {
        dependency
        for dependency in pyproject["project"]["dependencies"]
        if Requirement(dependency).name not in RUNTIME_PROVIDED
    }
    assert set(_requirements(ROOT / "layers/core/requirements.in")) == declared


def test_the_lock_pins_every_layer_requirement_with_hashes_and_nothing_the_runtime_provides() -> None:
    text = (ROOT / "layers/core/requirements.txt").read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=[a-z0-9])", text):
        found = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block.strip())
        if found:
            assert "--hash=sha256:" in block, f"{found.group(1)} is pinned without a hash"
            pins[found.group(1).lower().replace("_", "-")] = found.group(2)
    assert not RUNTIME_PROVIDED & set(pins)
    for line in _requirements(ROOT / "layers/core/requirements.in"):
        requirement = Requirement(line)
        name = requirement.name.lower()
        assert name in pins, f"{name} is not in the lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} violates {line}: make lock"
        )


def test_the_layer_build_installs_exactly_the_lock(resources: dict[str, Any]) -> None:
    assert resources["CoreLayer"]["Metadata"]["BuildMethod"] == "makefile"
    makefile = (ROOT / "layers/core/Makefile").read_text(encoding="utf-8")
    assert "build-CoreLayer:" in makefile
    for flag in ("--no-deps", "--require-hashes", "--only-binary=:all:", "-r requirements.txt"):
        assert flag in makefile


def test_every_parameter_is_constrained(template: dict[str, Any]) -> None:
    """A typo in a parameter fails `sam deploy` (and `openconnector serve -P`) before anything starts."""
    for name, spec in template["Parameters"].items():
        assert {"AllowedValues", "AllowedPattern", "MinValue"} & set(spec), f"{name} accepts anything"
