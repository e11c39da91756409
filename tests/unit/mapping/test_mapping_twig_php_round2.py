"""PHP differences found by a second differential run against the original, each expected value
observed on PHP 8.2.36 with Twig 3.5.1, 2026-12-01: ``striptags`` with allowed tags (PHP's
``strip_tags`` state machine), list mode with a ``listInput`` that is null or no array, ``%e`` /
``%g`` exponents as PHP's ``sprintf`` writes them, ``number_format`` and ``round`` with all the digits
of a double, ``same as`` as PHP's ``===`` on arrays, ``range`` with one argument, and ``attribute()``
under ``is defined`` and ``??``.

Every case runs through the compiled mappings (:class:`MappingEngine`) and the interpreter
(:class:`MappingInterpreter`).
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import MappingError
from tests.support.runners import RUNNERS, Runner, render


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ '<p>a</p><i>b</i>'|striptags('<i>') }}", "a<i>b</i>"),
        ("{{ '<p>a</p><i>b</i>'|striptags(['i']) }}", "a<i>b</i>"),
        ("{{ '<p>a</p><i>b</i>'|striptags(['i', 'p']) }}", "<p>a</p><i>b</i>"),
        ("{{ '<p>a</p><i>b</i>'|striptags(['<i>']) }}", "a<i>b</i>"),
        ("{{ '<p>a</p><i>b</i>'|striptags({'x': 'i'}) }}", "a<i>b</i>"),
        ("{{ '<p>a</p><i>b</i>'|striptags('<I>') }}", "a<i>b</i>"),
        ("{{ '<p>a</p><i>b</i>'|striptags('<i') }}", "ab"),
        ("{{ '<P class=\"x\">a</P><I>b</I>'|striptags('<p>') }}", '<P class="x">a</P>b'),
        ("{{ '<p>a</p><i>b</i><br/>'|striptags('<br>') }}", "ab<br/>"),
        ("{{ '<ii>a</ii><i>b</i>'|striptags('<i>') }}", "a<i>b</i>"),
        ("{{ '<i title=\"a<b\">b</i>'|striptags('<i>') }}", '<i title="ab">b</i>'),
        ("{{ '<p>a</p><!-- x --><i>b</i>'|striptags('<i>') }}", "a<i>b</i>"),
        ("{{ '<?php echo 1; ?>x<b>y</b>'|striptags('<b>') }}", "x<b>y</b>"),
        ("{{ '<!DOCTYPE html><i>b</i>'|striptags('<i>') }}", "<i>b</i>"),
        ("{{ 'a<!--b-->c<!-- d -- >e-->f'|striptags('<i>') }}", "acf"),
        ("{{ 'a<b>c</b> 1 < 2 > 0'|striptags }}", "ac 1 < 2 > 0"),
        ("{{ '<a href=\"x>y\">l</a>t'|striptags }}", "lt"),
        ("{{ '<scr<b>ipt>x'|striptags('<b>') }}", "x"),
        ("{{ '<p>a</p>'|striptags(null) }}|{{ '<p>a</p>'|striptags([]) }}", "a|a"),
    ],
)
def test_striptags_keeps_the_allowed_tags(runner: Runner, template: str, expected: str) -> None:
    assert render(runner, template) == expected


LIST_MAPPING = {"name": "t", "mapping": {"r": "{{ value|json_encode }}", "x": "x"}}


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"listInput": None, "x": 1}, []),
        ({"listInput": None}, []),
        ({"listInput": "str", "x": 1}, []),
        ({"listInput": ""}, []),
        ({"listInput": 5, "x": 1}, []),
        ({"listInput": True, "x": 1}, []),
        ({"listInput": False}, []),
        ({"listInput": 1.5}, []),
        ({"listInput": [], "x": 1}, []),
        ({"listInput": [1, {"x": 3}], "x": 1}, [{"r": "1", "x": 1}, {"r": '{"x":3}', "x": 1}]),
        (
            {"listInput": {"a": 1, "b": {"q": 2}}, "x": 1},
            {"a": {"r": "1", "x": 1}, "b": {"r": '{"q":2}', "x": 1}},
        ),
        ({"listInput": {"a": 1, "b": {"q": 2}}}, {"a": {"r": "1", "x": "x"}, "b": {"r": "null", "x": "x"}}),
    ],
)
def test_list_mode_takes_list_input_as_foreach_does(
    runner: Runner, data: dict[str, Any], expected: Any
) -> None:
    """``listInput`` counts when the key is there (``array_key_exists``), null too; a foreach over
    anything but an array only warns, so there are no items."""
    assert runner().run(LIST_MAPPING, data, list_mode=True) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("{{ '%E|%g'|format(0.00012, 0.00001234) }}", None, "1.200000E-4|1.234e-5"),
        ("{{ '%e'|format(v) }}", 0.0001, "1.000000e-4"),
        ("{{ '%e'|format(v) }}", 123456789, "1.234568e+8"),
        ("{{ '%e'|format(v) }}", 0, "0.000000e+0"),
        ("{{ '%.0e'|format(v) }}", 2.5, "2e+0"),
        ("{{ '%10.2e'|format(v) }}", 1e-100, " 1.00e-100"),
        ("{{ '%-12.3E|'|format(v) }}", 5e-324, "4.941E-324  |"),
        ("{{ '%g'|format(v) }}", 0.0001, "0.0001"),
        ("{{ '%g'|format(v) }}", 1e-5, "1.0e-5"),
        ("{{ '%g'|format(v) }}", 100000, "100000"),
        ("{{ '%g'|format(v) }}", 1000000, "1.0e+6"),
        ("{{ '%G'|format(v) }}", 123456789, "1.23457E+8"),
        ("{{ '%g'|format(v) }}", 1e15, "1.0e+15"),
        ("{{ '%g'|format(v) }}", 1e16, "1.0e+16"),
        ("{{ '%g'|format(v) }}", 0.1 + 0.2, "0.3"),
        ("{{ '%g'|format(v) }}", -1e-5, "-1.0e-5"),
        ("{{ '%g'|format(v) }}", -0.0, "-0"),
        ("{{ '%.3e'|format(v) }}", -123456, "-1.235e+5"),
        ("{{ '%.2g'|format(v) }}", 12345.678, "1.2e+4"),
        ("{{ '%.0g'|format(v) }}", 2.5, "2"),
        ("{{ '%.0g'|format(v) }}", 12345.678, "1.0e+4"),
        ("{{ '%.17g'|format(v) }}", 1e-5, "1.0000000000000001e-5"),
        ("{{ '%.20g'|format(v) }}", 1e21, "1.0e+21"),
        ("{{ '%010.3g'|format(v) }}", -123456, "-001.23e+5"),
        ("{{ '%010.3g'|format(v) }}", -0.0, "-000000000"),
        ("{{ '%e|%g|%5.1f'|format(v, v, v) }}", "1e400", "INF|INF|INF"),
        ("{{ '%010.3g|%.10g|%+010g'|format(v, v, v) }}", "-1e400", "-NF|INF|-NF"),
    ],
)
def test_format_writes_exponents_as_php(runner: Runner, template: str, value: Any, expected: str) -> None:
    assert render(runner, template, {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("{{ 4503599627370497|number_format }}", None, "4,503,599,627,370,497"),
        ("{{ v|number_format }}", 4503599627370497, "4,503,599,627,370,497"),
        ("{{ v|number_format(1) }}", 1e15 + 0.5, "1,000,000,000,000,000.5"),
        ("{{ v|number_format }}", 2**53 + 1, "9,007,199,254,740,992"),
        ("{{ v|number_format(20) }}", 0.1 + 0.2, "0.30000000000000004441"),
        ("{{ v|number_format(2) }}", 1.005, "1.01"),
        ("{{ v|number_format }}", -0.5, "-1"),
        ("{{ v|number_format }}", 1e20, "100,000,000,000,000,000,000"),
        ("{{ v|number_format(-2) }}", 1234.5, "1,235"),
        ("{{ v|number_format(2, ',', '.') }}", "12345.675", "12.345,68"),
        ("{{ v|number_format(2) }}", "-1e400", "inf"),
        ("{{ v|round(2) }}|{{ v|round(-2) }}", 1234.5678, "1234.57|1200"),
    ],
)
def test_number_format_prints_every_digit(runner: Runner, template: str, value: Any, expected: str) -> None:
    assert render(runner, template, {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (450359962737049700, "4.503.599.627.370.497,00"),
        (12345, "123,45"),
        (-50, "-0,50"),
        ("100000000000000001", "1.000.000.000.000.000,00"),
        (100.5, "1,01"),
    ],
)
def test_int_to_money_string_keeps_every_digit(runner: Runner, value: Any, expected: str) -> None:
    mapping = {"name": "t", "mapping": {"r": "v"}, "cast": {"r": "intToMoneyString"}}
    assert runner().run(mapping, {"v": value}) == {"r": expected}


SAME_AS_DATA = {"a": {"x": [1, 2]}, "b": {"x": [1, 2]}, "e": {}, "l": [1, 2], "h": {"0": 1, "1": 2}}


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("[] is same as({})", "T"),
        ("[1, 2] is same as({0: 1, 1: 2})", "T"),
        ("[1, 2] is same as({'0': 1, '1': 2})", "T"),
        ("[1, 2] is same as({1: 2, 0: 1})", "F"),
        ("{'a': 1, 'b': 2} is same as({'b': 2, 'a': 1})", "F"),
        ("[1] is same as([1.0])", "F"),
        ("[true] is same as([1])", "F"),
        ("[[]] is same as([{}])", "T"),
        ("{'1': 'a'} is same as({1: 'a'})", "T"),
        ("{'a': [1, {'x': null}]} is same as({'a': [1, {'x': false}]})", "F"),
        ("a is same as(b)", "T"),
        ("e is same as([])", "T"),
        ("l is same as(h)", "T"),
        ("'a'|upper is same as('A')", "T"),
        ("[] is constant('E_ALL')", "F"),
    ],
)
def test_same_as_is_php_identity_on_arrays(runner: Runner, test: str, expected: str) -> None:
    assert render(runner, f"{{{{ {test} ? 'T' : 'F' }}}}", SAME_AS_DATA) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ range(5)|join(',') }}", "range\\(\\) expects at least 2 arguments, 1 given"),
        ("{% for i in range(3) %}{{ i }}{% endfor %}", "range\\(\\) expects at least 2 arguments, 1 given"),
        ("{{ range()|join(',') }}", "range\\(\\) expects at least 2 arguments, 0 given"),
        ("{{ range(high=3)|join(',') }}", 'Value for argument "low" is required'),
    ],
)
def test_range_needs_two_arguments(runner: Runner, template: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        render(runner, template)


@pytest.mark.parametrize("runner", RUNNERS)
def test_range_with_two_or_three_arguments(runner: Runner) -> None:
    assert render(runner, "{{ range(1, 3)|join(',') }}|{{ range(1, 7, 2)|join(',') }}") == "1,2,3|1,3,5,7"


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("{{ attribute(o, 'k') is defined ? 'T' : 'F' }}", {"o": {"k": 1}}, "T"),
        ("{{ attribute(o, 'x') is defined ? 'T' : 'F' }}", {"o": {"k": 1}}, "F"),
        ("{{ attribute(o, 'k') is defined ? 'T' : 'F' }}", {"o": {"k": None}}, "T"),
        ("{{ attribute(o, 'k') is not defined ? 'T' : 'F' }}", {"o": {"k": 1}}, "F"),
        ("{{ attribute(missing, 'k') is defined ? 'T' : 'F' }}", {}, "F"),
        ("{{ attribute(s, 'k') is defined ? 'T' : 'F' }}", {"s": "str"}, "F"),
        ("{{ attribute(o, 1) is defined ? 'T' : 'F' }}", {"o": [5, 6]}, "T"),
        ("{{ attribute(o, 2) is defined ? 'T' : 'F' }}", {"o": [5, 6]}, "F"),
        ("{{ attribute(o, k) is defined ? 'T' : 'F' }}", {"o": {"k": 1}, "k": "k"}, "T"),
        ("{{ attribute(o, 'k').z is defined ? 'T' : 'F' }}", {"o": {"k": {"z": 1}}}, "T"),
        ("{% if attribute(o, 'k') is defined %}y{% else %}n{% endif %}", {"o": {"a": 1}}, "n"),
        (
            "{% for x in [1] %}{{ attribute(o, 'k') is defined ? 'T' : 'F' }}{% endfor %}",
            {"o": {"k": 1}},
            "T",
        ),
        ("{{ attribute(o, 'k') ?? 'd' }}", {"o": {"k": 1}}, "1"),
        ("{{ attribute(o, 'x') ?? 'd' }}", {"o": {"k": 1}}, "d"),
        ("{{ attribute(o, 'k') ?? 'd' }}", {"o": {"k": None}}, "d"),
    ],
)
def test_attribute_takes_is_defined(
    runner: Runner, template: str, data: dict[str, Any], expected: str
) -> None:
    assert render(runner, template, data) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    "template",
    ["{{ attribute(o, 'k')|upper is defined }}", "{{ max(1, 2) is defined }}"],
)
def test_defined_still_refuses_other_expressions(runner: Runner, template: str) -> None:
    with pytest.raises(MappingError, match='The "defined" test only works with simple variables'):
        render(runner, template, {"o": {"k": 1}})
