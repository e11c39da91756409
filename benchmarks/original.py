"""The mapping engine side by side with the original's: upstream OpenConnector's PHP MappingService
(run by ``benchmarks/original/harness.php``) and ours, on the xxllnc case → ZGW zaak mapping and the
synthetic cases of ``benchmarks/mapping.py``.

    python benchmarks/original.py --upstream DIR [--dot FILE] [--cases 3000] [--rounds 3] [--corpus]

``DIR`` is a checkout of ConductionNL/openconnector; Twig and adbario/php-dot-notation come from its
``vendor/`` (``composer install``), else from Debian's ``php-twig`` and ``--dot`` (a file defining
``Adbar\\Dot``). Needs ``php`` (8.2). Not part of ``make test`` or ``make bench``: the original's code
is not in this repository. The PHP runs come first, in three modes (CLI; opcache; opcache with the
function JIT — PHP 8.2.36's tracing JIT crashes inside Twig 3.5), then ours; each is the best of
``--rounds``, distinct cases and one case mapped again. Our engine's outputs on the first 200 cases are
handed to the harness, which checks the original's against them. ``--corpus`` maps the conformance
corpus' real xxllnc case (``real-xxllnc-case-to-zaak-stalled``: no case type, documents or milestone)
instead: what every run of the mapping costs, where the original is at its fastest.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from mapping import MAPPINGS, NUMERIC_IDS, corpus_case, stored, synthetic_case  # noqa: E402

from openconnector_core.mapping import MappingEngine  # noqa: E402

MAPPING = "xxllnc-v1-case-to-zgw-zaak"
PHP_MODES = [
    ("PHP CLI", []),
    ("PHP + opcache", ["-d", "opcache.enable_cli=1"]),
    (
        "PHP + opcache + JIT",
        ["-d", "opcache.enable_cli=1", "-d", "opcache.jit_buffer_size=64M", "-d", "opcache.jit=function"],
    ),
]
_RATE = re.compile(r"^\s*(distinct cases|one case again)\s.*?([\d.]+) records/s", re.MULTILINE)


def engine(mappings: dict[str, Any]) -> MappingEngine:
    """Our engine over the bundle's mappings (referenced by numeric id or slug)."""
    return MappingEngine(resolver=lambda reference: mappings.get(NUMERIC_IDS.get(reference, reference)))


def ours(mappings: dict[str, Any], records: list[Any], rounds: int) -> float:
    """Records/s of our engine (best round; a fresh engine each round, as benchmarks/mapping.py)."""
    best = float("inf")
    for _ in range(rounds):
        run = functools.partial(engine(mappings).run, stored=True)
        started = time.perf_counter()
        for record in records:
            run(mappings[MAPPING], record)
        best = min(best, time.perf_counter() - started)
    return len(records) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, type=Path, help="a ConductionNL/openconnector checkout")
    parser.add_argument(
        "--dot", type=Path, help="a file defining Adbar\\Dot (without the checkout's vendor/)"
    )
    parser.add_argument("--cases", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--corpus",
        action="store_true",
        help="map the conformance corpus' real xxllnc case (a small one) again and again instead",
    )
    arguments = parser.parse_args()

    mappings = {path.stem: stored(path) for path in MAPPINGS.glob("*.json")}
    rng = random.Random(20240301)
    if arguments.corpus:  # every record the same small case: "distinct" and "again" are alike
        cases = [corpus_case()["input"] for _ in range(arguments.cases)]
    else:
        cases = [synthetic_case(rng, index) for index in range(arguments.cases)]
    text = json.dumps(cases[0])
    repeated = [json.loads(text) for _ in range(arguments.cases)]

    checked = engine(mappings)
    expected = [checked.run(mappings[MAPPING], case, stored=True) for case in cases[:200]]

    rates: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "cases.json").write_text(json.dumps(cases))
        (folder / "mappings.json").write_text(json.dumps({"numeric_ids": NUMERIC_IDS, "mappings": mappings}))
        (folder / "expected.json").write_text(json.dumps(expected))
        command = [
            str(ROOT / "benchmarks" / "original" / "harness.php"),
            f"--upstream={arguments.upstream}",
            f"--cases={folder / 'cases.json'}",
            f"--mappings={folder / 'mappings.json'}",
            f"--expected={folder / 'expected.json'}",
            f"--rounds={arguments.rounds}",
            f"--patched={folder / 'patched'}",
        ]
        if arguments.dot is not None:
            command.append(f"--dot={arguments.dot}")
        for label, settings in PHP_MODES:
            done = subprocess.run(["php", *settings, *command], capture_output=True, text=True, check=False)
            print(f"--- {label}\n{done.stdout}{done.stderr}", end="")
            found = dict(_RATE.findall(done.stdout))
            if len(found) == 2:
                rates[label] = (float(found["distinct cases"]), float(found["one case again"]))
    rates["our engine (compiled)"] = (
        ours(mappings, cases, arguments.rounds),
        ours(mappings, repeated, arguments.rounds),
    )
    distinct, again = rates["our engine (compiled)"]
    kind = "the corpus' case" if arguments.corpus else "synthetic cases"
    print(f"\nxxllnc case → ZGW zaak, {kind}, {arguments.cases:,} records, best of {arguments.rounds} rounds")
    print(f"  {'':<24}{'distinct cases':>16}{'one case again':>18}   ours / this")
    for label, (rate, rate_again) in rates.items():
        print(
            f"  {label:<24}{rate:>12,.0f} r/s{rate_again:>14,.0f} r/s"
            f"   {distinct / rate:5.1f}x / {again / rate_again:5.1f}x"
        )


if __name__ == "__main__":
    main()
