"""Spreadsheet reading: the Read sheet node against openpyxl read-only, same run, same file.

Builds a workbook of ROWS rows × 10 columns (text with repeats, codes, integers, amounts,
dates, date-times, true/false, some empty cells) and measures:
  - rows/s of the Read sheet node (streamed .xlsx → typed Table) vs iterating the sheet with
    openpyxl `read_only=True, values_only=True` (rows as lists, no Table); goal ≥ 5×;
  - peak memory of the node's read in a fresh subprocess (peak RSS growth while reading,
    over the file size), and how much of it is the resulting Table itself (tracemalloc);
    goal: peak ≤ 5× the file size.

Run: .venv/bin/python bench/xlsx_read.py [rows]   (default 100,000)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


class _Ctx:
    """The least a node needs to run outside a flow."""

    run_id, node_id = "bench", "n_bench"

    def __init__(self, folder: Path) -> None:
        self.flow_dir = folder
        self.log = self

    def info(self, *args: Any) -> None: ...
    warning = debug = error = info

    def resolve_path(self, path: str) -> Path:
        return self.flow_dir / path


def build(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    rng = random.Random(7)
    customers = [f"Customer {i}" for i in range(300)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["Invoice", "Customer", "Code", "Qty", "Amount", "Day", "Booked", "Paid", "Note", "Rate"])
    start = dt.date(2020, 1, 1)
    for i in range(rows):
        ws.append([f"INV-{i:07d}", rng.choice(customers), f"{rng.randrange(10**5):05d}",
                   rng.randrange(1, 500),
                   round(rng.uniform(1, 10_000), 2), start + dt.timedelta(days=i % 1500),
                   dt.datetime(2024, 1, 1, 8) + dt.timedelta(minutes=i), i % 3 == 0,
                   "rush" if i % 7 == 0 else None, rng.random()])
    wb.save(path)


def node_read(path: Path) -> int:
    from nodes.spreadsheet.read import ReadSheet

    node = ReadSheet()
    config = node.Config.model_validate({"path": path.name})
    out = asyncio.run(node.run(_Ctx(path.parent), config, node.Inputs.model_validate({})))
    return len(out.table)


def openpyxl_read(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    count = sum(1 for _ in wb["Data"].iter_rows(min_row=2, values_only=True))
    wb.close()
    return count


def best_of(fn: Any, path: Path, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn(path)
        times.append(time.perf_counter() - started)
    return min(times), count


MEMORY_PROBE = """
import asyncio, json, resource, sys, tracemalloc
sys.path.insert(0, {root!r})
sys.argv = ['x']
from pathlib import Path
import python_calamine, openpyxl  # loaded before the baseline: they are not part of reading
from bench.xlsx_read import node_read, _Ctx
from nodes.spreadsheet.read import ReadSheet
path = Path({path!r})
def rss_kib():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM'))
base = rss_kib()
node = ReadSheet()
config = node.Config.model_validate({{'path': path.name}})
out = asyncio.run(node.run(_Ctx(path.parent), config, node.Inputs.model_validate({{}})))
peak = rss_kib()
tracemalloc.start()
again = asyncio.run(node.run(_Ctx(path.parent), config, node.Inputs.model_validate({{}})))
table_bytes, py_peak = tracemalloc.get_traced_memory()
print(json.dumps({{'rss_growth': (peak - base) * 1024, 'table': table_bytes, 'py_peak': py_peak}}))
"""


def memory(path: Path) -> dict[str, int]:
    code = MEMORY_PROBE.format(root=str(ROOT), path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        build(path, ROWS)
        size = path.stat().st_size
        print(f"workbook: {ROWS:,} rows × 10 columns, {size / 1e6:.1f} MB")
        ours, n1 = best_of(node_read, path, 3)
        theirs, n2 = best_of(openpyxl_read, path, 2)
        assert n1 == n2 == ROWS, (n1, n2)
        print(f"Read sheet node : {ours:6.2f} s  {ROWS / ours:>10,.0f} rows/s  (typed Table)")
        print(f"openpyxl r/o    : {theirs:6.2f} s  {ROWS / theirs:>10,.0f} rows/s  (lists of values)")
        ratio = theirs / ours
        print(f"speed-up        : {ratio:.1f}×  (goal ≥ 5×: {'met' if ratio >= 5 else 'NOT met'})")
        mem = memory(path)
        growth = mem["rss_growth"] / size
        print(f"peak RSS growth : {mem['rss_growth'] / 1e6:.1f} MB = {growth:.1f}× the file "
              f"(goal ≤ 5×: {'met' if growth <= 5 else 'NOT met'})")
        print(f"  of which the resulting Table (Python objects): {mem['table'] / 1e6:.1f} MB = "
              f"{mem['table'] / size:.1f}× the file; reading's own overhead: "
              f"{(mem['rss_growth'] - mem['table']) / 1e6:.1f} MB = "
              f"{(mem['rss_growth'] - mem['table']) / size:.1f}×")


if __name__ == "__main__":
    main()
