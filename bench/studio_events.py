"""Studio under a flood of run events: 10,000 events per second for 3 s into the canvas.

Events arrive as the worker sends them (JSON lines), are decoded by the WorkerClient and
applied by the RunOverlay; meanwhile the canvas is rendered as fast as it can. Prints the
median and 95th-percentile frame time with the flood beside the same without it (goal:
median under 33 ms), and how many events were handled.

The view shows a 1,000-node flow at 60 % zoom (about 100 nodes in view; BENCH_ZOOM=0.12
shows all of them) and pans back and forth over the same part of it.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/studio_events.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from PySide6.QtWidgets import QApplication  # noqa: E402
from studio_canvas import VIEW_H, VIEW_W, generated_flow  # noqa: E402

from runtime.api import save_flow  # noqa: E402

RATE, SECONDS, TICK_MS = 10_000, 3.0, 10


PAN_PX, PAN_TURN = 8, 50
"""Pan 8 px a frame, turning back every 50 frames: the view stays over the same nodes."""


def frames(app: QApplication, view, seconds: float, feed=None) -> list[float]:
    """Wall time of each frame: handling the events that arrived, then a real repaint of
    the canvas as the user sees it while panning (node marks change all over the view)."""
    view.centerOn(view.scene().itemsBoundingRect().center())
    app.processEvents()
    times, end, next_feed = [], time.perf_counter() + seconds, time.perf_counter()
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        while feed is not None and time.perf_counter() >= next_feed:  # catch up: 10,000/s
            feed()
            next_feed += TICK_MS / 1000
        step = -PAN_PX if len(times) // PAN_TURN % 2 == 0 else PAN_PX
        view.pan_by(step, 0)  # the user pans (middle-drag); processEvents performs the repaint
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    app = QApplication.instance() or QApplication([])
    os.environ["LOOMWORK_HOME"] = tempfile.mkdtemp()
    from studio.app import create_window
    from studio.features.run import controller_of

    window = create_window(theme_name="light")
    window.show()
    window.resize(VIEW_W + 700, VIEW_H + 200)
    path = Path(tempfile.mkdtemp()) / "big.loom"
    save_flow(generated_flow(1000, 1500), path)
    editor = window.open_path(path)
    editor.view.set_zoom(float(os.environ.get("BENCH_ZOOM", "0.6")))
    controller = controller_of(window)
    controller.running_editor = editor
    controller.overlay(editor)
    ids = list(editor.document.flow.nodes)
    sent = [0]

    def feed() -> None:
        lines = []
        for _ in range(RATE * TICK_MS // 1000):
            k = sent[0]
            node = ids[k // 2 % len(ids)]
            kind = "node_started" if k % 2 == 0 else "node_completed"
            event = {"kind": kind, "run_id": "r-bench", "t": time.time(), "node_id": node}
            if kind == "node_started":
                event.update(type_id="control.merge", attempt=1)
            else:
                event.update(duration_ms=0.1, cached=False, pinned=False, ports=["value"], items={"value": 1})
            lines.append(json.dumps({"type": "event", "event": event}))
            sent[0] += 1
        for line in lines:  # what WorkerClient._read does with each line
            controller.client._dispatch(json.loads(line))

    editor.view.centerOn(editor.scene.itemsBoundingRect().center())
    app.processEvents()
    shown = editor.view.mapToScene(editor.view.viewport().rect()).boundingRect()
    in_view = sum(1 for item in editor.scene.nodes.values() if shown.intersects(item.sceneBoundingRect()))
    print(f"{in_view} of {len(ids)} nodes in the {editor.view.viewport().width()}×"
          f"{editor.view.viewport().height()} view at {editor.view.zoom:.0%}")
    quiet = frames(app, editor.view, SECONDS)
    t0 = time.perf_counter()
    busy = frames(app, editor.view, SECONDS, feed)
    rate = sent[0] / (time.perf_counter() - t0)
    p95 = sorted(busy)[int(len(busy) * 0.95)]
    print(f"canvas frame while streaming {rate:,.0f} events/s: median {statistics.median(busy):.1f} ms, "
          f"95th percentile {p95:.1f} ms (goal: median ≤ 33) vs without events: median "
          f"{statistics.median(quiet):.1f} ms; {sent[0]:,} events handled")
    for ed in window.editors():
        ed.undo.setClean()
    window.close()
    return 0 if statistics.median(busy) <= 33 else 1


if __name__ == "__main__":
    sys.exit(main())
