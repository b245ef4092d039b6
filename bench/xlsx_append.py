"""Appending 10,000 rows to an existing styled workbook: the Append rows node against raw
openpyxl (load, `ws.append` each row, save to a file) in the same run, on the same workbook.

The workbook has a styled header, 2,000 styled rows (fonts, fills, borders, number formats,
a formula column), column widths, a second sheet with formulas and a defined name. The node
also matches columns by name, copies the last row's look to every new row, fills the formula
down and saves atomically; raw openpyxl only appends values.

Run: .venv/bin/python bench/xlsx_append.py [rows]   (default 10,000)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.xlsx_read import _Ctx  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
HEADER = ["Invoice", "Date", "Customer", "Amount", "VAT"]


def build(path: Path, existing: int = 2_000) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName

    wb = Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", fgColor="FF1F4E79")
    thin = Side(style="thin")
    for i in range(2, existing + 2):
        ws.append([f"INV-{i:06d}", dt.date(2024, 1, 1) + dt.timedelta(days=i % 365), f"Customer {i % 97}",
                   round(i * 1.37, 2), f"=D{i}*0.2"])
        ws.cell(i, 2).number_format = "dd/mm/yyyy"
        for col in (4, 5):
            ws.cell(i, col).number_format = "#,##0.00"
        for col in range(1, 6):
            ws.cell(i, col).border = Border(bottom=thin)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["C"].width = 28
    summary = wb.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Total", "=SUM(Invoices!D:D)"
    wb.defined_names["Total"] = DefinedName("Total", attr_text="Summary!$B$1")
    wb.save(path)


def new_rows(count: int) -> list[dict[str, Any]]:
    return [{"Invoice": f"NEW-{i:06d}", "Date": dt.date(2025, 1, 1) + dt.timedelta(days=i % 365),
             "Customer": f"Customer {i % 97}", "Amount": round(i * 2.11, 2)} for i in range(count)]


def node_append(path: Path, rows: list[dict[str, Any]]) -> None:
    from nodes.spreadsheet.append_rows import AppendRows
    from runtime.api import Table

    node = AppendRows()
    config = node.Config.model_validate({"path": path.name, "sheet": "Invoices"})
    inputs = node.Inputs.model_validate({"rows": Table.from_records(rows)})
    asyncio.run(node.run(_Ctx(path.parent), config, inputs))


def openpyxl_append(path: Path, rows: list[dict[str, Any]]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Invoices"]
    for row in rows:
        ws.append([row["Invoice"], row["Date"], row["Customer"], row["Amount"]])
    wb.save(path)


def timed(fn: Any, source: Path, rows: list[dict[str, Any]], folder: Path, repeat: int = 2) -> float:
    best = float("inf")
    for i in range(repeat):
        target = folder / f"{fn.__name__}-{i}.xlsx"
        shutil.copy(source, target)
        started = time.perf_counter()
        fn(target, rows)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    from openpyxl import load_workbook

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "styled.xlsx"
        build(source)
        rows = new_rows(ROWS)
        print(f"workbook: 2,000 styled rows, {source.stat().st_size / 1e3:.0f} kB; appending {ROWS:,} rows")
        ours = timed(node_append, source, rows, folder)
        theirs = timed(openpyxl_append, source, rows, folder)
        check = load_workbook(folder / "node_append-0.xlsx")["Invoices"]
        last = check.max_row
        assert last == 2_001 + ROWS and check.cell(last, 5).value == f"=D{last}*0.2"
        assert check.cell(last, 4).number_format == "#,##0.00" and check.cell(last, 1).border.bottom.style
        print(f"Append rows node: {ours:6.2f} s  {ROWS / ours:>8,.0f} rows/s  "
              "(styled, formulas filled, atomic save)")
        print(f"raw openpyxl    : {theirs:6.2f} s  {ROWS / theirs:>8,.0f} rows/s  (values only)")
        print(f"node / raw      : {ours / theirs:.2f}× the time")


if __name__ == "__main__":
    main()
