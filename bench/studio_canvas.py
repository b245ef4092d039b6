"""Studio canvas performance, offscreen, with baselines measured in the same run.

Prints:
  - time to open a generated 1,000-node / 1,500-edge flow to first paint (goal ≤ 1 s);
  - median frame time while panning and zooming a 1,000- and a 5,000-node flow, rendered
    into a QImage (goals ≤ 16 ms and ≤ 33 ms), beside a bare QGraphicsScene of the same
    number of rectangles and cubic paths;
  - the cost of dragging one node in the 1,000- and the 5,000-node flow (it should not
    grow with the flow: only the node's own edges are updated);
  - cold start of `loomwork studio` to a shown window beside a bare PySide6 QMainWindow
    (goal ≤ 2 s), and which heavy libraries were imported by then (goal: none).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/studio_canvas.py
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPointF, QRectF  # noqa: E402
from PySide6.QtGui import QImage, QPainter, QPainterPath  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView  # noqa: E402

from runtime.api import Flow, save_flow  # noqa: E402

VIEW_W, VIEW_H = 1600, 1000


def generated_flow(nodes: int, edges: int, seed: int = 7) -> Flow:
    """A DAG of merge nodes (four inputs each) on a grid; like hand-made flows, each edge
    goes to a node nearby (to the right, or in the next rows)."""
    rng = random.Random(seed)
    ids = [f"n_{i:08d}" for i in range(nodes)]
    columns = max(1, int(nodes ** 0.5 * 1.6))
    data = {i: {"type": "control.merge", "config": {"mode": "first"},
                "layout": {"x": (k % columns) * 260, "y": (k // columns) * 160}}
            for k, i in enumerate(ids)}
    used: set[tuple[str, str]] = set()
    wires: list[str] = []
    while len(wires) < edges:
        a = rng.randrange(nodes - 1)
        b = min(nodes - 1, a + rng.choice((1, 1, 2, columns - 1, columns, columns + 1, 2 * columns)))
        port = rng.choice("abcd")
        if (ids[b], port) in used:
            continue
        used.add((ids[b], port))
        wires.append(f"{ids[a]}.value -> {ids[b]}.{port}")
    return Flow.model_validate({"name": f"{nodes} nodes", "nodes": data, "edges": wires})


def frame_times(view: QGraphicsView, frames: int = 40, warmup: int = 10) -> float:
    """Median ms to render the view after each pan/zoom step (after `warmup` frames; the
    view keeps moving into new parts of the flow throughout)."""
    image = QImage(VIEW_W, VIEW_H, QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    for frame in range(-warmup, frames):
        if frame % 10 < 5:
            view.translate(-37, -11)
        else:
            factor = 1.12 if frame % 2 else 1 / 1.12
            view.scale(factor, factor)
        painter = QPainter(image)
        t0 = time.perf_counter()
        view.render(painter, QRectF(0, 0, VIEW_W, VIEW_H), view.viewport().rect())
        painter.end()
        if frame >= 0:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bare_scene(nodes: int, edges: int) -> QGraphicsView:
    scene = QGraphicsScene()
    rng = random.Random(1)
    columns = max(1, int(nodes ** 0.5 * 1.6))
    for k in range(nodes):
        scene.addRect(QRectF((k % columns) * 260, (k // columns) * 160, 180, 120))
    for _ in range(edges):
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        p1 = QPointF((a % columns) * 260 + 180, (a // columns) * 160 + 40)
        p2 = QPointF((b % columns) * 260, (b // columns) * 160 + 40)
        path = QPainterPath(p1)
        path.cubicTo(p1 + QPointF(80, 0), p2 - QPointF(80, 0), p2)
        scene.addPath(path)
    view = QGraphicsView(scene)
    view.keep_scene = scene  # the view does not own its scene: keep it alive
    view.resize(VIEW_W, VIEW_H)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.scale(0.6, 0.6)
    view.show()
    QApplication.processEvents()
    return view


def open_flow(window, path: Path):
    t0 = time.perf_counter()
    editor = window.open_path(path)
    editor.view.resize(VIEW_W, VIEW_H)
    editor.view.fit_all()
    editor.view.set_zoom(0.6)
    image = QImage(VIEW_W, VIEW_H, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    editor.view.render(painter, QRectF(0, 0, VIEW_W, VIEW_H), editor.view.viewport().rect())
    painter.end()
    return editor, (time.perf_counter() - t0) * 1000


def drag_cost(editor, moves: int = 200) -> float:
    """Median µs to move one well-connected node by a step (items only; no edit)."""
    busiest = max(editor.scene.nodes.values(), key=lambda item: len(item.edges))
    times = []
    for step in range(moves):
        t0 = time.perf_counter()
        busiest.setPos(busiest.pos() + QPointF(1 if step % 2 else -1, 0))
        times.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(times), len(busiest.edges)


def cold_start() -> tuple[float, float, list[str]]:
    bare = ("import time, sys; t=time.perf_counter(); from PySide6.QtWidgets import QApplication, "
            "QMainWindow; app=QApplication([]); w=QMainWindow(); w.show(); app.processEvents(); "
            "print(time.perf_counter()-t)")
    ours = ("import time, sys, json; t=time.perf_counter(); from studio.app import create_window; "
            "w=create_window(theme_name='light'); w.show(); "
            "from PySide6.QtWidgets import QApplication; QApplication.instance().processEvents(); "
            "d=time.perf_counter()-t; heavy=[m for m in ('playwright','onnxruntime_genai','openpyxl') "
            "if m in sys.modules]; print(json.dumps([d, heavy]))")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LOOMWORK_HOME": tempfile.mkdtemp()}

    def timed(code: str) -> tuple[float, str]:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=120, check=True).stdout
        return time.perf_counter() - t0, out.strip().splitlines()[-1]

    bare_times = [timed(bare)[0] for _ in range(3)]
    our_runs = [timed(ours) for _ in range(3)]
    heavy = json.loads(our_runs[-1][1])[1]
    return min(bare_times), min(t for t, _ in our_runs), heavy


def main() -> int:
    app = QApplication.instance() or QApplication([])
    from studio.app import create_window

    ok = True
    tmp = Path(tempfile.mkdtemp())
    os.environ["LOOMWORK_HOME"] = str(tmp / "home")
    window = create_window(theme_name="light")
    window.show()
    window.resize(VIEW_W + 700, VIEW_H + 150)
    results = {}
    for nodes, edges, goal in ((1000, 1500, 16.0), (5000, 7500, 33.0)):
        path = tmp / f"flow_{nodes}.loom"
        save_flow(generated_flow(nodes, edges), path)
        editor, open_ms = open_flow(window, path)
        app.processEvents()
        ours = frame_times(editor.view)
        bare_view = bare_scene(nodes, edges)
        bare = frame_times(bare_view)
        bare_view.close()
        drag_us, degree = drag_cost(editor)
        results[nodes] = drag_us
        line = (f"{nodes} nodes / {edges} edges: open to first paint {open_ms:.0f} ms"
                f"{' (goal ≤ 1000)' if nodes == 1000 else ''}; median frame {ours:.1f} ms "
                f"(goal ≤ {goal:.0f}) vs bare scene {bare:.1f} ms, ratio {ours / bare:.1f}x; "
                f"moving a node with {degree} edges: {drag_us:.0f} µs")
        print(line)
        ok &= ours <= goal and (nodes != 1000 or open_ms <= 1000)
    print(f"drag cost 5,000 vs 1,000 nodes: {results[5000] / results[1000]:.2f}x (≈1 means it does not "
          "grow with the flow)")
    bare_s, ours_s, heavy = cold_start()
    print(f"cold start to shown window: loomwork studio {ours_s:.2f} s vs bare QMainWindow {bare_s:.2f} s "
          f"(goal ≤ 2 s); heavy libraries imported: {heavy or 'none'}")
    ok &= ours_s <= 2.0 and not heavy
    for editor in window.editors():
        editor.undo.setClean()
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
