"""Renders kept for data seen before (``mapping.memo``): a kept render gives exactly what running it
gives — output, copies, errors and limits — and nothing that depends on more than its data is kept."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.php import dates
from openconnector_core.twig.limits import MAX_ITERATIONS
from tests.support.mapping_pairs import PAIRS, SEED, SUB_MAPPINGS, data, mapping, outcome, template

ROWS = (
    "[{% for row in rows %}{% if not loop.first %},{% endif %}"
    "{{ executeMapping('row', row)|json_encode }}{% endfor %}]"
)
ROW = {
    "id": "row",
    "version": "1",
    "name": "row",
    "mapping": {"label": "{% for n in names %}{{ n }}{% endfor %}"},
}
LIST = {"name": "list", "mapping": {"out": ROWS}, "cast": {"out": "jsonToArray"}}


def test_a_second_run_gives_what_the_first_gave_on_generated_pairs() -> None:
    # Given the differential generator's pairs, and one engine for all of them
    rng = random.Random(SEED + 7)
    templates = [template(rng) for _ in range(160)]
    engine = MappingEngine(resolver=SUB_MAPPINGS.get)
    interpreter = MappingInterpreter(resolver=SUB_MAPPINGS.get)
    differences: list[str] = []
    for index in range(PAIRS // 2):
        definition, given = mapping(rng, templates), data(rng)
        list_mode = rng.random() < 0.08
        expected = outcome(interpreter, definition, given, list_mode)
        # When each runs twice (the second run takes what the first kept)
        runs = [outcome(engine, definition, given, list_mode) for _ in range(2)]
        # Then both equal the interpreter's outcome
        if runs != [expected, expected]:
            differences.append(f"pair {index}: {definition!r} on {given!r}\n  {expected}\n  {runs}")
    assert not differences, "\n".join(differences[:5])
    assert engine._runtime.memo.hits > 200  # the second runs did take kept renders


def test_a_kept_array_is_handed_out_as_a_fresh_copy() -> None:
    engine = MappingEngine(resolver={"row": ROW}.get)
    given = {"rows": [{"names": ["a", "b"]}, {"names": ["c"]}]}
    first = engine.run(LIST, given)
    first["out"][0]["label"] = "changed"  # type: ignore[call-overload,index]
    first["out"].append("more")  # type: ignore[call-overload,union-attr]

    assert engine.run(LIST, given) == {"out": [{"label": "ab"}, {"label": "c"}]}
    assert engine._runtime.memo.hits >= 1


def test_a_changed_sub_mapping_is_run_again() -> None:
    # Given a kept render that called a stored sub-mapping
    store = {"row": ROW}
    engine = MappingEngine(resolver=store.get)
    given = {"rows": [{"names": ["a"]}]}
    assert engine.run(LIST, given) == {"out": [{"label": "a"}]}
    # When the sub-mapping is saved again (a new version) / Then the render runs with it
    store["row"] = {**ROW, "version": "2", "mapping": {"label": "{% for n in names %}<{{ n }}>{% endfor %}"}}
    assert engine.run(LIST, given) == {"out": [{"label": "<a>"}]}
    # And a reference that is gone fails as it would without the memo
    del store["row"]
    with pytest.raises(Exception, match="executeMapping: mapping 'row' not found"):
        engine.run(LIST, given)


def test_renders_that_read_the_clock_draw_chance_or_call_out_are_never_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(dates, "clock", lambda: moment[0])
    calls: list[Any] = []

    def outside(value: Any) -> str:
        calls.append(value)
        return f"called {len(calls)}"

    engine = MappingEngine(functions={"outside": outside})
    definition = {
        "mapping": {
            "time": "{% for i in [1] %}{{ 'now'|date('H:i') }}{% endfor %}",
            "call": "{% for i in [1] %}{{ outside(i) }}{% endfor %}",
            "uuid": "{% for i in [1] %}{{ generateUuid() }}{% endfor %}",
        }
    }
    first = engine.run(definition, {"x": 1})
    moment[0] += timedelta(minutes=1)
    second = engine.run(definition, {"x": 1})

    assert (first["time"], second["time"]) == ("09:00", "09:01")  # type: ignore[call-overload]
    assert (first["call"], second["call"]) == ("called 1", "called 2")  # type: ignore[call-overload]
    assert first["uuid"] != second["uuid"]  # type: ignore[call-overload]
    assert engine._runtime.memo.kept == 0


def test_a_kept_render_still_counts_its_loop_iterations() -> None:
    # Given one template looping some 150,000 times (its ranges count too), used by two rules on the
    # same data: the second rule would take the kept render, but together they pass the limit
    loop = "{% for i in range(1, 250) %}{% for j in range(1, 300) %}{% endfor %}{% endfor %}done"
    definition = {"name": "loops", "mapping": {"a": loop, "b": loop}}
    engine, interpreter = MappingEngine(), MappingInterpreter()

    # When both run it / Then both fail alike, in the same rule
    expected = outcome(interpreter, definition, {"x": 1}, False)
    assert expected.startswith("er") and str(MAX_ITERATIONS) in expected
    assert outcome(engine, definition, {"x": 1}, False) == expected
    # And a run with the rule alone is kept and taken again, within the limit
    single = {"name": "loops", "mapping": {"a": loop}}
    assert [engine.run(single, {"x": 1}) for _ in range(2)] == [{"a": "done"}] * 2


def test_threads_sharing_one_engine_get_their_own_results() -> None:
    engine = MappingEngine(resolver={"row": ROW}.get)
    inputs = [{"rows": [{"names": [str(n % 7), "x"]}] * (1 + n % 3)} for n in range(60)]
    expected = [MappingInterpreter(resolver={"row": ROW}.get).run(LIST, given) for given in inputs]
    failures: list[str] = []
    barrier = threading.Barrier(4)

    def worker(offset: int) -> None:
        barrier.wait()
        for step in range(300):
            index = (offset * 17 + step) % len(inputs)
            result = engine.run(LIST, inputs[index])
            if result != expected[index]:
                failures.append(f"{index}: {result!r} != {expected[index]!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert engine._runtime.memo.hits > 100


def test_a_render_printing_todays_date_is_kept_until_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a render printing today's date (as the xxllnc field mapping's beginGeldigheid does)
    moment = [datetime(2026, 12, 1, 23, 59, 58, tzinfo=UTC)]
    monkeypatch.setattr(dates, "clock", lambda: moment[0])
    engine = MappingEngine()
    definition = {"mapping": {"day": "{% for i in [1] %}{{ 'now'|date('Y-m-d') }}{% endfor %}"}}

    # When it runs within the day, and again after midnight
    first = engine.run(definition, {"x": 1})
    moment[0] += timedelta(seconds=1)
    second = engine.run(definition, {"x": 1})
    moment[0] += timedelta(seconds=2)
    third = engine.run(definition, {"x": 1})

    # Then the day's text is kept until midnight, and the next day's computed
    assert [first, second, third] == [{"day": "2026-12-01"}, {"day": "2026-12-01"}, {"day": "2026-12-02"}]
    assert engine._runtime.memo.hits == 1


def test_a_sub_mapping_called_with_repeating_data_is_kept_whole() -> None:
    # Given a sub-mapping called by a template whose own data never repeats
    store = {"row": ROW}
    engine = MappingEngine(resolver=store.get)
    definition = {
        "mapping": {"row": "{{ executeMapping('row', shared)|json_encode }}", "id": "id"},
        "cast": {"row": "jsonToArray"},
    }
    interpreter = MappingInterpreter(resolver=store.get)
    # When records with their own ids and the same shared part are mapped
    for n in range(200):
        given = {"id": n, "shared": {"names": ["a", "b"]}}
        assert engine.run(definition, given) == interpreter.run(definition, given)
    # Then the sub-mapping's result was taken from the memo after the first record
    assert engine._runtime.memo.hits >= 199
