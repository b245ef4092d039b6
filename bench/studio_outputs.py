"""A 100,000-row table output opened in the studio's Outputs panel (goal: under 1 s).

Two ways a table reaches the panel:
  - the last run's values, sent by the worker as tagged JSON (decode + show);
  - a past run's values, read from run history (SQLite, zlib) (read + decode + show);
each beside a baseline measured in the same run: `json.loads` of the same JSON text (what
any viewer must at least pay), and building a QStandardItemModel of the same table (the
naive Qt way, which the virtualised model avoids).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/studio_outputs.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from runtime._store.history_writer import HistoryWriter  # noqa: E402
from runtime.api import HistoryStore, Redactor, Table, dumps_values  # noqa: E402
from studio.outputs import ValueViewer  # noqa: E402
from studio.run.client import WorkerClient  # noqa: E402

ROWS, COLUMNS, REPEAT = 100_000, 10, 3


def _table() -> Table:
    return Table.from_records([
        {f"col_{j}": (i * 7 + j if j % 3 == 0 else f"item {i}-{j}" if j % 3 == 1 else i / 7)
         for j in range(COLUMNS)}
        for i in range(ROWS)])


def _best(fn) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    app = QApplication.instance() or QApplication([])
    viewer = ValueViewer()
    viewer.resize(1200, 400)
    viewer.show()
    table = _table()
    text = dumps_values({"table": table})

    client = WorkerClient()
    client.outputs.connect(lambda _node, values: viewer.set_values(values))
    line = f'{{"type": "outputs", "node_id": "n_t", "values": {text}}}'.encode()  # as the worker sends it

    def from_worker() -> None:
        viewer.clear()
        client.handle_line(line)
        app.processEvents()

    home = Path(tempfile.mkdtemp())
    store = HistoryStore(home / "history.db")
    store.start_run("r-bench", flow_name="bench", flow_path="bench", trigger="bench", inputs={}, node_count=1)
    store.db.conn.execute(
        "insert into node_runs (run_id, node_id, state) values ('r-bench', 'n_t', 'COMPLETED')")
    store.db.conn.commit()
    writer = HistoryWriter(home / "history.db")
    writer.record_outputs("r-bench", {"n_t": {"table": table}}, {"n_t": "obench"}, Redactor())
    writer.flush()
    writer.close()

    def from_history() -> None:
        viewer.clear()
        viewer.set_values(store.node_outputs("r-bench", "n_t"))
        app.processEvents()

    def standard_model() -> None:
        model = QStandardItemModel(ROWS, COLUMNS)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row.values()):
                model.setItem(r, c, QStandardItem(str(value)))

    worker_s, history_s = _best(from_worker), _best(from_history)
    parse_s = _best(lambda: json.loads(text))
    naive_s = _best(standard_model) if "--naive" in sys.argv else float("nan")
    assert viewer.current_page == "table" and viewer.table_view.model.rowCount() == ROWS
    print(f"{ROWS:,} × {COLUMNS} table ({len(text) / 1e6:.1f} MB of JSON):")
    print(f"  last run (from the worker): {worker_s * 1000:.0f} ms  ({worker_s / parse_s:.1f}× json.loads "
          f"{parse_s * 1000:.0f} ms) — goal ≤ 1000 ms {'OK' if worker_s <= 1 else 'MISSED'}")
    print(f"  past run (from history):    {history_s * 1000:.0f} ms  ({history_s / parse_s:.1f}× json.loads) "
          f"— goal ≤ 1000 ms {'OK' if history_s <= 1 else 'MISSED'}")
    if naive_s == naive_s:
        print(f"  a QStandardItemModel of the same table: {naive_s * 1000:.0f} ms")
    store.close()
    return 0 if max(worker_s, history_s) <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
