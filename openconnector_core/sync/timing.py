"""The ``result.timing`` block of a SynchronizationLog (§5.8), from the pages' own measurements."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

from openconnector_core.sync.ports import PageRecord


def timing_summary(
    plan: Mapping[str, Any],
    pages: Sequence[PageRecord],
    cleanup: Mapping[str, Any],
    follow_ups: Mapping[str, Any],
    counters: Mapping[str, int],
) -> dict[str, Any]:
    stats = [page.stats for page in pages]
    fetched = int(counters.get("found", 0))
    processed = sum(int(s.get("processed", 0)) for s in stats)
    process_ms = round(sum(float(s.get("process_ms", 0.0)) for s in stats), 2)
    medians = [float(s["median_object_ms"]) for s in stats if s.get("processed")]
    stages: dict[str, dict[str, Any]] = {
        "configuration_validation": {
            "duration_ms": float(plan.get("validationMs", 0.0)),
            "description": "Checking the synchronization, its source, target, mappings and rules",
        },
        "fetch_objects": {
            "duration_ms": round(sum(float(s.get("fetch_ms", 0.0)) for s in stats), 2),
            "description": "Fetching pages from the source (summed over pages; pages overlap)",
            "objects_fetched": fetched,
            "pages_fetched": len(pages),
            "rate_limited": False,
            "fetch_method": "sqs_fan_out",
        },
        "process_objects": {
            "duration_ms": process_ms,
            "description": "Hashing, mapping and writing objects (summed over pages)",
            "objects_processed": processed,
            "average_per_object_ms": round(process_ms / processed, 2) if processed else 0.0,
            "min_object_ms": min(
                (float(s.get("min_object_ms", 0.0)) for s in stats if s.get("processed")), default=0.0
            ),
            "max_object_ms": max(
                (float(s.get("max_object_ms", 0.0)) for s in stats if s.get("processed")), default=0.0
            ),
            "median_object_ms": round(statistics.median(medians), 2) if medians else 0.0,
        },
        "cleanup_invalid": {
            "duration_ms": float(cleanup.get("duration_ms", 0.0)),
            "description": "Deleting targets whose origin object is gone",
            "objects_deleted": int(cleanup.get("objects_deleted", 0)),
            "sub_objects_deleted": int(cleanup.get("sub_objects_deleted", 0)),
            **({"skipped": cleanup["skipped"]} if cleanup.get("skipped") else {}),
        },
        "follow_ups": {
            "duration_ms": float(follow_ups.get("duration_ms", 0.0)),
            "description": "Starting follow-up synchronizations",
            "follow_ups_executed": int(follow_ups.get("follow_ups_executed", 0)),
        },
    }
    total_ms = round((time.time() - float(plan["started"])) * 1000, 2)
    stage_sum = sum(stage["duration_ms"] for stage in stages.values())
    slowest_name = max(stages, key=lambda name: stages[name]["duration_ms"])
    return {
        "stages": stages,
        "total_ms": total_ms,
        "summary": {
            "slowest_stage": {
                "name": slowest_name,
                **{k: stages[slowest_name][k] for k in ("duration_ms", "description")},
            },
            "efficiency_ratio": round(process_ms / stage_sum, 4) if stage_sum else 0.0,
            "objects_per_second": round(fetched / (total_ms / 1000), 2) if total_ms else 0.0,
        },
    }
