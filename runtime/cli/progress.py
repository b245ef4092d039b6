"""Live per-node progress for `loomwork run` on a terminal (rich), or plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from runtime.compile import Plan
from runtime.events import (
    NodeCompleted,
    NodeFailed,
    NodeLog,
    NodeProgress,
    NodeSkipped,
    NodeStarted,
    RunEvent,
)

_STYLE = {"PENDING": "dim", "RUNNING": "bold cyan", "COMPLETED": "green", "FAILED": "bold red",
          "SKIPPED": "yellow", "CANCELLED": "magenta", "CRASHED": "bold red"}
_SYMBOL = {"PENDING": "·", "RUNNING": "▶", "COMPLETED": "✔", "FAILED": "✘", "SKIPPED": "↷",
           "CANCELLED": "■", "CRASHED": "☠"}


class ProgressDisplay:
    """Follows run events; on a TTY redraws a table of nodes at most 10 times a second."""

    MAX_ROWS = 40

    def __init__(self, plan: Plan, stream: TextIO | None = None, live: bool | None = None):
        self.plan = plan
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.rows: dict[str, dict[str, Any]] = {
            nid: {"state": "PENDING", "detail": "", "ms": None} for nid in plan.order}
        self._live: Any = None
        self._last_draw = 0.0

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self._render(), console=Console(file=self.stream),
                              refresh_per_second=10, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self._render())
            self._live.__exit__(None, None, None)

    def _title(self, nid: str) -> str:
        return self.plan.nodes[nid].title if nid in self.plan.nodes else nid

    def __call__(self, event: RunEvent) -> None:
        nid = getattr(event, "node_id", "")
        row = self.rows.get(nid)
        line = None
        if isinstance(event, NodeStarted) and row is not None:
            row["state"] = "RUNNING"
        elif isinstance(event, NodeProgress) and row is not None:
            pct = f"{event.fraction:.0%} " if event.fraction is not None else ""
            row["detail"] = pct + event.message
        elif isinstance(event, NodeCompleted) and row is not None:
            row.update(state="COMPLETED", ms=event.duration_ms,
                       detail="cached" if event.cached else ("pinned" if event.pinned else ""))
            line = f"{_SYMBOL['COMPLETED']} {self._title(nid)} ({nid}) {event.duration_ms:.0f} ms" + \
                (" cached" if event.cached else "")
        elif isinstance(event, NodeFailed) and row is not None:
            row.update(state=event.state.value, ms=event.duration_ms, detail=event.error)
            line = f"{_SYMBOL.get(event.state.value, '✘')} {self._title(nid)} ({nid}) " \
                   f"{event.state.value}: {event.error}"
        elif isinstance(event, NodeSkipped) and row is not None:
            row.update(state="SKIPPED", detail=event.reason)
        elif isinstance(event, NodeLog) and event.level in ("warning", "error"):
            line = f"  [{event.level}] {self._title(nid)}: {event.message}"
        if self._live is not None:
            if isinstance(event, NodeLog) and line is not None:  # warnings stay visible above
                from rich.text import Text

                self._live.console.print(Text(line, style="yellow"))
            now = time.monotonic()
            if now - self._last_draw > 0.1 or isinstance(event, (NodeFailed, NodeCompleted)):
                self._last_draw = now
                self._live.update(self._render())
        elif line is not None:
            self.stream.write(line + "\n")
            self.stream.flush()

    def _render(self) -> Any:
        from rich.table import Table as RichTable
        from rich.text import Text

        table = RichTable(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("")
        table.add_column("node")
        table.add_column("state")
        table.add_column("time", justify="right")
        table.add_column("detail", overflow="fold")
        rows = list(self.rows.items())
        if len(rows) > self.MAX_ROWS:  # big flows: what is running or went wrong, plus counts
            counts: dict[str, int] = {}
            for _nid, row in rows:
                counts[row["state"]] = counts.get(row["state"], 0) + 1
            summary = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
            table.add_row("", Text(f"{len(rows)} nodes", style="bold"), "", "", summary)
            rows = [(nid, row) for nid, row in rows
                    if row["state"] not in ("PENDING", "COMPLETED", "SKIPPED")][: self.MAX_ROWS]
        for nid, row in rows:
            state = row["state"]
            ms = "" if row["ms"] is None else f"{row['ms']:.0f} ms"
            name = Text(self._title(nid) + " ")
            name.append(nid, style="dim")
            table.add_row(_SYMBOL[state], name, Text(state, style=_STYLE[state]), ms, Text(row["detail"]))
        return table
