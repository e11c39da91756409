"""JSON-logic behaviour beyond the conformance corpus: PHP semantics, predicates, safety."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import ConditionError
from openconnector_core.logic import MAX_DEPTH, evaluate, is_truthy_jsonlogic, is_truthy_php, passes


@pytest.mark.parametrize(
    ("value", "php", "jsonlogic"),
    [
        ("0", False, True),
        ("", False, False),
        ("0.0", True, True),
        (" ", True, True),
        (0, False, False),
        (0.0, False, False),
        ([], False, False),
        ({}, False, False),
        ([0], True, True),
        ({"a": None}, True, True),
        (None, False, False),
    ],
)
def test_truthiness(value: Any, php: bool, jsonlogic: bool) -> None:
    assert is_truthy_php(value) is php
    assert is_truthy_jsonlogic(value) is jsonlogic


@pytest.mark.parametrize(
    ("result", "endpoint", "rule", "action", "synchronization"),
    [
        (True, True, True, True, True),
        (None, True, False, False, False),
        ([], True, False, False, False),
        ({}, True, False, False, False),
        (False, False, False, False, False),
        (["body.name"], False, True, False, True),  # a {"missing": [...]} result with missing fields
        (1, False, True, False, True),
        ("0", False, False, False, False),
        ("yes", False, True, False, True),
    ],
)
def test_acceptance_predicates(
    result: Any, endpoint: bool, rule: bool, action: bool, synchronization: bool
) -> None:
    assert passes(result, "endpoint") is endpoint
    assert passes(result, "rule") is rule
    assert passes(result, "synchronization-action") is action
    assert passes(result, "synchronization") is synchronization


def test_unknown_pass_mode_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown condition mode"):
        passes(True, "sometimes")  # type: ignore[arg-type]


def test_empty_condition_list_passes_an_endpoint() -> None:
    assert passes(evaluate([], {"parameters": {}}), "endpoint")


def test_missing_fields_fail_an_endpoint_and_name_the_fields() -> None:
    result = evaluate({"missing": ["parameters.name", "parameters.email"]}, {"parameters": {"name": "x"}})
    assert result == ["parameters.email"]
    assert not passes(result, "endpoint")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"==": ["1e3", "1000"]}, True),  # numeric strings compare as numbers
        ({"==": ["abc", "ABC"]}, False),
        ({"==": [None, 0]}, True),
        ({"==": [None, "0"]}, False),  # null vs string compares with ""
        ({"==": [True, "0"]}, False),  # the PHP cast makes "0" false
        ({"==": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]}, True),
        ({"===": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]}, False),
        ({"===": [1, 1.0]}, False),
        ({"<": ["abc", "abd"]}, True),
        ({">": [[1], 99]}, True),  # an array is greater than a scalar
        ({"in": [1, "a1b"]}, True),
        ({"cat": [0.1, 1e20, -0.0]}, "0.11.0E+20-0"),
        ({"/": [7, 2]}, 3.5),
        ({"%": [-7, 3]}, -1),
        ({"+": ["12abc", [5], None, True]}, 13),
        ({"*": [9223372036854775807, 2]}, 1.8446744073709552e19),
        ({"max": ["10", "9"]}, "10"),
        ({"merge": [{"var": "o1"}, {"var": "o2"}, [1]]}, {"k": "w", "0": 1}),
        ({"merge": [{"k": "v"}]}, None),  # a one-key object is a rule: operator "k" is unknown
        ({"substr": ["héllo", -3]}, "llo"),
        ({"-": [5, None]}, -5),  # PHP's closure treats a null second operand as "unary"
        ({"all": [5, {"var": ""}]}, True),  # foreach over a scalar: no iterations
    ],
)
def test_php_semantics(rule: Any, expected: Any) -> None:
    data = {"o1": {"k": "v"}, "o2": {"k": "w"}}
    if expected is None:
        with pytest.raises(ConditionError):
            evaluate(rule, data)
        return
    result = evaluate(rule, data)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "rule",
    [
        {"method": [{"var": ""}, "__class__"]},  # json-logic-qubit's escape hatch does not exist here
        {"has": ["a"]},
        {"==": [1]},
        {"/": [1, 0]},
        {"*": ["abc", 1]},
        {"substr": ["abc", "x"]},
        {"var": [["a"]]},
        {"log": [[1]]},
        {"==": {"a": 1, "b": 1}},
        {"max": []},
    ],
)
def test_errors_are_condition_errors(rule: Any) -> None:
    with pytest.raises(ConditionError):
        evaluate(rule, {"a": 1})


def test_python_objects_are_data_not_code() -> None:
    class Secretive:
        secret = "s3cr3t"

    data = {"obj": Secretive()}
    assert evaluate({"var": "obj.secret"}, data) is None
    assert evaluate({"var": "obj.__class__"}, data) is None
    with pytest.raises(ConditionError):
        evaluate({"==": [{"var": "obj"}, 1]}, data)


def test_rule_depth_is_bounded() -> None:
    rule: Any = True
    for _ in range(MAX_DEPTH + 5):
        rule = {"!": [rule]}
    with pytest.raises(ConditionError, match="deeper"):
        evaluate(rule, {})


def test_deeply_nested_data_is_refused_not_crashing() -> None:
    deep: Any = 1
    for _ in range(50_000):
        deep = [deep]
    with pytest.raises(ConditionError):
        evaluate({"==": [{"var": "a"}, {"var": "b"}]}, {"a": deep, "b": deep})


def test_var_null_yields_default_and_falsy_values_do_not() -> None:
    data = {"a": None, "b": 0, "c": "", "d": False, "list": [10, 20]}
    assert evaluate({"var": ["a", "dflt"]}, data) == "dflt"
    assert evaluate({"var": ["b", "dflt"]}, data) == 0
    assert evaluate({"var": ["c", "dflt"]}, data) == ""
    assert evaluate({"var": ["d", "dflt"]}, data) is False
    assert evaluate({"var": "list.1"}, data) == 20
    assert evaluate({"var": ["list.01", "dflt"]}, data) == "dflt"


def test_flow_token_style_condition() -> None:
    rule = {"and": [{"==": [{"var": "method"}, "POST"]}, {"!!": [{"var": "body.name"}]}]}
    assert passes(evaluate(rule, {"method": "POST", "body": {"name": "n"}}), "rule")
    assert passes(evaluate(rule, {"method": "POST", "body": {"name": "0"}}), "synchronization-action")
    assert not passes(evaluate(rule, {"method": "POST", "body": {"name": ""}}), "rule")


# --- budgets (issue 8): each limit ends in a ConditionError (a 400) naming it ---------------------


def test_a_reduce_that_doubles_a_string_stops_at_the_size_limit() -> None:
    from openconnector_core.logic import MAX_STRING_LENGTH

    rule = {
        "reduce": [
            {"var": "rounds"},
            {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]},
            "ab",
        ]
    }
    with pytest.raises(ConditionError, match="JSON-logic size limit: cat") as raised:
        evaluate(rule, {"rounds": list(range(64))})
    assert str(MAX_STRING_LENGTH) in str(raised.value)


def test_a_merge_that_doubles_an_array_stops_at_the_size_limit() -> None:
    rule = {"reduce": [{"var": "rounds"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}
    with pytest.raises(ConditionError, match="JSON-logic size limit: merge"):
        evaluate(rule, {"rounds": list(range(64))})


def test_a_rule_with_more_steps_than_the_budget_allows_stops_at_the_time_limit() -> None:
    # 1000³ additions = billions of steps over a small (shared) document: the limit ends it
    rule: dict[str, Any] = {"+": [{"var": ""}, 1]}
    for _ in range(3):
        rule = {"map": [{"var": ""}, rule]}
    numbers = list(range(1000))
    rows = [numbers] * 1000
    with pytest.raises(ConditionError, match="JSON-logic time limit"):
        evaluate(rule, [rows] * 1000)


def test_an_enclosing_deadline_that_has_passed_ends_the_rule_at_the_next_check() -> None:
    import time

    from openconnector_core import deadline

    rule = {"map": [{"var": "items"}, {"+": [{"var": ""}, 1]}]}
    with deadline.within(time.monotonic() - 1), pytest.raises(ConditionError, match="time limit"):
        evaluate(rule, {"items": list(range(5000))})
    assert evaluate(rule, {"items": [1, 2]}) == [2, 3]  # without the deadline it runs
