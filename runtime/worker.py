"""The run worker: a separate process the studio drives, so a crash in a node library
(a browser, a model runtime) can never take the editor down.

Protocol: one JSON object per line. The studio writes commands to stdin; the worker
writes messages to stdout.

Commands (`op`):
- `run`: `flow` (the flow file's text), `flow_path`, `inputs`, `from_node`, `only_node`,
  `use_cache`, `breakpoints` (node ids) — starts a run (one at a time).
- `cancel`: stops the current run (also when paused).
- `continue` / `step`: leave a breakpoint; `step` pauses again before the next node.
- `breakpoints`: `ids` — replaces the set of breakpoints, also during a run.
- `outputs`: `node_id`, `limit` — the last run's output values of a node.
- `quit`.

Messages (`type`): `ready`, `event` (a run event as a dict), `paused` (`node_id`,
`inputs`), `finished` (`result`), `invalid` (the flow cannot run: `message`), `outputs`
(`node_id`, `values` as tagged JSON), `error` (a command could not be done).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from typing import Any, TextIO

from runtime.compile import CompileError
from runtime.events import RunEvent
from runtime.flowfile import FlowFileError, loads_flow
from runtime.inputs import FlowInputError
from runtime.paths import data_paths
from runtime.registry import Registry
from runtime.runner import Runner
from runtime.services import discover_services
from runtime.valuecodec import dumps_values, to_plain_json
from runtime.values import Table

__all__ = ["Worker", "main"]

_PREVIEW_ROWS = 20


def _preview(values: dict[str, Any]) -> dict[str, Any]:
    """Small JSON previews of a node's inputs for the "paused" message."""
    out = {}
    for name, value in values.items():
        if isinstance(value, Table):
            value = Table(value.columns, value.rows[:_PREVIEW_ROWS])
        out[name] = to_plain_json(value)
    return out


def _limited(values: dict[str, Any], limit: int) -> dict[str, Any]:
    return {name: Table(v.columns, v.rows[:limit]) if isinstance(v, Table) and len(v) > limit else v
            for name, v in values.items()}


class Worker:
    """Serves the protocol above on `stdout`, reading commands from a queue."""

    def __init__(self, runner: Runner, out: TextIO):
        self.runner = runner
        self.out = out
        self._pending: list[str] = []
        self._flush_scheduled = False
        self._run_task: asyncio.Task[None] | None = None
        self._breakpoints: set[str] = set()
        self._stepping = False
        self._resume: asyncio.Event | None = None
        self._last_outputs: dict[str, dict[str, Any]] = {}

    # ----- output ----------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Queue one message; messages go out together once per event-loop turn."""
        self.send_raw(json.dumps(message, ensure_ascii=False, default=str))

    def send_raw(self, line: str) -> None:
        """Queue one message already written as a line of JSON (no newline inside)."""
        self._pending.append(line)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._pending:
            lines, self._pending = self._pending, []
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()

    def _on_event(self, event: RunEvent) -> None:
        self.send({"type": "event", "event": event.to_dict()})

    # ----- commands --------------------------------------------------------------------

    async def handle(self, command: dict[str, Any]) -> bool:
        """Do one command; False when the worker should stop."""
        op = command.get("op")
        if op == "run":
            if self._run_task is not None and not self._run_task.done():
                self.send({"type": "error", "message": "a run is already in progress"})
            else:
                self._run_task = asyncio.create_task(self._run(command))
        elif op == "cancel":
            self.runner.cancel()
            self._release()
        elif op in ("continue", "step"):
            self._stepping = op == "step"
            self._release()
        elif op == "breakpoints":
            self._breakpoints = set(command.get("ids") or [])
        elif op == "outputs":
            node_id = command.get("node_id", "")
            values = self._last_outputs.get(node_id, {})
            limit = int(command.get("limit") or 100_000)
            self.send_raw(f'{{"type": "outputs", "node_id": {json.dumps(node_id)}, '
                          f'"values": {dumps_values(_limited(values, limit))}}}')
        elif op == "quit":
            self.runner.cancel()
            self._release()
            if self._run_task is not None:
                await asyncio.gather(self._run_task, return_exceptions=True)
            return False
        else:
            self.send({"type": "error", "message": f"unknown command {op!r}"})
        return True

    def _release(self) -> None:
        if self._resume is not None:
            self._resume.set()

    async def _before_node(self, node_id: str, inputs: dict[str, Any]) -> None:
        if not (self._stepping or node_id in self._breakpoints):
            return
        self._resume = asyncio.Event()
        self.send({"type": "paused", "node_id": node_id, "inputs": _preview(inputs)})
        try:
            await self._resume.wait()
        finally:
            self._resume = None

    async def _run(self, command: dict[str, Any]) -> None:
        self._breakpoints = set(command.get("breakpoints") or [])
        self._stepping = False
        flow_path = command.get("flow_path")
        try:
            flow = loads_flow(command["flow"], flow_path or "<unsaved flow>")
            result = await self.runner.run(
                flow, flow_path=flow_path, inputs=command.get("inputs") or {},
                inputs_are_text=bool(command.get("inputs_are_text")),
                use_cache=command.get("use_cache", True), from_node=command.get("from_node"),
                only_node=command.get("only_node"), trigger=command.get("trigger", "studio"),
                on_event=self._on_event, keep_outputs=True, before_node=self._before_node)
        except (FlowFileError, CompileError, FlowInputError) as exc:
            problems = [p.to_json() for p in getattr(exc, "problems", [])]
            self.send({"type": "invalid", "message": str(exc), "problems": problems})
            return
        except Exception as exc:  # report, never die silently: the studio shows it
            self.send({"type": "error", "message": f"{type(exc).__name__}: {exc}"})
            return
        self._last_outputs = result.node_outputs
        self.send({"type": "finished", "result": {
            "run_id": result.run_id, "status": result.status.value, "error": result.error,
            "duration_ms": result.duration_ms,
            "nodes": {nid: o.to_json() | {"pinned": o.pinned} for nid, o in result.nodes.items()},
            "outputs": to_plain_json(result.outputs),
        }})


async def serve(worker: Worker, stdin: TextIO) -> None:
    """Read commands (a thread turns blocking reads into queue items) until quit or EOF."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="worker-stdin", daemon=True).start()
    worker.send({"type": "ready", "pid": os.getpid()})
    while True:
        line = await queue.get()
        if line is None:  # the studio went away: stop whatever runs
            await worker.handle({"op": "quit"})
            break
        if not line.strip():
            continue
        try:
            command = json.loads(line)
        except ValueError:
            worker.send({"type": "error", "message": "a command was not valid JSON"})
            continue
        if not await worker.handle(command):
            break
    worker._flush()


def main() -> int:
    """Entry point: `python -m runtime.worker` (started by the studio)."""
    paths = data_paths()
    services, broken = discover_services(paths)
    for plugin in broken:
        sys.stderr.write(f"warning: service '{plugin.name}' could not be loaded: {plugin.error}\n")
    runner = Runner(Registry.from_entry_points(), paths, services=services)
    worker = Worker(runner, sys.stdout)
    try:
        asyncio.run(serve(worker, sys.stdin))
    finally:
        runner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
