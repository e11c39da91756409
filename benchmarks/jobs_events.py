"""Jobs, events and imports against plain baselines, on the in-memory container.

    .venv/bin/python benchmarks/jobs_events.py [N]

* job runner: one tick over N due jobs (claim, action, next run, job log) against N bare
  ``record_state`` writes of the same jobs (the least a runner must write);
* dispatch: N CloudEvents through ``EventService.dispatch`` to 20 subscriptions (1 pull match each,
  message written) against the bare matching loop over the same subscriptions;
* import: the original's xxllnc-zgw folder as a bundle (18 entities, references resolved) against
  creating the same entities through the entity service; then the second import (all unchanged).
Prints rates and ratios (engine / baseline).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openconnector_core.configuration.importer import Importer
from openconnector_core.container import Container
from openconnector_core.events.matching import matches
from openconnector_core.jobs import JobRunner

ROOT = Path(__file__).resolve().parents[1] / "tests" / "data" / "upstream-configurations" / "xxllnc-zgw"


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def jobs(n: int) -> None:
    engine = Container.in_memory()
    ids = [
        engine.entities.create("jobs", {"name": f"j{i}", "jobClass": "event"}).item["id"] for i in range(n)
    ]
    runner_s = timed(lambda: JobRunner(engine).run_due())
    base = Container.in_memory()
    base_ids = [
        base.entities.create("jobs", {"name": f"j{i}", "jobClass": "event"}).item["id"] for i in range(n)
    ]
    baseline_s = timed(
        lambda: [base.entities.record_state("jobs", i, {"status": "running"}) for i in base_ids]
    )
    assert len(ids) == n
    print(
        f"job runner   {n / runner_s:8.0f} jobs/s   baseline {n / baseline_s:8.0f} writes/s   "
        f"ratio {baseline_s / runner_s:.2f}"
    )


def dispatch(n: int) -> None:
    container = Container.in_memory()
    for i in range(20):
        container.entities.create(
            "event-subscriptions",
            {
                "name": f"s{i}",
                "style": "pull",
                "types": [f"t.{i}"],
                "filters": [{"prefix": {"source": "/x"}}],
            },
        )
    events = [
        {"specversion": "1.0", "id": str(i), "source": "/x", "type": f"t.{i % 20}", "data": {"i": i}}
        for i in range(n)
    ]
    engine_s = timed(lambda: [container.events.dispatch(event) for event in events])
    subscriptions = container.entity_store.list("event-subscriptions", limit=500).items
    baseline_s = timed(lambda: [[matches(s, event) for s in subscriptions] for event in events])
    print(
        f"dispatch     {n / engine_s:8.0f} events/s baseline {n / baseline_s:8.0f} events/s "
        f"ratio {baseline_s / engine_s:.3f}"
    )


def bundle() -> dict[str, Any]:
    components: dict[str, dict[str, Any]] = {}
    for path in sorted(ROOT.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        slug = re.sub(r"[^a-z0-9]+", "-", document["name"].lower()).strip("-")
        components.setdefault(path.parent.name, {})[slug] = document
    return {"components": components}


def imports(rounds: int) -> None:
    document = bundle()
    Importer(Container.in_memory()).run(document)  # warm up: imports, template compile cache
    first = second = plain = 0.0
    for _ in range(rounds):
        container = Container.in_memory()
        first += timed(lambda c=container: Importer(c).run(document))
        second += timed(lambda c=container: Importer(c).run(document))
        base = Container.in_memory()
        items = [(kind, item) for kind, group in document["components"].items() for item in group.values()]

        def create_all(b: Container = base, items: list[tuple[str, Any]] = items) -> None:
            for kind, item in items:
                body = {k: v for k, v in item.items() if k not in ("passTrough",) and not k.startswith("@")}
                b.entities.create(kind, body)

        plain += timed(create_all)
    print(
        f"import       first {first / rounds * 1000:7.1f} ms  again {second / rounds * 1000:7.1f} ms  "
        f"plain creates {plain / rounds * 1000:7.1f} ms  ratio first/plain {first / plain:.2f}"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    jobs(n)
    dispatch(n)
    imports(max(3, n // 50))


if __name__ == "__main__":
    main()
