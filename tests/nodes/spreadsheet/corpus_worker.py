"""Run by test_corpus.py in a subprocess: reads every sheet of every workbook named on the
command line with the Read sheet node and prints one JSON line per file as it finishes (so a
hang is pinned on the file that was being read)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from fake_context import FakeContext, run_type

from nodes.spreadsheet.read import ReadSheet
from runtime.api import NodeError


def read_all(path: Path) -> dict:
    node, ctx = ReadSheet(), FakeContext(path.parent)
    started = time.perf_counter()
    sheets, rows = [], 0
    try:
        first = asyncio.run(run_type(node, ctx, {"path": str(path)}, {}))
        for name in first.sheets:
            try:
                out = asyncio.run(run_type(node, ctx, {"path": str(path), "sheet": name}, {}))
            except NodeError as exc:
                sheets.append({"sheet": name, "error": str(exc)})
                continue
            rows += len(out.table)
            sheets.append({"sheet": name, "rows": len(out.table)})
        result = {"file": path.name, "ok": True, "rows": rows, "sheets": sheets}
    except NodeError as exc:
        result = {"file": path.name, "ok": False, "error": str(exc)}
    except BaseException as exc:  # anything else is a bug the test reports
        result = {"file": path.name, "ok": False, "crash": f"{type(exc).__name__}: {exc}"}
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print("START " + name, flush=True)
        print(json.dumps(read_all(Path(name))), flush=True)
