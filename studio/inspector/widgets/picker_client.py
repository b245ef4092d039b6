"""The "Pick element" helper program seen from the studio: a QProcess speaking JSON lines.

The program (by default `python -m <module>`, the module named by the field's schema)
opens a visible browser; this side sends commands (`open`, `pick`, `count`, `quit`) and
turns each answer line into a `message(dict)` signal. Stopping asks the program to quit
(it closes its browser), and ends it harder if it does not within a few seconds — without
blocking the editor: a stopping process is handed to the application until it has gone.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QProcess, QTimer, Signal

__all__ = ["PickerClient", "picker_command"]

QUIT_GRACE_MS = 4000
"""How long a picker may take to close its browser before it is terminated."""


def picker_command(module: str) -> tuple[str, list[str]]:
    """The program and arguments that run picker `module` with this Python."""
    return sys.executable, ["-m", module]


class PickerClient(QObject):
    """One picker process at a time. Signals: `message(dict)` for every answer line,
    `stopped(str)` when the process ended (with why, when it ended unasked)."""

    message = Signal(dict)
    stopped = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.process: QProcess | None = None
        self._buffer = b""
        self._stopping = False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, program: str, args: list[str]) -> None:
        """Start the picker unless it runs already."""
        if self.running:
            return
        self._buffer = b""
        self._stopping = False
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self.process = process
        process.start(program, args)

    def send(self, **command: Any) -> None:
        if self.running and self.process is not None:
            self.process.write((json.dumps(command) + "\n").encode())

    def stop(self) -> None:
        """Ask the picker to quit (it closes its browser); terminate it if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        self._stopping = True
        for signal in (process.readyReadStandardOutput, process.finished, process.errorOccurred):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass
        if process.state() == QProcess.ProcessState.NotRunning:
            process.deleteLater()
            return
        process.write(b'{"op": "quit"}\n')
        process.closeWriteChannel()
        app = QCoreApplication.instance()
        process.setParent(app)  # outlives this client (and its widget) until it has quit
        process.finished.connect(process.deleteLater)
        QTimer.singleShot(QUIT_GRACE_MS, process, process.terminate)
        QTimer.singleShot(QUIT_GRACE_MS * 2, process, process.kill)
        if app is not None:
            app.aboutToQuit.connect(process.kill)

    # ----- process signals -----------------------------------------------------------

    def _read(self) -> None:
        process = self.process
        if process is None:
            return
        self._buffer += bytes(process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            try:
                answer = json.loads(line)
            except ValueError:
                continue  # not ours (a library printing to stdout)
            if isinstance(answer, dict):
                self.message.emit(answer)

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._read()  # its last words (an error) come before the end
        process, self.process = self.process, None
        if process is not None:
            process.deleteLater()
        if not self._stopping:
            self.stopped.emit("" if code in (0, 2) else f"the browser helper stopped (exit code {code})")

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            process, self.process = self.process, None
            program = process.program() if process is not None else "?"
            if process is not None:
                process.deleteLater()
            self.stopped.emit(f"could not start the browser helper ({program})")
