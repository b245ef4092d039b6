"""The background service: `loomwork service run`, and registering it to start at login.

`run_service` is a composition root like the CLI's: it takes the single-instance lock,
builds the registry and the runner (the same one the CLI and the studio use) and serves
the scheduler until SIGTERM or Ctrl-C, then cancels the runs still going and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import subprocess
import sys

from runtime.cli.commands import EXIT_FAILED, EXIT_OK, _fail, _registry, _services
from runtime.paths import data_paths

__all__ = ["install_service", "run_service", "uninstall_service"]

log = logging.getLogger("loomwork.scheduler")


def run_service(*, clock_start: str | None = None, clock_speed: float = 1.0, grace_s: float = 60.0) -> int:
    from runtime._scheduler.clock import OffsetClock, RealClock
    from runtime._scheduler.engine import Scheduler, runner_launch
    from runtime._scheduler.lock import AlreadyRunning, InstanceLock
    from runtime._scheduler.store import ScheduleStore
    from runtime.cli.main import _version
    from runtime.runner import Runner

    paths = data_paths()
    lock = InstanceLock(paths.service_lock)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        who = f"pid {exc.pid}" if exc.pid else "another process"
        return _fail(f"the Loomwork service is already running here ({who}, lock {exc.path}); "
                     "stop that one first, or see `loomwork service status`", EXIT_FAILED)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s loomwork-service %(levelname)s %(message)s")
    clock = OffsetClock(dt.datetime.fromisoformat(clock_start), clock_speed, max_nap_s=1.0) \
        if clock_start else RealClock()
    runner = Runner(_registry(), paths, services=_services(paths))
    store = ScheduleStore(paths.scheduler_db)
    version = _version()

    async def serve() -> None:
        scheduler = Scheduler(store, runner_launch(runner), clock, grace_s=grace_s,
                              reload_s=2.0 * clock_speed)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows
                loop.add_signal_handler(sig, stop.set)
        started = scheduler.started.timestamp()
        log.info("started (pid %s, data %s)", __import__("os").getpid(), paths.home)
        try:
            await scheduler.serve(stop, heartbeat=lambda: store.heartbeat(started, version))
        finally:
            log.info("stopping")
            await scheduler.shutdown(runner.cancel)

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        runner.close()
        store.close()
        lock.release()
    log.info("stopped")
    return EXIT_OK


def _run(command: list[str]) -> tuple[bool, str]:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    return out.returncode == 0, (out.stderr or out.stdout).strip()


def install_service(*, print_only: bool = False) -> int:
    import os

    from runtime._scheduler.install import service_plan
    from runtime.fsutil import atomic_write_bytes

    plan = service_plan(home=os.environ.get("LOOMWORK_HOME"), data_home=data_paths().home)
    if print_only:
        sys.stdout.write(f"# {plan.path}\n")
        sys.stdout.write(plan.content.decode("utf-16") if plan.system == "win32" else plan.content.decode())
        return EXIT_OK
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(plan.path, plan.content)
    sys.stdout.write(f"wrote {plan.path}\n")
    ok, reason = plan.available()
    commands = "\n".join("  " + subprocess.list2cmdline(c) if plan.system == "win32" else "  " + " ".join(c)
                         for c in plan.enable)
    if not ok:
        sys.stdout.write(f"could not register it: {reason}.\nTo start it at login, run in your session:\n"
                         f"{commands}\nor start it by hand with: loomwork service run\n")
        return EXIT_OK
    for command in plan.enable:
        done, detail = _run(command)
        if not done:
            return _fail(f"`{' '.join(command)}` failed: {detail}\nrun these yourself:\n{commands}")
    sys.stdout.write("the Loomwork service is registered and starts at login\n")
    return EXIT_OK


def uninstall_service() -> int:
    from runtime._scheduler.install import service_plan

    plan = service_plan(data_home=data_paths().home)
    if plan.available()[0]:
        for command in plan.disable:
            _run(command)
    existed = plan.path.exists()
    plan.path.unlink(missing_ok=True)
    if plan.system == "linux" and plan.available()[0]:
        _run(["systemctl", "--user", "daemon-reload"])
    sys.stdout.write(f"removed {plan.path}\n" if existed else "the service was not installed\n")
    return EXIT_OK
