"""Cold import time of every handler of the build output against a bare Powertools handler.

Each sample is a fresh interpreter that imports one handler module the way Lambda does: only the
CoreLayer and the function's own code on ``sys.path`` (``-S``: no site-packages), with the bytecode
that ``make build`` precompiled. Samples are interleaved so machine noise hits all alike.

    make build && .venv/bin/python benchmarks/cold_start.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
SNIPPET = (
    "import sys, time; sys.path[:0] = sys.argv[1:3]; t = time.perf_counter(); import app; "
    "print(time.perf_counter() - t)"
)


def sample(code_dir: Path, layer: Path) -> float:
    env = {"AWS_DEFAULT_REGION": "eu-west-1", "POWERTOOLS_SERVICE_NAME": "bench", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-S", "-c", SNIPPET, str(code_dir), str(layer)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    layer = BUILD / "CoreLayer" / "python"
    if not layer.is_dir():
        sys.exit("No build output: run `make build` first.")
    with tempfile.TemporaryDirectory() as tmp:
        baseline_dir = Path(tmp)
        shutil.copy(ROOT / "benchmarks" / "baseline_handler.py", baseline_dir / "app.py")
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(baseline_dir)], check=True)
        targets = {"baseline (bare Powertools)": baseline_dir}
        targets |= {d.name: d for d in sorted(BUILD.iterdir()) if (d / "app.py").is_file()}
        times: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(rounds):
            for name, code_dir in targets.items():
                times[name].append(sample(code_dir, layer))
    base = statistics.median(times["baseline (bare Powertools)"])
    print(f"cold import, median of {rounds} fresh interpreters (python {sys.version.split()[0]})")
    print(f"{'handler':32} {'median ms':>10} {'ratio':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32} {median * 1000:10.1f} {median / base:7.2f}")


if __name__ == "__main__":
    main()
