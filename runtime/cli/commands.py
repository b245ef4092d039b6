"""The `loomwork` subcommands. Each returns the process exit code."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import getpass
import json
import signal
import sys
from itertools import islice
from pathlib import Path
from typing import Any

from runtime.compile import CompileError, check_flow
from runtime.events import RunStatus
from runtime.flow import Flow
from runtime.flowfile import FlowFileError, dumps_flow, load_flow
from runtime.fsutil import atomic_write_text
from runtime.inputs import FlowInputError
from runtime.paths import DataPaths, data_paths
from runtime.registry import Registry
from runtime.runner import Runner
from runtime.secrets import CredentialError, CredentialStore
from runtime.services import discover_services
from runtime.valuecodec import to_plain_json
from runtime.values import Table

_SHOWN_ROWS = 20
"""A table output is shown by its first rows (the line is cut at 2,000 characters anyway)."""

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    sys.stderr.write(f"loomwork: {message}\n")
    return code


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _registry() -> Registry:
    registry = Registry.from_entry_points()
    for broken in registry.broken:
        sys.stderr.write(f"loomwork: warning: node pack '{broken.name}' ({broken.target}) could not "
                         f"be loaded: {broken.error}\n")
    return registry


def _parse_inputs(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise FlowInputError(f"-i expects NAME=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values


def _services(paths: DataPaths) -> dict[str, Any]:
    """The services installed packages provide (the model); broken ones are named, not fatal."""
    services, broken = discover_services(paths)
    for plugin in broken:
        sys.stderr.write(f"warning: service '{plugin.name}' ({plugin.target}) could not be loaded: "
                         f"{plugin.error}\n")
    return services


# ----- run --------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace) -> int:
    from runtime.cli.progress import ProgressDisplay

    runner = None
    try:
        flow = load_flow(args.flow)
        inputs = _parse_inputs(args.input)
        registry = _registry()
        paths = data_paths()
        runner = Runner(registry, paths, services=_services(paths),
                        max_concurrency=max(1, args.concurrency))
        plan = runner.compile(flow, args.flow)
    except (FlowFileError, CompileError, FlowInputError) as exc:
        if runner is not None:
            runner.close()
        if args.json:
            _print_json({"run_id": None, "status": "INVALID", "nodes": {}, "outputs": {},
                         "error": str(exc)})
        return _fail(str(exc))
    display = None if args.json else ProgressDisplay(plan)

    async def run() -> Any:
        loop = asyncio.get_running_loop()

        def interrupt() -> None:  # first Ctrl-C: stop the run cleanly; a second one kills
            runner.cancel()
            loop.remove_signal_handler(signal.SIGINT)

        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(signal.SIGINT, interrupt)
        return await runner.run(flow, flow_path=args.flow, inputs=inputs, inputs_are_text=True,
                                use_cache=not args.no_cache, from_node=args.from_node, trigger="cli",
                                on_event=display, plan=plan)

    try:
        with display if display is not None else contextlib.nullcontext():
            result = asyncio.run(run())
    except (CompileError, FlowInputError) as exc:
        if args.json:
            _print_json({"run_id": None, "status": "INVALID", "nodes": {}, "outputs": {},
                         "error": str(exc)})
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    finally:
        runner.close()
    if args.json:
        _print_json({
            "run_id": result.run_id,
            "status": result.status.value,
            "nodes": {nid: o.to_json() for nid, o in result.nodes.items()},
            "outputs": to_plain_json(result.outputs),
            "error": result.error or None,
        })
    else:
        _print_summary(result, {nid: node.title for nid, node in plan.nodes.items()})
    if result.status is RunStatus.COMPLETED:
        return EXIT_OK
    if result.status is RunStatus.CANCELLED:
        return EXIT_INTERRUPTED
    return EXIT_FAILED


def _print_summary(result: Any, titles: dict[str, str]) -> None:
    counts: dict[str, int] = {}
    cached = 0
    for outcome in result.nodes.values():
        counts[outcome.state.value] = counts.get(outcome.state.value, 0) + 1
        cached += outcome.cached
    parts = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
    if cached:
        parts += f" ({cached} from cache)"
    out = sys.stderr
    out.write(f"run {result.run_id}: {result.status.value} in {result.duration_ms:.0f} ms — {parts}\n")
    if result.error:
        out.write(f"error: {result.error}\n")
    skipped = [nid for nid, o in result.nodes.items() if o.state.value == "SKIPPED"]
    if skipped:
        out.write(f"skipped: {', '.join(f'{titles.get(n, n)} ({n})' for n in skipped)}\n")
    for name, value in result.outputs.items():  # the results themselves go to stdout
        shown = value
        if isinstance(value, Table) and len(value) > _SHOWN_ROWS:  # only what fits the line
            shown = Table(value.columns, list(islice(value.rows, _SHOWN_ROWS)))
        text = json.dumps(to_plain_json(shown), ensure_ascii=False, default=str)
        if shown is not value:
            text = f"({len(value)} rows) {text}"
        sys.stdout.write(f"{name} = {text if len(text) < 2000 else text[:1997] + '...'}\n")


# ----- validate / fmt ---------------------------------------------------------------

def _flow_file_fields(registry: Registry, type_id: str) -> list[str]:
    """Config fields of a node type that name another flow file (widget "flow_file")."""
    node_type = registry.get(type_id)
    if node_type is None:
        return []
    found = []
    for name, field in node_type.Config.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("widget") == "flow_file":
            found.append(name)
    return found


def _referenced_flows(flow: Flow, registry: Registry, path: str) -> list[str]:
    found = []
    for node in flow.nodes.values():
        for name in _flow_file_fields(registry, node.type):
            value = node.config.get(name)
            if isinstance(value, str) and value:
                found.append(str((Path(path).resolve().parent / value).resolve()))
    return found


def cmd_validate(args: argparse.Namespace) -> int:
    registry = _registry()
    worst = EXIT_OK
    report = []
    queue = list(args.flows)
    seen = {str(Path(p).resolve()) for p in queue}
    while queue:
        path = queue.pop(0)
        try:
            flow = load_flow(path)
        except FlowFileError as exc:
            report.append({"flow": path, "ok": False, "problems": [{"message": exc.reason}]})
            if not args.json:
                sys.stderr.write(f"{exc}\n")
            worst = EXIT_INVALID
            continue
        _plan, problems = check_flow(flow, registry, flow_path=path)
        for sub_path in _referenced_flows(flow, registry, path):  # subflows and for-each bodies
            if sub_path not in seen:
                seen.add(sub_path)
                queue.append(sub_path)
        errors = [p for p in problems if p.severity == "error"]
        report.append({"flow": path, "ok": not errors, "problems": [p.to_json() for p in problems]})
        if errors:
            worst = EXIT_INVALID
        if not args.json:
            if problems:
                sys.stderr.write(f"{path}: {len(errors)} problem(s):\n")
                for problem in problems:
                    sys.stderr.write(f"  - {problem}\n")
            else:
                sys.stdout.write(f"{path}: ok ({len(flow.nodes)} nodes)\n")
    if args.json:
        _print_json(report)
    return worst


def cmd_fmt(args: argparse.Namespace) -> int:
    changed, code = [], EXIT_OK
    for path in args.flows:
        try:
            flow = load_flow(path)
            current = Path(path).read_text(encoding="utf-8")
        except FlowFileError as exc:
            sys.stderr.write(f"{exc}\n")
            code = EXIT_INVALID
            continue
        canonical = dumps_flow(flow)
        if canonical == current:
            continue
        changed.append(path)
        if args.check:
            sys.stderr.write(f"{path}: not in canonical form (run `loomwork fmt {path}`)\n")
        else:
            atomic_write_text(path, canonical)
            sys.stdout.write(f"formatted {path}\n")
    if code == EXIT_OK and args.check and changed:
        code = EXIT_FAILED
    return code


# ----- nodes / schema ---------------------------------------------------------------

def cmd_nodes(args: argparse.Namespace) -> int:
    registry = _registry()
    specs = registry.specs()
    if args.json:
        _print_json(specs)
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title=f"{len(specs)} node types")
    table.add_column("id", no_wrap=True)
    for column in ("title", "category", "inputs", "outputs"):
        table.add_column(column)
    for spec in specs:
        table.add_row(spec["id"], spec["title"], spec["category"],
                      ", ".join(f"{p['id']}:{p['type']}" for p in spec["inputs"]) or "—",
                      ", ".join(f"{p['id']}:{p['type']}" for p in spec["outputs"]) or "—")
    Console().print(table)
    return EXIT_OK


def flow_json_schema() -> dict[str, Any]:
    """The JSON Schema of the current `.loom` format."""
    schema = Flow.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://loomwork.dev/schema/loom.schema.json"
    return schema


def cmd_schema(args: argparse.Namespace) -> int:
    _print_json(flow_json_schema())
    return EXIT_OK


# ----- runs -------------------------------------------------------------------------

def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "—"


def cmd_runs(args: argparse.Namespace) -> int:
    from runtime._store.history import HistoryStore

    store = HistoryStore(data_paths().history_db)
    store.mark_crashed_runs()
    try:
        runs = store.list_runs(status=args.status, limit=args.limit)
    finally:
        store.close()
    if args.json:
        _print_json(runs)
        return EXIT_OK
    if not runs:
        sys.stdout.write("no runs yet\n")
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable()
    table.add_column("run", no_wrap=True)
    for column in ("flow", "status", "started", "duration", "trigger"):
        table.add_column(column, no_wrap=column != "flow")
    for run in runs:
        duration = f"{run['duration_ms']:.0f} ms" if run.get("duration_ms") is not None else "—"
        table.add_row(run["id"], run["flow_name"] or run["flow_path"], run["status"],
                      _when(run["started"]), duration, run["trigger"])
    Console().print(table)
    return EXIT_OK


def cmd_runs_show(args: argparse.Namespace) -> int:
    from runtime._store.history import HistoryStore

    store = HistoryStore(data_paths().history_db)
    try:
        store.mark_crashed_runs()
        matches = store.find_runs(args.run_id)
        if len(matches) > 1:
            shown = ", ".join(matches[:5]) + (" …" if len(matches) > 5 else "")
            return _fail(f"'{args.run_id}' matches {len(matches)} runs ({shown}); give more of the id")
        run = store.get_run(matches[0]) if matches else None
        if run is None:
            return _fail(f"no run with id '{args.run_id}' (see `loomwork runs`)")
        if args.events:
            run["events"] = store.events(run["id"])
        if args.outputs:
            if args.outputs not in {n["node_id"] for n in run["nodes"]}:
                return _fail(f"run {run['id']} has no node '{args.outputs}'")
            values = store.node_outputs(run["id"], args.outputs)
            if values is None:
                return _fail(f"the outputs of {args.outputs} in run {run['id']} were not kept "
                             "(it produced none, or they were pruned)")
            _print_json(to_plain_json(values))
            return EXIT_OK
    finally:
        store.close()
    if args.json:
        _print_json(run)
        return EXIT_OK
    out = sys.stdout
    out.write(f"run {run['id']}  {run['status']}\n")
    out.write(f"flow     {run['flow_name']} ({run['flow_path']})\n")
    out.write(f"started  {_when(run['started'])}   finished {_when(run['finished'])}\n")
    if run.get("error"):
        out.write(f"error    {run['error']}\n")
    for node in run["nodes"]:
        extra = " (cached)" if node["cached"] else ""
        err = f" — {node['error']}" if node.get("error") else ""
        ms = f"{node['duration_ms']:.1f} ms" if node.get("duration_ms") is not None else ""
        out.write(f"  {node['node_id']}  {node['type_id'] or '':<22} {node['state']:<10} {ms}{extra}{err}\n")
    for event in run.get("events", []):
        out.write(f"  [{event['seq']}] {event['kind']} {json.dumps(event, default=str)}\n")
    return EXIT_OK


# ----- credentials ------------------------------------------------------------------

def _credentials() -> CredentialStore:
    return CredentialStore(data_paths().credentials_index)


def cmd_credentials_set(args: argparse.Namespace) -> int:
    try:
        if args.stdin or not sys.stdin.isatty():
            value = sys.stdin.readline().rstrip("\r\n")
        else:
            value = getpass.getpass(f"value for '{args.name}': ")
        _credentials().set(args.name, value)
    except CredentialError as exc:
        return _fail(str(exc))
    except EOFError:
        return _fail("no value given")
    sys.stdout.write(f"stored credential '{args.name}'\n")
    return EXIT_OK


def cmd_credentials_list(args: argparse.Namespace) -> int:
    names = _credentials().names()
    if args.json:
        _print_json(names)
    else:
        sys.stdout.write("".join(f"{n}\n" for n in names) or "no credentials stored\n")
    return EXIT_OK


def cmd_credentials_delete(args: argparse.Namespace) -> int:
    try:
        _credentials().delete(args.name)
    except CredentialError as exc:
        return _fail(str(exc))
    sys.stdout.write(f"deleted credential '{args.name}'\n")
    return EXIT_OK
