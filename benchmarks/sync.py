"""Synchronization throughput: our engine vs dlt's ``rest_api`` source on the same paginated API.

    .venv/bin/python benchmarks/sync.py [RECORDS] [--no-dlt] [--no-moto]

One local API on 127.0.0.1 serves RECORDS (default 10,000) records, 100 per page, with a page count
(``page_number`` pagination, the same configuration for both). Printed side by side:

* ours, in-memory stores: a first run into a register/schema (hash, contract, JSON-Schema validation,
  object write per record) and the unchanged re-run; records/s and the ratio to dlt;
* ours on moto's DynamoDB (in process): records/s and DynamoDB requests per record, first and
  unchanged run (every request counted at the botocore level);
* dlt ``rest_api`` → duckdb (extract, normalize, load), in a benchmark-only virtualenv this script
  creates at ``.venv-dlt`` (``pip install dlt[duckdb]``; never a project dependency);
* peak memory of a run (tracemalloc) against the record count: the engine's transient working set
  (peak minus what the run leaves stored) should stay flat.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openconnector_core.container import Container  # noqa: E402
from openconnector_core.settings import Settings  # noqa: E402
from openconnector_core.sync.runs import start_run  # noqa: E402
from tests.support.paginated_api import PaginatedApi  # noqa: E402

DLT_VENV = ROOT / ".venv-dlt"  # beside .venv, outside the scanned source trees
PAGE_SIZE = 100
SOURCE_CONFIG = {
    "endpoint": "/page_number",
    "resultsPosition": "data",
    "pagination": {"type": "page_number", "base_page": 0, "total_path": "total_pages"},
}
DLT_SCRIPT = """
import json, sys, time, dlt
from dlt.sources.rest_api import rest_api_source
url, records, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
source = rest_api_source({
    "client": {"base_url": url},
    "resources": [{
        "name": "records",
        "endpoint": {
            "path": "page_number",
            "data_selector": "data",
            "paginator": {
                "type": "page_number", "base_page": 0, "page_param": "page", "total_path": "total_pages"
            },
        },
    }],
})
pipeline = dlt.pipeline(pipeline_name="bench", destination=dlt.destinations.duckdb(f"{workdir}/sync.duckdb"),
                        dataset_name="records_data", pipelines_dir=f"{workdir}/pipelines", progress=None)
started = time.perf_counter()
pipeline.run(source)
elapsed = time.perf_counter() - started
with pipeline.sql_client() as client:
    count = client.execute_sql("select count(*) from records")[0][0]
