"""The CLI: arguments, the management client's errors and exit codes, the progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from openconnector_local import cli
from openconnector_local.client import (
    EXIT_NOT_FOUND,
    EXIT_UNAUTHORIZED,
    EXIT_UNREACHABLE,
    CliError,
    ManagementClient,
)


def _client(handler) -> ManagementClient:  # type: ignore[no-untyped-def]
    return ManagementClient("http://server", "tok", transport=httpx.MockTransport(handler))


def test_requests_carry_the_bearer_token() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["authorization"] = request.headers["authorization"]
        return httpx.Response(200, json={"ok": True})

    assert _client(handler).json("GET", "/api/health") == {"ok": True}
    assert seen["authorization"] == "Bearer tok"


@pytest.mark.parametrize(
    ("status", "exit_code", "fragment"),
    [(401, EXIT_UNAUTHORIZED, "--token"), (404, EXIT_NOT_FOUND, "later"), (500, 1, "boom")],
)
def test_error_answers_become_exit_codes(status: int, exit_code: int, fragment: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": "Failed", "message": "boom"})

    with pytest.raises(CliError) as caught:
        _client(handler).json("POST", "/api/configurations/import", missing="arrives later")
    assert caught.value.exit_code == exit_code
    assert fragment in str(caught.value)


def test_an_unreachable_server_says_how_to_start_one() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(CliError) as caught:
        _client(handler).json("GET", "/api/health")
    assert caught.value.exit_code == EXIT_UNREACHABLE
    assert "openconnector serve" in str(caught.value)


def test_parser_knows_every_command() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["serve", "--port", "4000"]).port == 4000
    arguments = parser.parse_args(["sync", "run", "abc", "--test", "--force", "--json"])
    assert (arguments.synchronization, arguments.test, arguments.force, arguments.json) == (
        "abc",
        True,
        True,
        True,
    )
    arguments = parser.parse_args(["logs", "syncs", "--source", "s", "--limit", "5", "--follow"])
    assert (arguments.kind, arguments.source, arguments.limit, arguments.follow) == ("syncs", "s", 5, True)
    assert parser.parse_args(["mapping", "test", "--mapping", "m", "--input", "-", "--list"]).list
    assert parser.parse_args(["export", "cfg", "--out", "x.json"]).out == Path("x.json")
    assert parser.parse_args(["import", "a.json", "b.json"]).files == [Path("a.json"), Path("b.json")]


def test_a_bad_input_file_exits_with_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    code = cli.main(["mapping", "test", "--mapping", "m", "--input", str(bad), "--url", "http://127.0.0.1:9"])
    assert code == 2
    assert "is not JSON" in capsys.readouterr().err


def test_progress_bar_follows_the_object_counts() -> None:
    stream = io.StringIO()
    bar = cli.ProgressBar(stream)
    bar.show({"status": "running", "result": {"objects": {"found": 4, "created": 1, "updated": 1}}})
    bar.show({"status": "running", "result": {"objects": {"found": 4, "created": 1, "updated": 1}}})
    bar.show(
        {"message": "Success", "result": {"objects": {"found": 4, "created": 2, "updated": 1, "skipped": 1}}}
    )
    lines = stream.getvalue().splitlines()
    assert lines == [f"[{'#' * 15}{'.' * 15}] 2/4 objects", f"[{'#' * 30}] 4/4 objects"]


def test_sync_summary_line() -> None:
    log = {"message": "Success", "executionTime": 12, "result": {"objects": {"found": 2, "created": 2}}}
    assert cli._sync_line(log) == "Success (found 2, created 2) in 12 ms"
    assert json.dumps(log)


def test_sync_run_sends_data_and_follows_the_run_with_pages_and_objects(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent: list[tuple[str, str, Any]] = []
    logs = iter(
        [
            {"id": "L", "status": "running", "result": {"objects": {"found": 10}, "pages": {"fetched": 1}}},
            {
                "id": "L",
                "status": "success",
                "message": "Success",
                "result": {"objects": {"found": 20, "created": 20}, "pages": {"fetched": 2}},
            },
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.method, str(request.url), request.content))
        if request.method == "POST":
            return httpx.Response(202, json={"id": "L", "status": "running", "result": {"objects": {}}})
        return httpx.Response(200, json=next(logs))

    monkeypatch.setattr(cli, "_client", lambda arguments: _client(handler))
    code = cli.main(["sync", "run", "s1", "--data", '{"zaak": "z1"}', "--url", "http://x", "--token", "t"])
    assert code == 0
    post = sent[0]
    assert post[0] == "POST" and post[1].endswith("/api/synchronizations/s1/run?wait=0")
    assert json.loads(post[2]) == {"test": False, "force": False, "data": {"zaak": "z1"}}
    captured = capsys.readouterr()
    assert "20/20 objects, 2 pages" in captured.err
    assert "Success (found 20, created 20)" in captured.out
    with pytest.raises(CliError):
        cli._run_data("[1, 2]")


def test_version_and_help_on_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("openconnector ")

    def options(parser: object) -> list[object]:
        found = []
        for action in getattr(parser, "_actions", []):
            if action.choices and isinstance(action.choices, dict):  # sub-commands
                for sub in action.choices.values():
                    found.extend(options(sub))
            elif action.option_strings:
                found.append(action)
        return found

    missing = [action.option_strings for action in options(cli.build_parser()) if not action.help]
    assert missing == []


def _serve_logs(monkeypatch: pytest.MonkeyPatch, handler) -> None:  # type: ignore[no-untyped-def]
    real = ManagementClient

    def fake(url: str, token: str | None, timeout: float = 60.0) -> ManagementClient:
        return real(url, token, timeout, transport=httpx.MockTransport(handler))

    monkeypatch.setattr("openconnector_local.client.ManagementClient", fake)


def test_logs_take_a_slug_and_say_when_there_are_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append((request.url.path, dict(request.url.params)))
        if request.url.path == "/api/sources/pet-store":
            return httpx.Response(200, json={"id": "0190-source-id", "slug": "pet-store"})
        return httpx.Response(200, json={"results": [], "next": None})

    _serve_logs(monkeypatch, handler)
    assert cli.main(["logs", "calls", "--source", "pet-store"]) == 0
    assert asked[-1] == ("/api/call-logs", {"_limit": "20", "sourceId": "0190-source-id"})
    assert capsys.readouterr().err.strip() == "no calls logs yet"


def test_a_bad_setting_stops_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENCONNECTOR_URL", "127.0.0.1:3000")
    assert cli.main(["logs"]) == 2
    assert "OPENCONNECTOR_URL: '127.0.0.1:3000' is not an http(s) URL" in capsys.readouterr().err
