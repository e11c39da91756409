"""``openconnector``: run the local stack, and talk to a management API (local or in AWS).

Exit codes: 0 ok, 1 the server refused or failed, 2 usage, 3 server unreachable, 4 unauthorized,
5 not found (or the server does not offer the call yet).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openconnector_core.errors import DeploymentError
from openconnector_core.settings import Settings

LOG_KINDS = {
    "calls": ("/api/call-logs", "sourceId"),
    "syncs": ("/api/synchronization-logs", "synchronizationId"),
    "jobs": ("/api/job-logs", "jobId"),
}
LOG_SUBJECTS = {"calls": "sources", "syncs": "synchronizations", "jobs": "jobs"}
RUNNING_STATES = {"queued", "pending", "running", "started", "in_progress", "inprogress"}
NOT_YET = "The server may not offer this call yet (it arrives with a later release of the management API)."


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    settings = settings or Settings.from_environ(os.environ)
    parser = argparse.ArgumentParser(
        prog="openconnector", description="OpenConnector local stack and management CLI"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the whole stack locally (what `make run` starts)")
    serve.add_argument(
        "--port", type=int, default=settings.port, help="port on 127.0.0.1 (OPENCONNECTOR_PORT, default 3000)"
    )
    serve.add_argument(
        "--state-dir",
        type=Path,
        default=settings.state_dir,
        help="where state and the admin token live (OPENCONNECTOR_STATE_DIR, default .openconnector)",
    )
    serve.add_argument("--template", type=Path, default=Path("template.yaml"), help="the SAM template to run")
    serve.add_argument(
        "--parameter",
        "-P",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter override",
    )
    serve.add_argument(
        "--schedule-speed",
        type=float,
        default=settings.schedule_speed,
        help="run schedules N times faster (60: a minute per second; OPENCONNECTOR_SCHEDULE_SPEED)",
    )
    serve.add_argument("--region", default=settings.aws_region, help="AWS region the emulator pretends to be")
    serve.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="JSON logs of every function, not only one line per request",
    )
    serve.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop cleanly when the parent process ends (make run: killing make stops the stack too)",
    )

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument("--url", default=settings.url, help="management API base URL (OPENCONNECTOR_URL)")
    client.add_argument(
        "--token", default=None, help="admin token (default: OPENCONNECTOR_ADMIN_TOKEN, then the state dir)"
    )
    client.add_argument(
        "--state-dir", type=Path, default=settings.state_dir, help="where the local stack keeps its token"
    )
    client.add_argument("--json", action="store_true", help="print the server's JSON")
    client.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server")

    importing = commands.add_parser("import", parents=[client], help="import configuration files")
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE", help="configuration files (JSON)")

    exporting = commands.add_parser("export", parents=[client], help="export a configuration")
    exporting.add_argument("configuration", metavar="CONFIG", help="id, uuid or slug")
    exporting.add_argument("--out", type=Path, help="file to write (default: stdout)")

    sync = commands.add_parser("sync", help="synchronizations")
    sync_commands = sync.add_subparsers(dest="sync_command", required=True, metavar="SUBCOMMAND")
    run = sync_commands.add_parser("run", parents=[client], help="run a synchronization with a progress bar")
    run.add_argument("synchronization", metavar="ID", help="id, uuid or slug of the synchronization")
    run.add_argument("--test", action="store_true", help="dry run: nothing is written")
    run.add_argument("--force", action="store_true", help="process objects even when unchanged")
    run.add_argument("--data", help="run data: a JSON object, or a JSON file ('-' for stdin)")
    run.add_argument("--poll-interval", type=float, default=1.0, help=argparse.SUPPRESS)

    jobs = commands.add_parser("jobs", help="jobs")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="SUBCOMMAND")
    job_run = jobs_commands.add_parser("run", parents=[client], help="run a job now and print its log")
    job_run.add_argument("job", metavar="ID", help="id, uuid or slug")
    job_run.add_argument("--force", action="store_true", help="run even when disabled or not due")

    mapping = commands.add_parser("mapping", help="mappings")
    mapping_commands = mapping.add_subparsers(dest="mapping_command", required=True, metavar="SUBCOMMAND")
    test = mapping_commands.add_parser("test", parents=[client], help="run a mapping on an input object")
    test.add_argument(
        "--mapping", required=True, help="a JSON file with the mapping, or a stored mapping's id/uuid/slug"
    )
    test.add_argument("--input", required=True, help="a JSON file with the input ('-' for stdin)")
    test.add_argument("--list", action="store_true", help="map each item of the input (list mode)")

    from openconnector_local import objects_cli

    objects_cli.add_parser(commands, client)

    logs = commands.add_parser("logs", parents=[client], help="call, synchronization or job logs")
    logs.add_argument("kind", nargs="?", choices=sorted(LOG_KINDS), default="calls", help="which logs")
    logs.add_argument("--source", help="only the logs of this source / synchronization / job (id or slug)")
    logs.add_argument("--limit", type=int, default=20, help="how many entries")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new entries")
    logs.add_argument("--interval", type=float, default=2.0, help=argparse.SUPPRESS)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("openconnector")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    from openconnector_local.client import EXIT_USAGE, CliError

    try:
        settings = Settings.from_environ(os.environ)
    except DeploymentError as error:
        print(f"openconnector: {error}", file=sys.stderr)
        return EXIT_USAGE
    arguments = build_parser(settings).parse_args(argv)
    arguments.settings = settings
    try:
        if arguments.command == "serve":
            return _serve(arguments)
        handlers = {
            "import": _import,
            "export": _export,
            "sync": _sync_run,
            "jobs": _jobs_run,
            "mapping": _mapping_test,
            "logs": _logs,
            "objects": _objects_list,
        }
        return handlers[arguments.command](arguments)
    except CliError as error:
        print(f"openconnector: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


# serve ------------------------------------------------------------------------------------------


def _serve(arguments: argparse.Namespace) -> int:
    from openconnector_local.client import EXIT_ERROR, EXIT_USAGE, CliError
    from openconnector_local.output import configure_logging
    from openconnector_local.serve import ServeOptions, serve
    from openconnector_local.state import StateError
    from openconnector_local.template import TemplateError

    parameters = {}
    for item in arguments.parameter:
        name, separator, value = item.partition("=")
        if not separator:
            raise CliError(f"--parameter expects NAME=VALUE, got {item!r}", EXIT_USAGE)
        parameters[name] = value
    if not arguments.template.exists():
        raise CliError(
            f"No template at {arguments.template} (run from the repository root or pass --template)",
            EXIT_USAGE,
        )
    _check_parameters(arguments.template, parameters)
    configure_logging(verbose=arguments.verbose)
    options = ServeOptions(
        port=arguments.port,
        state_dir=arguments.state_dir,
        template=arguments.template,
        admin_token=arguments.settings.admin_token,
        schedule_speed=arguments.schedule_speed,
        parameters=parameters,
        region=arguments.region,
        exit_with_parent=arguments.exit_with_parent,
    )
    try:
        return serve(options)
    except OSError as error:
        if error.errno == 98:  # EADDRINUSE
            raise CliError(
                f"Port {arguments.port} is in use: pass --port or set OPENCONNECTOR_PORT", EXIT_ERROR
            ) from error
        raise
    except (TemplateError, StateError) as error:
        raise CliError(str(error), EXIT_ERROR) from error


def _check_parameters(template: Path, overrides: dict[str, str]) -> None:
    from openconnector_local.client import EXIT_USAGE, CliError
    from openconnector_local.parameters import parameter_problems
    from openconnector_local.template import TemplateError, load_yaml

    try:
        document = load_yaml(template.read_text(encoding="utf-8"))
    except (OSError, TemplateError):
        return  # the stack reports an unreadable template with its own message
    problems = parameter_problems(document, overrides)
    if problems:
        raise CliError("; ".join(problems), EXIT_USAGE)


# client commands --------------------------------------------------------------------------------


def _client(arguments: argparse.Namespace) -> Any:
    from openconnector_local.auth import read_stored_token
    from openconnector_local.client import ManagementClient

    token = arguments.token or arguments.settings.admin_token or read_stored_token(arguments.state_dir)
    return ManagementClient(arguments.url, token, timeout=arguments.timeout)


def _read_json(source: str | Path) -> Any:
    from openconnector_local.client import EXIT_USAGE, CliError

    try:
        text = sys.stdin.read() if str(source) == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise CliError(f"Cannot read {source}: {error.strerror}", EXIT_USAGE) from error
    try:
        return json.loads(text)
    except ValueError as error:
        raise CliError(f"{source} is not JSON: {error}", EXIT_USAGE) from error


def _print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


IMPORT_TYPES = ("source", "mapping", "rule", "endpoint", "synchronization", "job")


def _type_hint(path: Path, document: Any) -> dict[str, str]:
    """Files of the original without ``@type`` say what they are by their folder (``mappings/…``)."""
    if not isinstance(document, dict) or "components" in document or "@type" in document:
        return {}
    kind = path.parent.name.lower().removesuffix("s")
    return {"type": kind} if kind in IMPORT_TYPES else {}


def _import(arguments: argparse.Namespace) -> int:
    failed = False
    with _client(arguments) as client:
        for path in arguments.files:
            document = _read_json(path)
            result = client.json(
                "POST",
                "/api/configurations/import",
                json=document,
                params=_type_hint(path, document),
                missing=NOT_YET,
            )
            if arguments.json:
                _print_json(result)
            else:
                print(f"{path}:")
                print(_import_table(result))
            failed = failed or bool(isinstance(result, dict) and result.get("errors"))
    return 1 if failed else 0


def _import_table(result: Any) -> str:
    """One row per entity type (created / updated / unchanged / errors), then what needs attention."""
    if not isinstance(result, dict):
        return f"  {result}"
    outcomes = ("created", "updated", "unchanged")
    errors = [e for e in result.get("errors") or [] if isinstance(e, dict)]
    types = sorted(
        {t for key in outcomes for t in (result.get(key) or {})} | {str(e.get("type")) for e in errors}
    )
    rows: list[list[str]] = [["type", *outcomes, "errors"]]
    for kind in types:
        counts = [str(len((result.get(key) or {}).get(kind, []))) for key in outcomes]
        rows.append([str(kind), *counts, str(sum(e.get("type") == kind for e in errors))])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows
    ]
    lines += [f"  error: {e.get('type')} {e.get('slug')}: {e.get('error')}" for e in errors]
    for item in result.get("unresolved") or []:
        lines.append(
            f"  unresolved: {item.get('type')} {item.get('slug')}.{item.get('field')} → "
            f"{item.get('target')} {item.get('reference')!r}"
        )
    return "\n".join(lines)


def _jobs_run(arguments: argparse.Namespace) -> int:
    with _client(arguments) as client:
        log = client.json(
            "POST",
            f"/api/jobs/{arguments.job}/run",
            json={"forceRun": arguments.force},
            missing=f"Unknown job? {NOT_YET}",
        )
    if arguments.json:
        _print_json(log)
    elif log is None:
        print("not due yet (nothing ran); use --force to run it now")
    else:
        print(_log_line("jobs", log))
    return 0 if log is None or log.get("level") not in ("ERROR", "CRITICAL") else 1


def _export(arguments: argparse.Namespace) -> int:
    with _client(arguments) as client:
        document = client.json(
            "GET",
            f"/api/configurations/{arguments.configuration}/export",
            missing=f"Unknown configuration? {NOT_YET}",
        )
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if arguments.out:
        arguments.out.write_text(text, encoding="utf-8")
        print(f"wrote {arguments.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _sync_run(arguments: argparse.Namespace) -> int:
    identifier = arguments.synchronization
    with _client(arguments) as client:
        body: dict[str, Any] = {"test": arguments.test, "force": arguments.force}
        if arguments.data is not None:
            body["data"] = _run_data(arguments.data)
        log = client.json(
            "POST",
            f"/api/synchronizations/{identifier}/run",
            json=body,
            params={"wait": 0},  # answer at once (202): the bar shows the progress
            missing=f"Unknown synchronization? {NOT_YET}",
        )
        bar = ProgressBar(sys.stderr)
        bar.show(log)
        while _is_running(log):
            time.sleep(arguments.poll_interval)
            log_id = log.get("id") or log.get("uuid")
            log = client.json("GET", f"/api/synchronization-logs/{log_id}")
            bar.show(log)
        bar.done()
    if arguments.json:
        _print_json(log)
    else:
        print(_sync_line(log))
    return 0 if _sync_succeeded(log) else 1


def _run_data(value: str) -> Any:
    """``--data``: inline JSON, else a JSON file (``-`` = stdin); it must be an object."""
    from openconnector_local.client import EXIT_USAGE, CliError

    try:
        data = json.loads(value)
    except ValueError:
        data = _read_json(value)
    if not isinstance(data, dict):
        raise CliError("--data must be a JSON object", EXIT_USAGE)
    return data


def _is_running(log: Any) -> bool:
    return (
        isinstance(log, dict)
        and str(log.get("status", "")).lower() in RUNNING_STATES
        and bool(log.get("id") or log.get("uuid"))
    )


def _objects(log: Any) -> dict[str, int]:
    result = log.get("result") if isinstance(log, dict) else None
    objects = result.get("objects") if isinstance(result, dict) else None
    return {key: int(value) for key, value in (objects or {}).items() if isinstance(value, int | float)}


def _sync_succeeded(log: Any) -> bool:
    if not isinstance(log, dict):
        return True
    status = str(log.get("status", "")).lower()
    return status not in ("failed", "error") and str(log.get("message", "Success")).lower() in ("success", "")


def _sync_line(log: Any) -> str:
    objects = _objects(log)
    counts = ", ".join(f"{key} {value}" for key, value in objects.items())
    message = log.get("message", "") if isinstance(log, dict) else ""
    took = log.get("executionTime") if isinstance(log, dict) else None
    return " ".join(
        part
        for part in (str(message or "done"), f"({counts})" if counts else "", f"in {took} ms" if took else "")
        if part
    )


class ProgressBar:
    """``[#####.....] 12/24 objects`` redrawn in place on a terminal, one line per change otherwise."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""

    def show(self, log: Any) -> None:
        objects = _objects(log)
        found = objects.get("found", 0)
        processed = sum(value for key, value in objects.items() if key != "found")
        if found:
            done = min(processed, found)
            filled = int(self.WIDTH * done / found)
            line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{found} objects"
        else:
            status = log.get("status", "running") if isinstance(log, dict) else "running"
            line = f"[{'.' * self.WIDTH}] {status}"
        result = log.get("result") if isinstance(log, dict) else None
        pages = result.get("pages") if isinstance(result, dict) else None
        if isinstance(pages, dict) and pages.get("fetched"):
            line += f", {pages['fetched']} pages"
        if line == self._last:
            return
        self._last = line
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._last:
            self.stream.write("\n")
            self.stream.flush()


def _mapping_test(arguments: argparse.Namespace) -> int:
    mapping: Any = arguments.mapping
    if Path(mapping).is_file():
        mapping = _read_json(mapping)
    body = {"inputObject": _read_json(arguments.input), "mapping": mapping, "list": arguments.list}
    with _client(arguments) as client:
        result = client.json("POST", "/api/mappings/test", json=body, missing="Unknown mapping?")
    if arguments.json:
        _print_json(result)
    else:
        _print_json(result.get("resultObject") if isinstance(result, dict) else result)
        for error in (result or {}).get("validationErrors") or []:
            print(f"validation: {error}", file=sys.stderr)
    return 0 if not isinstance(result, dict) or result.get("isValid", True) else 1


def _objects_list(arguments: argparse.Namespace) -> int:
    from openconnector_local import objects_cli

    with _client(arguments) as client:
        objects = objects_cli.fetch(client, arguments)
    print(json.dumps(objects, ensure_ascii=False) if arguments.json else objects_cli.table(objects))
    return 0


def _logs(arguments: argparse.Namespace) -> int:
    path, filter_name = LOG_KINDS[arguments.kind]
    params: dict[str, Any] = {"_limit": arguments.limit}
    seen: set[str] = set()
    announced = False
    with _client(arguments) as client:
        if arguments.source:
            params[filter_name] = _entity_id(client, LOG_SUBJECTS[arguments.kind], arguments.source)
        while True:
            page = client.json("GET", path, params=params, missing=NOT_YET)
            entries = page.get("results", []) if isinstance(page, dict) else page or []
            fresh = [entry for entry in entries if _log_key(entry) not in seen]
            fresh.sort(key=lambda entry: str(entry.get("created", "")) if isinstance(entry, dict) else "")
            for entry in fresh:
                seen.add(_log_key(entry))
                print(
                    json.dumps(entry, ensure_ascii=False)
                    if arguments.json
                    else _log_line(arguments.kind, entry),
                    flush=True,
                )
            if not seen and not announced and not arguments.json:
                waiting = " (waiting for new entries)" if arguments.follow else ""
                print(f"no {arguments.kind} logs yet{waiting}", file=sys.stderr)
                announced = True
            if not arguments.follow:
                return 0
            time.sleep(arguments.interval)


def _entity_id(client: Any, resource: str, key: str) -> str:
    """The id of ``key`` (an id, uuid or slug): log filters compare ids, people remember slugs."""
    entity = client.json(
        "GET", f"/api/{resource}/{key}", missing=f"No {resource} with id, uuid or slug {key!r}."
    )
    return str(entity.get("id") or key) if isinstance(entity, dict) else key


def _log_key(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("id") or entry.get("uuid") or json.dumps(entry, sort_keys=True))
    return str(entry)


def _log_line(kind: str, entry: Any) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    created = entry.get("created", "")
    if kind == "calls":
        request = entry.get("request") or {}
        took = (entry.get("response") or {}).get("responseTime")
        return _words(
            created,
            entry.get("statusCode", ""),
            request.get("method", ""),
            request.get("url", ""),
            f"{took} ms" if took is not None else "",
        )
    if kind == "syncs":
        return _words(created, entry.get("synchronizationId", ""), _sync_line(entry))
    return _words(
        created,
        entry.get("level", ""),
        entry.get("jobId", ""),
        entry.get("message", ""),
        entry.get("executionTime", ""),
    )


def _words(*parts: Any) -> str:
    return " ".join(str(part) for part in parts if part != "")


if __name__ == "__main__":
    sys.exit(main())
