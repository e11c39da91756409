"""``GET /api/dashboard/syncstats``: the original's dashboard counts of synchronized objects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from openconnector_core.ids import new_id
from tests.functional.conftest import Management


def test_syncstats_counts_contract_logs_per_day_and_hour(management: Management, container: Any) -> None:
    logs = container.logs
    for result in ("create", "update", "invalid"):
        logs.put("synchronization-contract-logs", {"id": new_id(), "targetResult": result, "created": _now()})

    stats = management.get("/api/dashboard/syncstats")

    assert stats.status == 200, stats.body
    today = datetime.now(UTC).date().isoformat()
    assert stats.body["daily"][today] == {"success": 2, "error": 1}
    assert sum(hour["success"] + hour["error"] for hour in stats.body["hourly"].values()) == 3
    assert len(stats.body["daily"]) == 8  # the last 7 days by default, every day present
    earlier = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    old = management.get("/api/dashboard/syncstats", query={"from": earlier, "to": earlier}).body
    assert old["daily"] == {earlier: {"success": 0, "error": 0}}


def _now() -> str:
    return datetime.now(UTC).isoformat()
