"""PHP differences found by a third differential run against the original (the real upstream mappings on
perturbed inputs, and Twig filters, tests and operators on adversarial values), each expected value
observed on PHP 8.2 with Twig 3.5.1, 2026-12-01: missing ``__metadata``-like keys (SharePoint's) read
as null, ``trim`` character ranges (``a..z``), ``batch`` fill keys, ``split('', n)`` of a short
value, ``column`` of list rows, ``format`` widths counted in bytes, ``date`` timestamps only for
digit-only strings (blanks are "now"), ``matches`` without ``/u`` ASCII-only, and ``>``/``>=`` as
PHP evaluates them on arrays that cannot be compared.

Every case runs through the compiled mappings (:class:`MappingEngine`) and the interpreter
(:class:`MappingInterpreter`).
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import MappingError
from tests.support import upstream_mappings
from tests.support.runners import RUNNERS, Runner, render


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        (
            "{{ f['__metadata']['uri']|default('none') }}|{{ f.__metadata.uri ?? 'n' }}"
            "|{{ f.__deferred is defined ? 'D' : 'U' }}|{{ attribute(f, '__next')|default('a') }}",
            {"f": {"Name": "x"}},
            "none|n|U|a",
        ),
        ("{{ f.__metadata.uri }}", {"f": {"__metadata": {"uri": "u"}}}, "u"),
        ("{{ _context.__metadata ?? 'none' }}", {}, "none"),
        ("{{ n.__metadata ?? 'none' }}", {"n": None}, "none"),
        ("{{ l.__metadata ?? 'none' }}|{{ s.__m ?? 'n' }}", {"l": [1], "s": "str"}, "none|n"),
        (
            "{% for file in fileUrls %}{{ file['__metadata']['uri']|default('-') }};{% endfor %}",
            {"fileUrls": [{"Name": "a"}, {"__metadata": {"uri": "u"}}]},
            "-;u;",
        ),
    ],
)
def test_missing_double_underscore_keys_are_null(
    runner: Runner, template: str, data: Any, expected: str
) -> None:
    assert render(runner, template, data) == expected


@pytest.mark.parametrize("runner", RUNNERS)
def test_python_special_names_stay_refused(runner: Runner) -> None:
    with pytest.raises(MappingError, match="unsafe"):
        render(runner, "{{ f.__class__ ?? 'n' }}", {"f": {"Name": "x"}})


@pytest.mark.parametrize("runner", RUNNERS)
def test_sharepoint_file_without_metadata_is_skipped(runner: Runner) -> None:
    path = (
        upstream_mappings.CONFIGURATIONS
        / "sharepoint-woo"
        / "mappings"
        / "sharepoint-woo-verzoek-to-publications.json"
    )
    mapping = upstream_mappings.load(path)
    data, _ = upstream_mappings.INPUTS["sharepoint-woo-verzoek-to-publications"]
    data = {**data, "fileUrls": [{"Name": "besluit.pdf", "d": {"document_x005f_label": "besluit"}}]}
    assert runner().run(mapping, data) == {
        "originId": "sp-1",
        "title": "Woo-verzoek",
        "description": "Beschrijving",
        "summary": "Samenvatting",
        "category": "Woo-verzoeken en -besluiten",
        "published": "2024-05-01",
        "modified": "2024-05-02T08:00:00Z",
        "attachments": [],
        "status": "Concept",
    }


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "mask", "expected"),
    [
        ("abcxyz", "a..c", "xyz"),
        ("..a..", "a..z", "..a.."),
        ("a..z", "..z", "a"),
        ("za", "z..a", ""),
        ("a.b", "a.", "b"),
        ("a.b", "..", "a.b"),
        ("a-b", "a..b", "-"),
        ("123abc", "0..9", "abc"),
        ("x..", "x..", ""),
        ("AbZ", "A..Z", "b"),
        ("é", "a..z", "é"),
        (" a ", " ..a", ""),
        ("Straße", "a..z", "Straß"),
        ("a,b,,c", "a..z", ",b,,"),
        (".5", "a..z", ".5"),
        ("%s", "a..z", "%"),
    ],
)
def test_trim_reads_character_ranges(runner: Runner, value: str, mask: str, expected: str) -> None:
    assert render(runner, "{{ v|trim(m) }}", {"v": value, "m": mask}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
def test_trim_ranges_on_one_side(runner: Runner) -> None:
    template = "{{ v|trim(m, 'left') }}|{{ v|trim(m, 'right') }}"
    assert render(runner, template, {"v": "abc123cba", "m": "a..c"}) == "123cba|abc123"


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"2": "p"}, '[{"2":"p","3":"f"}]|[["p","f"]]'),
        ({"a": 1}, '[{"a":1,"0":"f"}]|[[1,"f"]]'),
        ({"5": 1, "a": 2, "1": 3}, '[{"5":1,"a":2},{"1":3,"2":"f"}]|[[1,2],[3,"f"]]'),
        ({"-3": 1}, '[{"-3":1,"-2":"f"}]|[[1,"f"]]'),
        ({"a": 1, "b": 2, "c": 3}, '[{"a":1,"b":2},{"c":3,"0":"f"}]|[[1,2],[3,"f"]]'),
        ([1, 2, 3], '[[1,2],{"2":3,"3":"f"}]|[[1,2],[3,"f"]]'),
        ({"1": "a", "0": "b", "7": "c"}, '[{"1":"a","0":"b"},{"7":"c","8":"f"}]|[["a","b"],["c","f"]]'),
    ],
)
def test_batch_fills_after_the_largest_integer_key(runner: Runner, value: Any, expected: str) -> None:
    template = "{{ v|batch(2, 'f')|json_encode }}|{{ v|batch(2, 'f', false)|json_encode }}"
    assert render(runner, template, {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        (False, 2, "[false]"),
        (True, 3, "[true]"),
        (0, 2, "[0]"),
        (12, 3, "[12]"),
        (12, 2, '["12"]'),
        (True, None, '["1"]'),
        (0, 1, '["0"]'),
        ("ab", 3, '["ab"]'),
        (None, 2, '[""]'),
    ],
)
def test_split_of_a_value_shorter_than_the_limit_keeps_it(
    runner: Runner, value: Any, limit: Any, expected: str
) -> None:
    assert render(runner, "{{ v|split('', l)|json_encode }}", {"v": value, "l": limit}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [
        ([[1, 2], [3, 4], {"0": 5}], 0, '[1,3,5]|{"2":1,"4":3,"5":5}'),
        ([[1, 2], [3]], 1, '[2]|{"2":2}'),
        ([["a", "b"]], "0", '["a"]|{"b":"a"}'),
        ({"x": [1, 2], "y": {"1": "q", "0": "r"}}, 0, '[1,"r"]|{"2":1,"q":"r"}'),
        ([[1], {"a": 2}], 0, "[1]|[1]"),
    ],
)
def test_column_reads_list_rows(runner: Runner, value: Any, key: Any, expected: str) -> None:
    template = "{{ v|column(k)|json_encode }}|{{ v|column(k, 1)|json_encode }}"
    assert render(runner, template, {"v": value, "k": key}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("é", "é    |    é|é|é  |****é"),
        ("ab", "ab    |    ab|ab|ab  |****ab"),
        ("éa", "éa   |   éa|é|éa |***éa"),
        ("😀", "😀  |  😀|\ufffd|\ufffd |**😀"),
        ("aé", "aé   |   aé|a\ufffd|aé |***aé"),
        ("ÀÉÎ", "ÀÉÎ|ÀÉÎ|À|À\ufffd |ÀÉÎ"),
    ],
)
def test_format_counts_string_widths_in_bytes(runner: Runner, value: str, expected: str) -> None:
    template = "{{ '%-6s|%6s|%.2s|%-4.3s|%\\'*6s'|format(v, v, v, v, v) }}"
    assert render(runner, template, {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"), [(65, "A"), (321, "A"), (128, "\ufffd"), (255, "\ufffd"), (-1, "\ufffd")]
)
def test_format_c_writes_one_byte(runner: Runner, value: int, expected: str) -> None:
    assert render(runner, "{{ '%c'|format(v) }}", {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("value", [" 7 ", " 7", "7 ", "7\n", "\t7", "1709280000 "])
def test_date_of_digits_with_blanks_is_no_timestamp(runner: Runner, value: str) -> None:
    with pytest.raises(MappingError, match="Failed to parse time string"):
        render(runner, "{{ v|date('Y-m-d H:i:s') }}", {"v": value})


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"), [("007", "1970-01-01 00:00:07"), ("-7", "1969-12-31 23:59:53")]
)
def test_date_of_digits_is_a_timestamp(runner: Runner, value: str, expected: str) -> None:
    assert render(runner, "{{ v|date('Y-m-d H:i:s') }}", {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("value", ["  ", "\n", "\t "])
def test_date_of_blanks_is_now(runner: Runner, value: str) -> None:
    template = "{{ v|date('Y-m-d') == 'now'|date('Y-m-d') ? 'now' : 'other' }}"
    assert render(runner, template, {"v": value}) == "now"


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("\u00a0", "/\\s/", "n"),
        ("\u00a0", "/\\s/u", "y"),
        ("é", "/^\\w$/", "n"),
        ("é", "/^\\w$/u", "y"),
        ("É", "/é/i", "n"),
        ("É", "/é/iu", "y"),
        ("٣", "/\\d/", "n"),
        ("٣", "/\\d/u", "y"),
        ("a\u2028b", "/\\s/", "n"),
        ("ABC", "/abc/i", "y"),
        ("éa", "/\\bA/i", "y"),
        ("x\x0by", "/\\s/", "y"),
    ],
)
def test_matches_without_u_is_ascii_only(runner: Runner, value: str, pattern: str, expected: str) -> None:
    assert render(runner, "{{ v matches p ? 'y' : 'n' }}", {"v": value, "p": pattern}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ([1], {"a": 1}, "falsefalsefalsefalse11"),
        ({"a": 1}, [1], "falsefalsefalsefalse11"),
        ({"a": 1}, {"b": 1}, "falsefalsefalsefalse11"),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, "falsetruefalsetrue00"),
        ({"a": 2}, {"a": 1}, "truetruefalsefalse1-1"),
        ("abc", 1, "truetruefalsefalse1-1"),
        (1.5, "1.5x", "falsefalsetruetrue-11"),
    ],
)
def test_greater_is_the_swapped_less(runner: Runner, left: Any, right: Any, expected: str) -> None:
    template = (
        "{{ (a > b)|json_encode }}{{ (a >= b)|json_encode }}{{ (a < b)|json_encode }}"
        "{{ (a <= b)|json_encode }}{{ a <=> b }}{{ b <=> a }}"
    )
    assert render(runner, template, {"a": left, "b": right}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-061", "2024-03-01 00:00:00"),
        ("2024-366", "2024-12-31 00:00:00"),
        ("2023-366", "2024-01-01 00:00:00"),
        ("2024-061T10:00:00Z", "2024-03-01 10:00:00"),
        ("24-03-01", "2024-03-01 00:00:00"),
        ("69-12-31", "2069-12-31 00:00:00"),
        ("70-01-01", "1970-01-01 00:00:00"),
        ("01-03-24", "2001-03-24 00:00:00"),
        ("24-03-01T10:00:00+02:00", "2024-03-01 08:00:00"),
        ("2024-06", "2024-06-01 00:00:00"),
    ],
)
def test_date_reads_days_of_the_year_and_two_digit_years(runner: Runner, value: str, expected: str) -> None:
    assert render(runner, "{{ v|date('Y-m-d H:i:s') }}", {"v": value}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ date(d) in [date(d)] ? 'in' : 'out' }}", "out"),
        (
            "{% set x = date(d) %}{{ x in [x] ? 'in' : 'out' }}|{{ x in {'k': x} ? 'in' : 'out' }}"
            "|{{ x in [1, x] ? 'in' : 'out' }}",
            "in|in|in",
        ),
        ("{% set x = date(d) %}{{ x in [x|date_modify('+0 day')] ? 'in' : 'out' }}", "out"),
        ("{{ date(d) in [d] ? 'in' : 'out' }}", "out"),
        ("{{ 1 in [date(d)] ? 'in' : 'out' }}", "in"),
        ("{{ date(d) not in [date(d)] ? 'nin' : 'in' }}", "nin"),
    ],
)
def test_a_date_is_in_an_array_only_as_the_same_instance(
    runner: Runner, template: str, expected: str
) -> None:
    assert render(runner, template, {"d": "2024-03-01T10:00:00+02:00"}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ (ns / big)|json_encode }}", "4.6629367034256575e-15"),  # both operands as doubles first
        ("{{ (big / 3)|json_encode }}", "3002399751580331"),
        ("{{ (big / big)|json_encode }}", "1"),
        ("{{ (big / 7.0)|json_encode }}", "1286742750677284.5"),
        ("{{ (10 / 4)|json_encode }}", "2.5"),
    ],
)
def test_division_is_a_division_of_doubles(runner: Runner, template: str, expected: str) -> None:
    assert render(runner, template, {"big": 9007199254740993, "ns": " 42"}) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ range(0, 3, 1.5)|json_encode }}", "[0,1.5,3]"),
        ("{{ range('a', 0)|json_encode }}", "[0]"),
        ("{{ range(0, 'c')|json_encode }}", "[0]"),
        ("{{ range('1', '3')|json_encode }}", "[1,2,3]"),
        ("{{ range('a', 'c', 2)|json_encode }}", '["a","c"]'),
        ("{{ range('', 'c')|json_encode }}", "[0]"),
        ("{{ range('12abc', 14)|json_encode }}", "[12,13,14]"),
        ("{{ range(null, 2)|json_encode }}", "[0,1,2]"),
        ("{{ range(true, 3)|json_encode }}", "[1,2,3]"),
        ("{{ range('1.5', 3)|json_encode }}", "[1,2,3]"),
        ("{{ range('a', 'c', 1.5)|json_encode }}", "[0]"),
        ("{{ ('a'..2)|json_encode }}", "[0,1,2]"),
        ("{{ (1..'c')|json_encode }}", "[1,0]"),
        ("{{ ('A'..'c')|length }}", "35"),
        ("{{ range(0, 10, -3)|json_encode }}", "[0,3,6,9]"),
        ("{{ range(3, 3, 5)|json_encode }}", "[3]"),
        ("{{ range('ab', 'cd')|json_encode }}", '["a","b","c"]'),
        ("{{ range([], 2)|json_encode }}", "[0,1,2]"),
        ("{{ range(0, [1, 2])|json_encode }}", "[0,1]"),
        ("{{ range(' 1', 3)|json_encode }}", "[1,2,3]"),
        ("{{ range('a', '3')|json_encode }}", "[0,1,2,3]"),
    ],
)
def test_range_converts_its_bounds_as_php(runner: Runner, template: str, expected: str) -> None:
    assert render(runner, template) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    "template",
    [
        "{{ range(1, 2, 5) }}",
        "{{ range(0, 5, 10) }}",
        "{{ range(5, 0, 10) }}",
        "{{ range(0, 0.5, 1) }}",
        "{{ range(0, 1, 0) }}",
    ],
)
def test_range_refuses_a_step_beyond_its_span(runner: Runner, template: str) -> None:
    with pytest.raises(MappingError, match=r"Argument #3 \(\$step\) must not exceed the specified range"):
        render(runner, template)


NAMED_DATA = {"v": " a,b ", "n": 1234.567, "l": [1, 2, 3], "d": "2024-03-01T10:00:00+02:00"}


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ v|trim(character_mask=' a') }}|", ",b|"),
        ("{{ v|trim(character_mask=' ,', side='left') }}|", "a,b |"),
        ("{{ d|date(format='Y H') }}", "2024 08"),
        ("{{ d|date(timezone='Europe/Amsterdam', format='H:i') }}", "09:00"),
        ("{{ v|replace(from={'a': 'A'}) }}", " A,b "),
        ("{{ n|number_format(decimal=2) }}", "1,234.57"),
        ("{{ n|number_format(2, thousand_sep=' ') }}", "1 234.57"),
        ("{{ n|number_format(decimal_point=',', thousand_sep='') }}", "1235"),
        ("{{ n|number_format(2, null, ' ') }}", "1 234.57"),
        ("{{ n|number_format(null, ',') }}", "1,235"),
        ("{{ n|number_format(2, ',', null) }}", "1,234,57"),
        ("{{ l|json_encode(flags=constant('JSON_PRETTY_PRINT')) }}", "[\n    1,\n    2,\n    3\n]"),
        ("{{ l|merge(arr2=[9])|json_encode }}", "[1,2,3,9]"),
        ("{{ date(date=d)|date('Y') }}", "2024"),
        ("{{ date(timezone='UTC', date=d)|date('H') }}", "08"),
        ("{{ constant(constant='PHP_INT_MAX') }}", "9223372036854775807"),
        ("{{ random(values=[5]) }}", "5"),
        ("{{ random(5, max=5) }}", "5"),
    ],
)
def test_arguments_go_by_twig_names(runner: Runner, template: str, expected: str) -> None:
    assert render(runner, template, NAMED_DATA) == expected


@pytest.mark.parametrize("runner", RUNNERS)
def test_json_encode_has_no_options_argument(runner: Runner) -> None:
    with pytest.raises(MappingError):
        render(runner, "{{ l|json_encode(options=0) }}", NAMED_DATA)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # trim(preg_replace('/>\s+</', '><', $s)): PHP's trim and PCRE's \s are ASCII (no-break space kept)
        ("{{ '\u00a0 <b> x </b> \u00a0'|spaceless }}", "\u00a0 <b> x </b> \u00a0"),
        ("{{ ('\x00<i>  </i>\x00')|spaceless|json_encode }}", '"<i><\\/i>"'),
        ("{{ '\t\n<a>\x0b</a>\r '|spaceless|json_encode }}", '"<a><\\/a>"'),
        # Twig's argument name
        ("{{ '<p>a</p><b>b</b>'|striptags(allowable_tags='<b>') }}", "a<b>b</b>"),
    ],
)
def test_spaceless_and_striptags_as_twig(runner: Runner, template: str, expected: str) -> None:
    assert render(runner, template) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        # Twig: is_string($a = L) && is_string($b = R) && …: R is not evaluated unless L is a string
        ("{{ 1 starts with [1]|merge(5) ? 'y' : 'n' }}", {}, "n"),
        ("{{ n ends with [1]|merge(5) ? 'y' : 'n' }}", {"n": None}, "n"),
        ("{{ 'ab' starts with ('a' starts with 'a') ? 'y' : 'n' }}", {}, "n"),
        ("{{ ('ab'|raw) starts with 'a' ? 'y' : 'n' }}", {}, "y"),
        ("{{ x ends with 'bc' ? 'y' : 'n' }}", {"x": "abc"}, "y"),
    ],
)
def test_starts_and_ends_with_evaluate_the_right_side_only_for_a_string(
    runner: Runner, template: str, data: dict[str, Any], expected: str
) -> None:
    assert render(runner, template, data) == expected


@pytest.mark.parametrize("runner", RUNNERS)
def test_starts_with_still_evaluates_the_right_side_of_a_string(runner: Runner) -> None:
    with pytest.raises(MappingError, match="merge filter only works with arrays"):
        render(runner, "{{ x starts with [1]|merge(5) }}", {"x": "abc"})
