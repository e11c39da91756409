"""Persistence of the emulator: journal classification, snapshot + journal replay (moto in-process,
driven through its WSGI app: no sockets)."""

from __future__ import annotations

import json
import pickle
import stat
from pathlib import Path

import pytest

from openconnector_local.emulator import AwsEmulator, is_mutating, operation_of, service_of
from openconnector_local.state import RecordedRequest, StateStore, UnsafeStateError, secure_directory

AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-1/{service}/aws4_request, "
    "SignedHeaders=host, Signature=x"
)


def _dynamodb(operation: str, body: dict) -> RecordedRequest:
    return RecordedRequest(
        method="POST",
        path="/",
        query_string="",
        headers=[
            ("host", "dynamodb.eu-west-1.amazonaws.com"),
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", f"DynamoDB_20120810.{operation}"),
            ("authorization", AUTH.format(service="dynamodb")),
        ],
        body=json.dumps(body).encode(),
    )


CREATE_TABLE = _dynamodb(
    "CreateTable",
    {
        "TableName": "t",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
)


def _put(key: str) -> RecordedRequest:
    return _dynamodb("PutItem", {"TableName": "t", "Item": {"pk": {"S": key}}})


@pytest.mark.parametrize(
    ("method", "headers", "query", "expected"),
    [
        ("POST", {"x-amz-target": "DynamoDB_20120810.PutItem"}, "", True),
        ("POST", {"x-amz-target": "DynamoDB_20120810.Query"}, "", False),
        ("POST", {"x-amz-target": "AmazonSQS.ReceiveMessage"}, "", False),
        ("POST", {"x-amz-target": "AmazonSQS.DeleteMessage"}, "", True),
        ("POST", {"x-amz-target": "secretsmanager.GetSecretValue"}, "", False),
        ("POST", {}, "Action=SendMessage", True),
        ("GET", {}, "", False),
        ("PUT", {}, "", True),
        ("DELETE", {}, "", True),
        ("HEAD", {}, "", False),
    ],
)
def test_what_is_journaled(method: str, headers: dict[str, str], query: str, expected: bool) -> None:
    assert is_mutating(method, operation_of(method, headers, query, b"")) is expected


def test_service_comes_from_the_credential_scope() -> None:
    assert service_of({"authorization": AUTH.format(service="sqs")}) == "sqs"
    assert service_of({}) is None


def test_recorded_requests_survive_a_round_trip() -> None:
    request = RecordedRequest("PUT", "/b/k", "x=1", [("a", "b")], b"\x00\x01", seed=7)
    assert RecordedRequest.from_line(request.to_line()) == request


def _item_keys() -> list[str]:
    from moto.backends import get_backend

    table = get_backend("dynamodb")["123456789012"]["eu-west-1"].tables["t"]
    return sorted(item.hash_key.value for item in table.all_items())


def _reset_moto() -> None:
    from moto.backends import get_backend

    for service in ("dynamodb", "sqs", "s3", "secretsmanager", "events"):
        get_backend(service).clear()


def test_snapshot_and_journal_restore_everything(tmp_path: Path) -> None:
    _reset_moto()
    store = StateStore(tmp_path)
    emulator = AwsEmulator(store)
    emulator.restore()  # empty: writes the first snapshot
    for request in (CREATE_TABLE, _put("a")):
        assert emulator.replay(request) == 200
        store.record(request, "dynamodb")
    store.snapshot()  # a clean stop
    assert emulator.replay(_put("b")) == 200
    store.record(_put("b"), "dynamodb")  # acknowledged after the snapshot, then a crash
    store.close()
    _reset_moto()

    restored_store = StateStore(tmp_path)
    services, replayed = AwsEmulator(restored_store).restore()
    assert services >= 1 and replayed == 1
    assert _item_keys() == ["a", "b"]
    # Restoring compacted: the next start has nothing to replay.
    assert AwsEmulator(StateStore(tmp_path)).restore()[1] == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["snapshot.pickle"]


def test_a_torn_last_journal_line_is_ignored(tmp_path: Path) -> None:
    _reset_moto()
    store = StateStore(tmp_path)
    emulator = AwsEmulator(store)
    emulator.restore()
    emulator.replay(CREATE_TABLE)
    store.record(CREATE_TABLE, "dynamodb")
    store.close()
    with store.journal_path(store.generation).open("ab") as journal:
        journal.write(b'{"method": "POST", "pa')
    _reset_moto()
    assert AwsEmulator(StateStore(tmp_path)).restore()[1] == 1
    assert _item_keys() == []


def test_the_state_directory_is_created_closed_to_others(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "state"
    secure_directory(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_a_state_directory_others_may_write_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(0o777)
    with pytest.raises(UnsafeStateError, match="others may write to it"):
        secure_directory(directory)


def test_a_snapshot_others_may_write_is_never_unpickled(tmp_path: Path) -> None:
    # Given a snapshot that anyone could have replaced with a pickle that runs code
    marker = tmp_path / "ran"
    payload = pickle.dumps(_RunsCode(str(marker)))
    (tmp_path / "snapshot.pickle").write_bytes(payload)
    (tmp_path / "snapshot.pickle").chmod(0o666)
    # When the state is restored, it is refused before it is loaded
    with pytest.raises(UnsafeStateError, match="others may write to it"):
        StateStore(tmp_path).restore(lambda _request: 200)
    assert not marker.exists()


class _RunsCode:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.path), "x"))  # type: ignore[return-value]


def test_the_emulator_refuses_requests_without_the_stack_key_before_reading_them(tmp_path: Path) -> None:
    from werkzeug.test import Client

    emulator = AwsEmulator(StateStore(tmp_path), access_key="OCLOCALKEY1")
    client = Client(emulator.middleware)
    own = {"authorization": AUTH.format(service="sqs").replace("testing", "OCLOCALKEY1")}
    other = {"authorization": AUTH.format(service="sqs")}
    action = {"Action": "ListQueues", "Version": "2012-11-05"}

    assert client.post("/", data=action, headers=other).status_code == 403
    assert client.post("/", data=action).status_code == 403
    assert (
        client.get(
            "/", query_string={"X-Amz-Credential": "testing/20250101/eu-west-1/s3/aws4_request"}
        ).status_code
        == 403
    )
    assert client.get("/moto-api/data.json", headers=own).status_code == 403
    assert client.post("/moto-api/reset", headers=own).status_code == 403
    assert client.options("/", headers={**own, "Origin": "https://evil.example"}).status_code == 403
    allowed = client.post("/", data=action, headers={**own, "Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert not [name for name, _ in allowed.headers.items() if name.lower().startswith("access-control-")]
