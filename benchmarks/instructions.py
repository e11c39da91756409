"""Instructions per record of the xxllnc case → zaak mapping, counted by valgrind's callgrind:
stable to a fraction of a percent where timings on a shared machine swing by tens of percents, so
an A/B of a small change can be read from one run of each side (not a replacement for
``benchmarks/mapping.py``: instructions are not time).

    python benchmarks/instructions.py [--records 1000] [--same | --corpus]

Runs this file under ``valgrind --tool=callgrind`` twice (hash seed fixed, address space not
randomized), mapping 0 and then ``--records`` synthetic cases after the same warm-up, and prints the
difference per record. ``--same`` maps one case again and again (the memo's best case);
``--corpus`` maps the conformance corpus' real xxllnc case again and again, its mapping given inline
as the corpus gives it (a small case: what every run costs). Needs valgrind
(``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _map(records: int, workload: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import mapping as bench  # benchmarks/mapping.py, imported only in the child

    from openconnector_core.mapping import MappingEngine

    if workload == "corpus":
        case = bench.corpus_case()
        definitions = case.get("mappings") or {}
        small = MappingEngine(resolver=definitions.get, time_budget_seconds=1e6)
        inputs = [json.loads(json.dumps(case["input"])) for _ in range(records + 100)]
        for data in inputs:  # the first 100: compiled, memo trials done
            small.run(case["mapping"], data)
        return

    by_slug = {path.stem: bench.stored(path) for path in bench.MAPPINGS.glob("*.json")}
    rng = random.Random(20240301)
    cases = [bench.synthetic_case(rng, index) for index in range(400)]
    if workload == "same":
        cases = [cases[0]] * len(cases)
    mapping = by_slug["xxllnc-v1-case-to-zgw-zaak"]
    # valgrind runs ~50× slower: the 1 s time budget per run would stop it
    engine = MappingEngine(
        resolver=lambda ref: by_slug.get(bench.NUMERIC_IDS.get(ref, ref)), time_budget_seconds=1e6
    )
    for case in cases[:100]:  # compiled, memo trials done
        engine.run(mapping, case, stored=True)
    for index in range(records):
        engine.run(mapping, cases[100 + index % 300], stored=True)


def _count(records: int, workload: str) -> int:
    command = ["setarch", "-R", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    command += [sys.executable, __file__, "--child", str(records), f"--{workload}"]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=True
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(done.stderr[-2000:])
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--same", action="store_true", help="one case mapped again and again")
    chosen.add_argument("--corpus", action="store_true", help="the corpus' real case again and again")
    chosen.add_argument("--distinct", action="store_true", help=argparse.SUPPRESS)  # the default
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    workload = "same" if arguments.same else "corpus" if arguments.corpus else "distinct"
    if arguments.child is not None:
        _map(arguments.child, workload)
        return
    per_record = (_count(arguments.records, workload) - _count(0, workload)) // arguments.records
    kind = {"same": "one case again", "corpus": "the corpus' case again", "distinct": "distinct cases"}
    print(f"xxllnc case → zaak, {kind[workload]}: {per_record:,} instructions per record")


if __name__ == "__main__":
    main()