print(json.dumps({"seconds": elapsed, "count": count}))
"""


def _serve(records: int, connection: Any) -> None:
    api = PaginatedApi(records=records, page_size=PAGE_SIZE).start()
    connection.send(api.url)
    connection.recv()  # until told to stop
    api.stop()


class ApiProcess:
    """The API in a process of its own: serving pages must not compete for our interpreter's GIL
    (dlt's runs in another process too)."""

    def __init__(self, records: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(records, child), daemon=True)
        self._process.start()
        self.url = str(self._connection.recv())

    def stop(self) -> None:
        self._connection.send("stop")
        self._process.join(10)


def container(settings: dict[str, str] | None = None) -> Container:
    return Container.in_memory(
        Settings.from_environ({"OPENCONNECTOR_OUTBOUND_ALLOW": "127.0.0.1/32", **(settings or {})})
    )


def prepare(instance: Container, url: str) -> str:
    source = instance.entities.create("sources", {"name": "Bench API", "location": url}).item
    instance.entities.create("registers", {"name": "Bench", "slug": "bench"})
    instance.entities.create(
        "schemas",
        {
            "name": "Record",
            "slug": "record",
            "properties": {"name": {"type": "string"}, "value": {"type": "integer"}},
        },
    )
    sync = instance.entities.create(
        "synchronizations",
        {
            "name": "Bench",
            "sourceType": "api",
            "sourceId": source["id"],
            "sourceConfig": SOURCE_CONFIG,
            "targetType": "register/schema",
            "targetId": "bench/record",
        },
    ).item
    return str(sync["id"])


def timed_run(instance: Container, sync_id: str, records: int) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    log = start_run(instance, sync_id)
    elapsed = time.perf_counter() - started
    objects = log["result"]["objects"]
    if log["status"] != "success" or objects["found"] != records:
        raise SystemExit(f"run failed: {log['message']} {objects}")
    return elapsed, objects


def ours_in_memory(url: str, records: int) -> tuple[float, float]:
    instance = container()
    sync_id = prepare(instance, url)
    first, objects = timed_run(instance, sync_id, records)
    assert objects["created"] == records, objects
    again, objects = timed_run(instance, sync_id, records)
    assert objects["skipped"] == records, objects
    print(f"ours (in-memory)   first run  {records / first:9.0f} records/s  ({first:6.2f} s)")
    print(
        f"ours (in-memory)   unchanged  {records / again:9.0f} records/s  ({again:6.2f} s)  "
        f"{first / again:5.1f}x faster than the first run"
    )
    return records / first, first / again


def ours_on_moto(url: str, records: int) -> None:
    import boto3
    from moto import mock_aws

    from tests.integration.tables import create_tables

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }.items():
        os.environ.setdefault(name, value)
    from openconnector_local.emulator import _speed_up_dynamodb_transactions

    _speed_up_dynamodb_transactions()  # moto deep-copies every table per transaction otherwise
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        tables = create_tables(client, prefix="bench-")
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="bench-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        settings = Settings.from_environ(
            {
                "OPENCONNECTOR_OUTBOUND_ALLOW": "127.0.0.1/32",
                "ENTITIES_TABLE": tables["EntitiesTable"],
                "CONTRACTS_TABLE": tables["ContractsTable"],
                "LOGS_TABLE": tables["LogsTable"],
                "OBJECTS_TABLE": tables["ObjectsTable"],
                "FILES_BUCKET": "bench-files",
            }
        )
        instance = Container(settings)
        calls: list[str] = []
        instance.dynamodb.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )
        sync_id = prepare(instance, url)
        calls.clear()
        first, _ = timed_run(instance, sync_id, records)
        first_calls = Counter(calls)
        calls.clear()
        again, _ = timed_run(instance, sync_id, records)
        again_calls = Counter(calls)
    print(
        f"ours (moto)        first run  {records / first:9.0f} records/s  ({first:6.2f} s)  "
        f"{sum(first_calls.values()) / records:.3f} DynamoDB requests/record"
    )
    print(
        f"ours (moto)        unchanged  {records / again:9.0f} records/s  ({again:6.2f} s)  "
        f"{sum(again_calls.values()) / records:.3f} DynamoDB requests/record  {first / again:5.1f}x faster"
    )
    print(f"                   unchanged run requests: {dict(sorted(again_calls.items()))}")


def memory() -> None:
    print("peak memory of a first run (tracemalloc):")
    for count in (2_500, 5_000, 10_000):
        api = ApiProcess(count)
        instance = container()
        sync_id = prepare(instance, api.url)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        timed_run(instance, sync_id, count)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        kept = current - before
        api.stop()
        print(
            f"  {count:6d} records: peak {(peak - before) / 1e6:6.1f} MB, "
            f"of which stored {kept / 1e6:6.1f} MB, transient working set {(peak - current) / 1e6:5.1f} MB"
        )


def dlt_python() -> Path | None:
    python = DLT_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {DLT_VENV} with dlt[duckdb] (benchmark only) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DLT_VENV)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "dlt[duckdb]"], check=False)
        if done.returncode != 0:
            print("could not install dlt; skipping it")
            return None
    return python


def dlt_run(url: str, records: int) -> float | None:
    python = dlt_python()
    if python is None:
        return None
    with tempfile.TemporaryDirectory() as workdir:
        env = {**os.environ, "RUNTIME__LOG_LEVEL": "WARNING", "DLT_DATA_DIR": workdir}
        done = subprocess.run(
            [str(python), "-c", DLT_SCRIPT, url, str(records), workdir],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if done.returncode != 0:
        print(f"dlt failed:\n{done.stderr[-2000:]}")
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["count"] != records:
        raise SystemExit(f"dlt loaded {result['count']} of {records} records")
    rate = records / result["seconds"]
    print(
        f"dlt rest_api→duckdb          {rate:9.0f} records/s  "
        f"({result['seconds']:6.2f} s, extract+normalize+load)"
    )
    return rate


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    records = int(arguments[0]) if arguments else 10_000
    api = ApiProcess(records)
    try:
        print(f"{records} records, {PAGE_SIZE} per page, page_number pagination with a page count\n")
        ours, _ = ours_in_memory(api.url, records)
        theirs = None if "--no-dlt" in sys.argv else dlt_run(api.url, records)
        if theirs:
            print(f"ratio ours (in-memory) / dlt: {ours / theirs:5.2f}x   (goal >= 3x)")
        if "--no-moto" not in sys.argv:
            ours_on_moto(api.url, records)
        memory()
    finally:
        api.stop()


if __name__ == "__main__":
    main()
