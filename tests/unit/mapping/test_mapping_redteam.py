"""Red-team attacks on the template sandbox, kept as regressions (pure: no sockets, no files).

Every attack must end in a MappingError (or be harmless) quickly and without large allocations.
Timing bounds are generous (the machine is noisy): < 1 s for what the engine refuses up front,
< 2.5 s for what only the run's 1 s time budget stops.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine

DOUBLE_STRING = "{% set s = 'x' %}{% for i in 1..22 %}{% set s = s ~ s %}{% endfor %}"  # 4 Mi chars
DAG = "{% set l = 1 %}{% for i in 1..60 %}{% set l = [l, l] %}{% endfor %}"  # 2**60 leaves, 60 nodes
DAG_MAP = "{% set l = 1 %}{% for i in 1..60 %}{% set l = {'a': l, 'b': l} %}{% endfor %}"
DAG_OTHER = "{% set m = 1 %}{% for i in 1..60 %}{% set m = [m, m] %}{% endfor %}"


def run(template: str, data: dict[str, Any] | None = None) -> Any:
    engine = MappingEngine(resolver={}.get)
    return engine.run({"name": "attack", "mapping": {"r": template}}, data or {"a": {"k": "v"}, "s": "abc"})


def refused_within(template: str, seconds: float) -> str:
    started = time.perf_counter()
    with pytest.raises(MappingError) as caught:
        run(template)
    assert time.perf_counter() - started < seconds
    return caught.value.message


# ------------------------------------------------------------------ Python internals


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''['__class__'] }}",
        "{{ attribute('', '__class__') }}",
        "{{ _context['__class__'] }}",
        "{{ executeMapping.__self__ }}",
        "{{ executeMapping.__func__ }}",
        "{{ attribute(executeMapping, '__globals__') }}",
        "{{ executeMapping['__globals__'] }}",
        "{{ generateUuid.__module__ }}",
        "{{ (x => x).__code__ }}",
        "{{ a.__getitem__('k') }}",
        "{{ a.get.__self__ }}",
        "{{ date('now').__reduce__() }}",
        "{{ date('now').tzinfo }}",
        "{{ [range]|map(x => x.__self__)|join }}",
        "{{ [1,2]|sort((a, b) => a.__class__)|join }}",
        "{{ [1]|reduce((c, x) => c.__class__) }}",
        "{{ ('{\"a\":1}'|json_decode).__class__ }}",
        "{{ '%s'|format(''.__class__) }}",
        "{% macro m() %}x{% endmacro %}",
        "{% import _self as s %}",
        "{% from _self import m %}",
        "{% embed 'x' %}{% endembed %}",
        "{{ [1]|_method('__class__') }}",
        "{{ 1|_raw_const }}",
    ],
)
def test_python_internals_stay_out_of_reach(template: str) -> None:
    with pytest.raises(MappingError):
        run(template)


@pytest.mark.parametrize(
    "name", ["attr", "pprint", "items", "unique", "center", "indent", "wordwrap", "xmlattr", "string"]
)
def test_jinja_only_filters_are_not_available(name: str) -> None:
    # attr/pprint/items/unique printed Python reprs (addresses); center/indent allocated without bound
    with pytest.raises(MappingError, match=f'Unknown "{name}" filter'):
        run("{{ a|" + name + "(10) }}")


def test_the_callables_the_engine_injects_print_as_nothing() -> None:
    assert run("{{ executeMapping }}{{ range }}{{ _fns }}{{ _c }}{{ _arrows }}") == {"r": ""}
    assert run("{{ executeMapping|json_encode }}") == {"r": "null"}


def test_strings_methods_beyond_the_whitelist_do_nothing() -> None:
    assert run("{{ '{0.__class__}'.format('a') }}{{ ','.join(['a']) }}{{ 'a'.encode() }}") == {"r": ""}
    assert run("{% do a.update({'k': 2}) %}{{ a.k }}") == {"r": "v"}


def test_time_zone_names_cannot_reach_files() -> None:
    with pytest.raises(MappingError, match="ZoneInfo"):
        run("{{ 'now'|date('Y', '../../../../etc/passwd') }}")


# ------------------------------------------------------------------ CPU and memory


@pytest.mark.parametrize(
    "template",
    [
        "{{ '%.999999999f'|format(1) }}{{ '%.99999999e'|format(1)|length > 60 ? fail() : '' }}",
        "{{ [1]|batch(100000000, 'x')|length }}",
        "{% set l = [1] %}{% for i in 1..40 %}{% set l = l|merge(l) %}{% endfor %}{{ l|length }}",
        "{{ range(1, 30)|reduce((c, x) => c|merge(c), [1])|length }}",
        DAG + "{{ l|json_encode|length }}",
        DAG_MAP + "{{ l|url_encode|length }}",
        DAG + "{{ l == l }}",
        DAG + DAG_OTHER + "{{ l == m }}",
        DAG + DAG_OTHER + "{{ l < m }}",
        DAG + DAG_OTHER + "{{ l in [m] }}",
        DAG + DAG_OTHER + "{{ [l, m]|sort|length }}",
        DAG + DAG_OTHER + "{{ max(l, m)|length }}",
        DAG_MAP + "{{ executeMapping({'mapping': {'x': 'a'}}, l)|json_encode }}",
        DAG_MAP + "{{ executeMapping({'mapping': {'x': 'b'}, 'passThrough': true}, l)|length }}",
        DOUBLE_STRING + "{% set l = [s] %}{% for i in 1..12 %}{% set l = l|merge(l) %}{% endfor %}"
        "{{ l|join|length }}",
        DOUBLE_STRING + "{% set l = [s] %}{% for i in 1..12 %}{% set l = l|merge(l) %}{% endfor %}"
        "{{ l|json_encode|length }}",
        DOUBLE_STRING + "{{ s|replace({'x': 'yy'})|length }}",
        DOUBLE_STRING + "{{ s|replace('', 'ab')|length }}",
        DOUBLE_STRING + "{{ (s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s)|length }}",
        DOUBLE_STRING + "{{ ('x' ~ s)|split('')|join(',')|length }}",
        DOUBLE_STRING + "{{ s|split('', 2)|length }}{{ s|split('')|length }}",
        "{% set s = ' ' %}{% for i in 1..21 %}{% set s = s ~ s %}{% endfor %}{{ s|url_encode|length }}",
        "{% set s = '\n' %}{% for i in 1..21 %}{% set s = s ~ s %}{% endfor %}{{ s|nl2br|length }}",
        "{% set s = '\"' %}{% for i in 1..22 %}{% set s = s ~ s %}{% endfor %}{{ s|e|e|length }}",
        "{% set l = [1] %}{% for i in 1..600 %}{% set l = [l] %}{% endfor %}{{ executeMapping("
        "{'mapping': {'x': 'a'}}, {'a': l})|json_encode }}",
    ],
)
def test_resource_attacks_are_refused_up_front(template: str) -> None:
    refused_within(template, 1.0)


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' matches '/^(a+)+$/' }}",
        DOUBLE_STRING + "{{ s matches '/(x*)*y/' }}",
        "{{ range(1, 99999)|sort((a, b) => b - a)|first }}",
        "{{ range(1, 99999)|map(x => x)|map(x => x)|map(x => x)|map(x => x)|length }}",
    ],
)
def test_runaway_work_stops_at_the_time_budget(template: str) -> None:
    message = refused_within(template, 2.5)
    assert "time budget" in message or "loop iterations" in message


@pytest.mark.parametrize(
    "template",
    [
        "{{ range(1, 99999)|reduce((c, x) => c ~ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')|length }}",
        "{% set s = 'x ' %}{% for i in 1..21 %}{% set s = s ~ s %}{% endfor %}{{ s|title|length }}",
    ],
)
def test_heavy_but_finite_work_finishes_or_stops_at_the_time_budget(template: str) -> None:
    # Whether these finish inside the budget depends on the machine; either way the run is bounded.
    started = time.perf_counter()
    try:
        run(template)
    except MappingError as error:
        assert "time budget" in error.message or "loop iterations" in error.message
    assert time.perf_counter() - started < 2.5


def test_a_deep_structure_encodes_like_php_json_encode_depth_512() -> None:
    deep = "{% set l = [1] %}{% for i in 1..600 %}{% set l = [l] %}{% endfor %}"
    assert run(deep + "{{ l|json_encode }}") == {"r": ""}  # PHP: false (depth error)
    assert run(
        "{% set l = [1] %}{% for i in 1..100 %}{% set l = [l] %}{% endfor %}{{ l|json_encode|length }}"
    )


def test_float_precision_is_truncated_to_53_digits_like_php() -> None:
    assert run("{{ '%.999999999f'|format(1) }}") == {"r": "1." + "0" * 53}


def test_batch_fill_still_pads_small_batches() -> None:
    assert run("{{ [1, 2, 3]|batch(2, 'x')|last|length }}") == {"r": "2"}


def test_shared_arrays_of_a_reasonable_size_still_work() -> None:
    shared = "{% set x = {'k': 'v'} %}{% set l = [x, x, x] %}"
    assert run(shared + "{{ l|json_encode }}") == {"r": '[{"k":"v"},{"k":"v"},{"k":"v"}]'}
    assert run(shared + "{{ l == [x, x, x] }}") == {"r": "1"}
    assert run(shared + "{{ executeMapping({'mapping': {'n': 'b.k'}}, {'a': x, 'b': x})|json_encode }}") == {
        "r": '{"n":"v"}'
    }


def test_benign_regular_expressions_still_match() -> None:
    assert run("{{ 'a.b.c' matches '/^([a-z]+\\\\.)*[a-z]+$/' }}") == {"r": "1"}
    assert run("{{ '2024-01' matches '/^\\\\d{4}-\\\\d{2}$/' }}") == {"r": "1"}


def test_off_the_main_thread_catastrophic_patterns_are_refused_before_they_run() -> None:
    outcome: dict[str, Any] = {}

    def work() -> None:
        started = time.perf_counter()
        try:
            run("{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' matches '/^(a+)+$/' }}")
        except MappingError as error:
            outcome["error"] = error.message
        outcome["seconds"] = time.perf_counter() - started
        outcome["benign"] = run("{{ 'abc' matches '/^[a-z]+$/' }}")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert "backtrack without bound" in outcome["error"]
    assert outcome["seconds"] < 1.0
    assert outcome["benign"] == {"r": "1"}


def test_a_timer_the_process_already_had_survives_a_match() -> None:
    import signal

    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        assert run("{{ 'abc' matches '/b/' }}") == {"r": "1"}
        time.sleep(0.5)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
