"""The studio's side of the run worker: a QProcess speaking `runtime.worker`'s protocol."""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal

from runtime.api import RunEvent, decode_value, event_from_dict, loads_values

__all__ = ["WorkerClient"]

_OUTPUTS = b'{"type": "outputs"'


class WorkerClient(QObject):
    """Starts the worker on demand and turns its messages into signals.

    A worker that dies (a crash in a node library) emits `crashed`; the next run starts
    a fresh one. The editor itself never runs flow code.
    """

    event = Signal(object)        # a RunEvent
    paused = Signal(str, dict)    # node id, preview of its inputs
    finished = Signal(dict)       # the run's result
    invalid = Signal(str)         # the flow cannot run: one clear paragraph
    failed = Signal(str)          # the worker could not do a command
    crashed = Signal(str)         # the worker process died during a run
    outputs = Signal(str, dict)   # node id, its values (port → value, decoded)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._proc: QProcess | None = None
        self._buffer = b""
        self._queue: list[bytes] = []
        self._ready = False
        self.running = False

    def _start(self) -> None:
        proc = QProcess(self)
        proc.setProgram(sys.executable)
        proc.setArguments(["-m", "runtime.worker"])
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        proc.readyReadStandardOutput.connect(self._read)
        proc.finished.connect(self._ended)
        self._proc = proc
        self._ready = False
        self._buffer = b""
        proc.start()

    def send(self, **command: Any) -> None:
        """Send one command, starting the worker first if it is not running."""
        if self._proc is None or self._proc.state() == QProcess.ProcessState.NotRunning:
            self._start()
        if command.get("op") == "run":
            self.running = True
        data = (json.dumps(command) + "\n").encode("utf-8")
        if self._ready:
            assert self._proc is not None
            self._proc.write(data)
        else:
            self._queue.append(data)

    def stop(self) -> None:
        """Quit the worker (when the window closes)."""
        if self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning:
            self._proc.finished.disconnect(self._ended)
            self._proc.write(b'{"op": "quit"}\n')
            if not self._proc.waitForFinished(3000):
                self._proc.kill()
                self._proc.waitForFinished(1000)
        self._proc = None

    def kill(self) -> None:
        """Kill the worker process outright (used by tests to simulate a crash)."""
        if self._proc is not None:
            self._proc.kill()

    def pid(self) -> int | None:
        return int(self._proc.processId()) if self._proc is not None else None

    def _read(self) -> None:
        assert self._proc is not None
        self._buffer += bytes(self._proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self.handle_line(line)

    def handle_line(self, line: bytes) -> None:
        """One line from the worker: parse it and emit what it says."""
        if line.startswith(_OUTPUTS):  # tagged values (tables, dates, refs) decoded while parsed
            message = loads_values(line)
            message["decoded"] = True
            self._dispatch(message)
        elif line.strip():
            self._dispatch(json.loads(line))

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "event":
            event: RunEvent = event_from_dict(message["event"])
            self.event.emit(event)
        elif kind == "ready":
            self._ready = True
            assert self._proc is not None
            for data in self._queue:
                self._proc.write(data)
            self._queue.clear()
        elif kind == "paused":
            self.paused.emit(message["node_id"], message.get("inputs", {}))
        elif kind == "finished":
            self.running = False
            self.finished.emit(message["result"])
        elif kind == "invalid":
            self.running = False
            self.invalid.emit(message["message"])
        elif kind == "outputs":
            values = message.get("values", {})
            self.outputs.emit(message["node_id"], values if message.get("decoded") else decode_value(values))
        elif kind == "error":
            self.running = False
            self.failed.emit(message.get("message", "unknown error"))

    def _ended(self, code: int, status: QProcess.ExitStatus) -> None:
        was_running = self.running
        self.running = False
        self._proc = None
        if was_running:
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exited with code {code}"
            self.crashed.emit(f"the run's worker process {how}")
