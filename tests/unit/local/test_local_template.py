"""Reading SAM templates: short tags, intrinsic functions, conditions and Globals."""

from __future__ import annotations

from pathlib import Path

import pytest

from openconnector_local.resources import StackResources
from openconnector_local.template import SamTemplate, TemplateError, load_yaml, merge_globals

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "tests" / "e2e" / "fixtures" / "template.yaml"


def _template(text: str, **kwargs: object) -> SamTemplate:
    return SamTemplate(load_yaml(text), **kwargs)  # type: ignore[arg-type]


def _no_resources(name: str) -> str:
    return f"<{name}>"


def _no_getatt(name: str, attribute: str) -> str:
    return f"<{name}.{attribute}>"


def test_short_tags_become_long_form_intrinsics() -> None:
    document = load_yaml(
        """
a: !Ref Thing
b: !GetAtt Queue.Arn
c: !Sub "x-${AWS::Region}"
d: !If [Cond, 1, 2]
e: !Join [",", [a, b]]
f: !GetAtt [Queue, QueueUrl]
"""
    )
    assert document == {
        "a": {"Ref": "Thing"},
        "b": {"Fn::GetAtt": ["Queue", "Arn"]},
        "c": {"Fn::Sub": "x-${AWS::Region}"},
        "d": {"Fn::If": ["Cond", 1, 2]},
        "e": {"Fn::Join": [",", ["a", "b"]]},
        "f": {"Fn::GetAtt": ["Queue", "QueueUrl"]},
    }


def test_sub_resolves_parameters_pseudo_parameters_resources_and_literals() -> None:
    template = _template(
        "Parameters: {Stage: {Type: String, Default: dev}}\nResources: {Bucket: {Type: AWS::S3::Bucket}}"
    )
    value = template.resolve(
        {"Fn::Sub": "${AWS::StackName}-${Stage}-${Bucket}-${Bucket.Arn}-${!Literal}-${Extra}"},
        _no_resources,
        _no_getatt,
    )
    assert value == "openconnector-dev-<Bucket>-<Bucket.Arn>-${Literal}-<Extra>"
    value = template.resolve(
        {"Fn::Sub": ["${Extra}/${AWS::Region}", {"Extra": "x"}]}, _no_resources, _no_getatt
    )
    assert value == "x/eu-west-1"


def test_conditions_if_and_no_value() -> None:
    template = _template(
        """
Parameters:
  Auth: {Type: String, Default: JWT}
Conditions:
  UseIam: !Equals [!Ref Auth, IAM]
  UseJwt: !Not [!Condition UseIam]
  Both: !And [!Condition UseJwt, !Or [!Condition UseIam, !Equals [a, a]]]
"""
    )
    assert template.condition("UseIam") is False
    assert template.condition("UseJwt") is True
    assert template.condition("Both") is True
    resolved = template.resolve(
        {
            "Type": {"Fn::If": ["UseIam", "AWS_IAM", "JWT"]},
            "Id": {"Fn::If": ["UseIam", "x", {"Ref": "AWS::NoValue"}]},
        },
        _no_resources,
        _no_getatt,
    )
    assert resolved == {"Type": "JWT"}


def test_parameter_overrides_win_and_unknown_ones_fail() -> None:
    text = "Parameters: {Auth: {Type: String, Default: JWT}}"
    assert _template(text, parameter_overrides={"Auth": "IAM"}).parameters == {"Auth": "IAM"}
    with pytest.raises(TemplateError, match="Nope"):
        _template(text, parameter_overrides={"Nope": "x"})


def test_join_select_split_find_in_map() -> None:
    template = _template("Mappings: {Sizes: {dev: {memory: 128}}}")
    assert template.resolve({"Fn::Join": ["-", ["a", "b"]]}, _no_resources, _no_getatt) == "a-b"
    assert (
        template.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y"]}]}, _no_resources, _no_getatt) == "y"
    )
    assert template.resolve({"Fn::FindInMap": ["Sizes", "dev", "memory"]}, _no_resources, _no_getatt) == 128


def test_a_mapping_with_a_condition_key_is_not_a_condition_reference() -> None:
    statement = {"Condition": {"StringEquals": {"a": "b"}}}
    assert _template("{}").resolve(statement, _no_resources, _no_getatt) == statement


def test_globals_merge_maps_concatenate_lists_and_let_the_function_win() -> None:
    merged = merge_globals(
        {"Timeout": 3, "Layers": ["g"], "Environment": {"Variables": {"A": "1", "B": "1"}}},
        {"Timeout": 10, "Layers": ["f"], "Environment": {"Variables": {"B": "2"}}},
    )
    assert merged == {"Timeout": 10, "Layers": ["g", "f"], "Environment": {"Variables": {"A": "1", "B": "2"}}}


def test_resources_come_in_dependency_order() -> None:
    template = SamTemplate.from_file(FIXTURE)
    queues = template.in_dependency_order(template.resources("AWS::SQS::Queue"))
    assert [queue.logical_id for queue in queues] == ["WorkDeadLetterQueue", "WorkQueue"]


def test_fixture_function_environment_is_resolved_with_physical_names() -> None:
    template = SamTemplate.from_file(FIXTURE)
    resources = StackResources(template, "http://127.0.0.1:1")
    function = template.resource("WorkerFunction")
    variables = resources.resolve(function.properties)["Environment"]["Variables"]
    assert variables["RECORDS_TABLE"] == "openconnector-RecordsTable"
    assert variables["WORK_QUEUE_URL"] == "http://127.0.0.1:1/123456789012/openconnector-WorkQueue"
    assert variables["DEAD_LETTER_QUEUE_URL"].endswith("/openconnector-WorkDeadLetterQueue")
    assert variables["BUS_NAME"] == "fixture-bus"
    assert variables["STAGE"] == "test-eu-west-1"
    assert function.properties["CodeUri"] == "functions/fixture/"  # from Globals


def test_the_project_template_resolves_every_function_environment() -> None:
    template = SamTemplate.from_file(REPO / "template.yaml")
    resources = StackResources(template, "http://127.0.0.1:1")
    functions = template.resources("AWS::Serverless::Function")
    assert functions
    for function in functions:
        variables = resources.resolve(function.properties)["Environment"]["Variables"]
        assert variables["ENTITIES_TABLE"] == "openconnector-EntitiesTable"
        assert variables["FILES_BUCKET"] == "openconnector-filesbucket"
