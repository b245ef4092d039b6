"""`loomwork` command line: the CLI's composition root.

Exit codes: 0 success, 1 the flow failed (or `fmt --check` found changes), 2 invalid
input or usage, 130 interrupted. Errors are one clear paragraph on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from importlib import metadata

from runtime.cli import commands, schedules

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with one paragraph, as argparse does
        self.print_usage(sys.stderr)
        sys.stderr.write(f"loomwork: error: {message}\n")
        raise SystemExit(2)


def _version() -> str:
    try:
        return metadata.version("loomwork")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="loomwork", description="Run, check and manage Loomwork flows.")
    parser.add_argument("--version", action="version", version=f"loomwork {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run a flow")
    run.add_argument("flow", help="the .loom file")
    run.add_argument("-i", "--input", action="append", default=[], metavar="NAME=VALUE",
                     help="a value for one of the flow's inputs (repeatable)")
    run.add_argument("--from", dest="from_node", metavar="NODE_ID",
                     help="re-run from this node, reusing the last results of nodes before it")
    run.add_argument("--no-cache", action="store_true", help="run every node, ignoring cached results")
    run.add_argument("--json", action="store_true", help="print one JSON object with the result")
    run.add_argument("--concurrency", type=int, default=8, help="nodes running at once (default 8)")
    run.set_defaults(func=commands.cmd_run)

    validate = sub.add_parser("validate", help="check flows without running them")
    validate.add_argument("flows", nargs="+", metavar="FLOW")
    validate.add_argument("--json", action="store_true")
    validate.set_defaults(func=commands.cmd_validate)

    fmt = sub.add_parser("fmt", help="rewrite flows in canonical form")
    fmt.add_argument("flows", nargs="+", metavar="FLOW")
    fmt.add_argument("--check", action="store_true", help="only report files that are not canonical")
    fmt.set_defaults(func=commands.cmd_fmt)

    nodes = sub.add_parser("nodes", help="list the node types that are installed")
    nodes.add_argument("--json", action="store_true")
    nodes.set_defaults(func=commands.cmd_nodes)

    runs = sub.add_parser("runs", help="past runs (run history)")
    runs.add_argument("--json", action="store_true")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--status", type=str.upper, help="only runs with this status",
                      choices=["RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED"])
    runs.set_defaults(func=commands.cmd_runs, runs_command=None)
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="show", parser_class=_Parser)
    show = runs_sub.add_parser("show", help="one run in detail")
    show.add_argument("run_id")
    show.add_argument("--json", action="store_true")
    show.add_argument("--events", action="store_true", help="also list the run's events")
    show.add_argument("--outputs", metavar="NODE_ID",
                      help="print what one node produced in that run, as JSON")
    show.set_defaults(func=commands.cmd_runs_show)

    schema = sub.add_parser("schema", help="print the JSON Schema of the .loom format")
    schema.set_defaults(func=commands.cmd_schema)

    creds = sub.add_parser("credentials", help="named secrets in the OS keyring")
    creds_sub = creds.add_subparsers(dest="creds_command", metavar="set|list|delete",
                                     parser_class=_Parser, required=True)
    cset = creds_sub.add_parser("set", help="store a credential (the value is asked for, not echoed)")
    cset.add_argument("name")
    cset.add_argument("--stdin", action="store_true", help="read the value from standard input")
    cset.set_defaults(func=commands.cmd_credentials_set)
    clist = creds_sub.add_parser("list", help="list credential names")
    clist.add_argument("--json", action="store_true")
    clist.set_defaults(func=commands.cmd_credentials_list)
    cdel = creds_sub.add_parser("delete", help="remove a credential")
    cdel.add_argument("name")
    cdel.set_defaults(func=commands.cmd_credentials_delete)
    schedules.register(sub, _Parser)
    _add_plugin_commands(sub)
    return parser


def _add_plugin_commands(sub: argparse._SubParsersAction) -> None:
    """Commands from other packages (the studio, the model manager) via entry points.

    Each `loomwork.cli` entry point is a function `register(subparsers)`; it must import
    nothing heavy until its command runs. One that fails to load is reported only when
    its command is used.
    """
    for ep in sorted(metadata.entry_points(group="loomwork.cli"), key=lambda e: e.name):
        try:
            ep.load()(sub)
        except Exception as exc:
            broken = sub.add_parser(ep.name, help=f"(unavailable: {exc})")
            broken.add_argument("rest", nargs=argparse.REMAINDER)
            broken.set_defaults(func=_unavailable(ep.name, ep.value, exc))


def _unavailable(name: str, target: str, exc: Exception) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        sys.stderr.write(f"loomwork: the '{name}' command ({target}) could not be loaded: "
                         f"{type(exc).__name__}: {exc}\n")
        return 2

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        sys.stderr.write("loomwork: interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except (OSError, sqlite3.Error) as exc:  # the data folder or a file is not usable
        where = getattr(exc, "filename", None)
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        home = os.environ.get("LOOMWORK_HOME", "the user data folder")
        sys.stderr.write(f"loomwork: cannot {'use ' + str(where) if where else 'use ' + home}: {detail}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
