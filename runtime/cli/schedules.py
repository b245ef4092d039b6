"""`loomwork schedules …` and `loomwork service …`: triggers, schedules and the service."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any

from runtime.cli.commands import EXIT_FAILED, EXIT_OK, _fail, _print_json
from runtime.flowfile import FlowFileError
from runtime.paths import data_paths

__all__ = ["register"]


def register(sub: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    sched = sub.add_parser("schedules", help="triggers of flows and whether they run here")
    ssub = sched.add_subparsers(dest="schedules_command", parser_class=parser_class, required=True,
                                metavar="list|add|remove|enable|disable|pause|resume|next|run")
    lst = ssub.add_parser("list", help="schedules with state, next fire, last outcome, missed runs")
    lst.add_argument("flows", nargs="*", metavar="FLOW", help="also show these flows' triggers")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)
    for name, func, text in (("enable", cmd_enable, "enable triggers here (all when none named)"),
                             ("disable", cmd_disable, "stop triggers firing here"),
                             ("pause", cmd_pause, "pause enabled triggers"),
                             ("resume", cmd_resume, "resume paused triggers")):
        p = ssub.add_parser(name, help=text)
        p.add_argument("flow", metavar="FLOW")
        p.add_argument("triggers", nargs="*", metavar="TRIGGER_ID")
        p.set_defaults(func=func)
    nxt = ssub.add_parser("next", help="the next fire times of a flow's triggers")
    nxt.add_argument("flow", metavar="FLOW")
    nxt.add_argument("triggers", nargs="*", metavar="TRIGGER_ID")
    nxt.add_argument("--count", type=int, default=5)
    nxt.add_argument("--json", action="store_true")
    nxt.set_defaults(func=cmd_next)
    run = ssub.add_parser("run", help="ask the service to run a trigger's flow now")
    run.add_argument("flow", metavar="FLOW")
    run.add_argument("trigger", metavar="TRIGGER_ID")
    run.set_defaults(func=cmd_run_now)
    add = ssub.add_parser("add", help="add a trigger to a flow file (written canonically)")
    add.add_argument("flow", metavar="FLOW")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--cron", help='5 cron fields or a preset: "0 8 * * 1-5", "weekdays at 8:00"')
    kind.add_argument("--every", type=float, metavar="SECONDS", help="an interval")
    kind.add_argument("--at", metavar="DATETIME", help="once, at an ISO date-time")
    kind.add_argument("--watch", metavar="FOLDER", help="new or changed files in a folder")
    kind.add_argument("--startup", action="store_true", help="when the service starts (at login)")
    add.add_argument("--tz", help="IANA time zone (default: this machine's)")
    add.add_argument("--pattern", default="*", help="with --watch: file name pattern")
    add.add_argument("--input", dest="watch_input", help="with --watch: the flow input for the path")
    add.add_argument("--title", default="")
    add.add_argument("--missed", choices=["skip", "run_once", "run_all"], default="run_once")
    add.add_argument("--missed-limit", type=int, default=10)
    add.add_argument("--overlap", choices=["skip", "queue", "parallel"], default="skip")
    add.add_argument("--jitter", type=float, default=0, metavar="SECONDS")
    add.add_argument("-i", "--input-value", action="append", default=[], metavar="NAME=VALUE",
                     help="a fixed value for a flow input (JSON or text; repeatable)")
    add.add_argument("--enable", action="store_true", help="also enable it here")
    add.set_defaults(func=cmd_add)
    rm = ssub.add_parser("remove", help="remove a trigger from a flow file")
    rm.add_argument("flow", metavar="FLOW")
    rm.add_argument("trigger", metavar="TRIGGER_ID")
    rm.set_defaults(func=cmd_remove)

    service = sub.add_parser("service", help="the background scheduler")
    vsub = service.add_subparsers(dest="service_command", parser_class=parser_class, required=True,
                                  metavar="run|install|uninstall|status")
    srun = vsub.add_parser("run", help="run the scheduler in the foreground (Ctrl-C stops it)")
    srun.add_argument("--home", help="the data folder (default: LOOMWORK_HOME or the user data folder)")
    srun.add_argument("--clock-start", help=argparse.SUPPRESS)  # tests: a simulated start time
    srun.add_argument("--clock-speed", type=float, default=1.0, help=argparse.SUPPRESS)
    srun.add_argument("--grace", type=float, default=60.0, help=argparse.SUPPRESS)
    srun.set_defaults(func=cmd_service_run)
    inst = vsub.add_parser("install", help="start the service at login (systemd, launchd, Task Scheduler)")
    inst.add_argument("--print", dest="print_only", action="store_true",
                      help="only print the file that would be written")
    inst.set_defaults(func=cmd_service_install)
    uninst = vsub.add_parser("uninstall", help="stop starting the service at login")
    uninst.set_defaults(func=cmd_service_uninstall)
    status = vsub.add_parser("status", help="is the service running, and installed?")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_service_status)


def _manager() -> Any:
    from runtime.schedules import ScheduleManager

    return ScheduleManager(data_paths())


def _local(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%a %Y-%m-%d %H:%M:%S %Z") if when else "—"


_STATE_TEXT = {"needs_reenable": "needs re-enabling", "flow_missing": "flow file missing",
               "trigger_missing": "trigger removed"}


def cmd_list(args: argparse.Namespace) -> int:
    from runtime.schedules import ScheduleError

    with _manager() as manager:
        try:
            infos = manager.list(args.flows)
        except ScheduleError as exc:
            return _fail(str(exc))
    if args.json:
        _print_json([i.to_json() for i in infos])
        return EXIT_OK
    if not infos:
        sys.stdout.write("no schedules (add one: loomwork schedules add FLOW --cron \"weekdays at 8:00\")\n")
        return EXIT_OK
    for info in infos:
        out = sys.stdout
        out.write(f"{info.flow_path}#{info.trigger_id}  [{_STATE_TEXT.get(info.state, info.state)}]"
                  f"  {info.summary}\n")
        if info.problem:
            out.write(f"    {info.problem}\n")
        if info.next_fires:
            out.write(f"    next: {_local(info.next_fires[0])}\n")
        if info.last_run:
            last = info.last_run
            run = f" run {last.run_id}" if last.run_id else ""
            error = f" — {last.error}" if last.error else ""
            out.write(f"    last: {last.status} ({last.reason}, {_local(last.fire_time)}){run}{error}\n")
        if info.missed_count:
            out.write(f"    missed: {info.missed_count} run(s), latest {_local(info.last_missed)}\n")
    return EXIT_OK


def _change(args: argparse.Namespace, verb: str) -> int:
    from runtime.schedules import ScheduleError

    with _manager() as manager:
        try:
            method = {"enabled": manager.enable, "disabled": manager.disable, "paused": manager.pause,
                      "resumed": manager.resume}[verb]
            keys = method(args.flow, args.triggers or None)
        except ScheduleError as exc:
            return _fail(str(exc))
    for key in keys:
        sys.stdout.write(f"{verb} {key}\n")
    return EXIT_OK


def cmd_enable(args: argparse.Namespace) -> int:
    return _change(args, "enabled")


def cmd_disable(args: argparse.Namespace) -> int:
    return _change(args, "disabled")


def cmd_pause(args: argparse.Namespace) -> int:
    return _change(args, "paused")


def cmd_resume(args: argparse.Namespace) -> int:
    return _change(args, "resumed")


def cmd_next(args: argparse.Namespace) -> int:
    from runtime.schedules import ScheduleError

    report: dict[str, list[str]] = {}
    with _manager() as manager:
        try:
            flow = manager._load(args.flow)
            ids = args.triggers or sorted(flow.triggers)
            if not ids:
                return _fail(f"{args.flow} has no triggers")
            for tid in ids:
                report[tid] = [t.isoformat() for t in manager.next_fires(args.flow, tid, max(1, args.count))]
        except ScheduleError as exc:
            return _fail(str(exc))
    if args.json:
        _print_json(report)
        return EXIT_OK
    for tid, times in report.items():
        sys.stdout.write(f"{tid}:\n")
        for text in times or ["(fires on events, not at set times)"]:
            shown = _local(dt.datetime.fromisoformat(text)) if times else text
            sys.stdout.write(f"  {shown}\n")
    return EXIT_OK


def cmd_run_now(args: argparse.Namespace) -> int:
    from runtime.schedules import ScheduleError

    with _manager() as manager:
        try:
            manager.run_now(args.flow, args.trigger)
            status = manager.service_status()
        except ScheduleError as exc:
            return _fail(str(exc))
    note = "" if status.running else " (the service is not running: start it with `loomwork service run`)"
    sys.stdout.write(f"requested a run of {args.flow}#{args.trigger}{note}\n")
    return EXIT_OK


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _build_trigger(args: argparse.Namespace) -> Any:
    from pydantic import TypeAdapter

    from runtime.triggers import Trigger

    common: dict[str, Any] = {"title": args.title, "missed": args.missed, "missed_limit": args.missed_limit,
                              "overlap": args.overlap, "jitter_s": args.jitter, "inputs": {}}
    for pair in args.input_value:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-i expects NAME=VALUE, got {pair!r}")
        common["inputs"][name.strip()] = _value(value)
    if args.cron:
        from runtime.schedules import local_zone_name

        data = {"kind": "cron", "cron": args.cron, "timezone": args.tz or local_zone_name()}
    elif args.every is not None:
        data = {"kind": "interval", "every_s": args.every}
    elif args.at:
        data = {"kind": "once", "at": args.at, "timezone": args.tz}
    elif args.watch:
        if not args.watch_input:
            raise ValueError("--watch needs --input NAME: the flow input that receives the file path")
        data = {"kind": "watch", "folder": args.watch, "pattern": args.pattern, "input": args.watch_input}
    else:
        data = {"kind": "startup"}
    return TypeAdapter(Trigger).validate_python({**data, **common})


def cmd_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from runtime.messages import validation_items
    from runtime.schedules import ScheduleError, add_trigger, describe_trigger

    try:
        trigger = _build_trigger(args)
        trigger_id = add_trigger(args.flow, trigger)
    except ValidationError as exc:
        return _fail("; ".join(f"{w}: {m}" if w else m for w, m in validation_items(exc)))
    except (FlowFileError, ValueError) as exc:
        return _fail(str(exc))
    sys.stdout.write(f"added trigger {trigger_id} to {args.flow}: {describe_trigger(trigger)}\n")
    if args.enable:
        with _manager() as manager:
            try:
                manager.enable(args.flow, [trigger_id])
            except ScheduleError as exc:
                return _fail(str(exc))
        sys.stdout.write(f"enabled {trigger_id} on this machine\n")
    else:
        sys.stdout.write(f"enable it here with: loomwork schedules enable {args.flow} {trigger_id}\n")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from runtime.schedules import ScheduleError, remove_trigger

    try:
        remove_trigger(args.flow, args.trigger)
    except (ScheduleError, FlowFileError) as exc:
        return _fail(str(exc))
    sys.stdout.write(f"removed trigger {args.trigger} from {args.flow}\n")
    return EXIT_OK


# ----- service ----------------------------------------------------------------------

def cmd_service_run(args: argparse.Namespace) -> int:
    from runtime.cli.service import run_service

    if args.home:
        os.environ["LOOMWORK_HOME"] = args.home
    return run_service(clock_start=args.clock_start, clock_speed=args.clock_speed, grace_s=args.grace)


def cmd_service_install(args: argparse.Namespace) -> int:
    from runtime.cli.service import install_service

    return install_service(print_only=args.print_only)


def cmd_service_uninstall(args: argparse.Namespace) -> int:
    from runtime.cli.service import uninstall_service

    return uninstall_service()


def cmd_service_status(args: argparse.Namespace) -> int:
    with _manager() as manager:
        status = manager.service_status()
    if args.json:
        _print_json(status.to_json())
    else:
        state = f"running (pid {status.pid})" if status.running else "not running"
        sys.stdout.write(f"service: {state}\n")
        if status.running:
            sys.stdout.write(f"  started {_local(status.started)}, last seen {_local(status.heartbeat)}\n")
        login = "yes" if status.installed else "no"
        sys.stdout.write(f"  starts at login: {login} ({status.install_path})\n")
    return EXIT_OK if status.running else EXIT_FAILED

