"""The compiled Twig templates alone, beside the sandboxed Jinja renderer: every render of the xxllnc
case → zaak mapping (with its 12 sub-mappings) replayed on the same variables.

    python benchmarks/templates.py [--cases 300] [--rounds 5]

The renders are recorded while the engine maps synthetic xxllnc cases (``benchmarks/mapping.py``), then
replayed: each compiled function (plus the finishing entity decode) and, as the baseline, the Jinja
renderer on the same template text and variables. ``executeMapping`` is a stub returning one small
array in both, so only template code is timed. Outputs are checked equal first; the rounds alternate
and the best round of each counts. It also counts the Python calls per case of the compiled code
(a deterministic measure on a noisy machine).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import mapping as workload  # type: ignore[import-not-found]  # noqa: E402

from openconnector_core.mapping import MappingEngine  # noqa: E402
from openconnector_core.twig import compiler  # noqa: E402
from openconnector_core.twig.environment import TemplateRenderer  # noqa: E402
from openconnector_core.twig.limits import start_budget  # noqa: E402
from openconnector_core.twig.rendering import PythonTemplate, finish  # noqa: E402


def stub_mapping(*_arguments: Any, **_keywords: Any) -> dict[str, Any]:
    return {"x": 1, "y": ["a", "b"]}


def record_renders(cases: int) -> list[tuple[str, Any, Any]]:
    """(template text, compiled function, variables) of every compiled render while mapping ``cases``."""
    renders: list[tuple[str, Any, Any]] = []
    compile_template = compiler.compile_template

    def recording(text: str) -> PythonTemplate | None:
        template = compile_template(text)
        if template is None:
            return None
        function = template.function

        def render(data: Any, functions: Any) -> list[str]:
            renders.append((text, function, data))
            return function(data, functions)

        return PythonTemplate(render, template.functions, template.source)

    compiler.compile_template = recording  # type: ignore[assignment]
    try:
        by_slug = {path.stem: workload.stored(path) for path in workload.MAPPINGS.glob("*.json")}
        engine = MappingEngine(resolver=lambda ref: by_slug.get(workload.NUMERIC_IDS.get(ref, ref)))
        rng = random.Random(20240301)
        mapping = by_slug["xxllnc-v1-case-to-zgw-zaak"]
        for index in range(cases):
            engine.run(mapping, workload.synthetic_case(rng, index))
    finally:
        compiler.compile_template = compile_template
    return renders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    workload.dates.clock = lambda: moment
    renders = record_renders(arguments.cases)
    functions = {"executeMapping": stub_mapping}
    renderer = TemplateRenderer(functions=functions)
    budget, _ = start_budget(3600.0)  # one budget for the replay: loops tick it as in a run

    def compiled() -> list[str]:
        budget.iterations = 0
        return [finish(function(data, functions)) for _, function, data in renders]

    def jinja() -> list[str]:
        return [renderer.render(text, data) for text, _, data in renders]

    if compiled() != jinja():
        raise SystemExit("the compiled templates and the renderer disagree")
    contenders = {"compiled templates": compiled, "Jinja renderer": jinja}
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(arguments.rounds):
        for name, run in contenders.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    profiler = cProfile.Profile()
    profiler.enable()
    compiled()
    profiler.disable()
    calls = sum(entry[1] for entry in pstats.Stats(profiler).stats.values())  # type: ignore[attr-defined]
    cases = arguments.cases
    print(f"templates of the xxllnc case: {len(renders) / cases:.1f} renders per case, {cases:,} cases")
    for name in contenders:
        ratio = best[name] / best["compiled templates"]
        print(f"  {name:<20}{1e6 * best[name] / cases:8.1f} us/case   this / compiled: {ratio:5.2f}x")
    print(f"  compiled templates: {calls / cases:,.0f} Python calls per case")


if __name__ == "__main__":
    main()
