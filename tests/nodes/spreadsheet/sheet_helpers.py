"""Workbooks the spreadsheet tests build, a snapshot to compare edits against, and the
LibreOffice check: a real spreadsheet program opens each written file, recalculates it and
exports every sheet to CSV (one soffice call for many files)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo

from nodes.spreadsheet._libreoffice import convert, find_soffice
from tests.nodes.shared.fake_context import FakeContext, run_type

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "spreadsheets"
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
"""Comma, double quotes, UTF-8, raw values (not as shown), every sheet to its own file."""


def run(node: Any, folder: Path, config: dict[str, Any],
        inputs: dict[str, Any] | None = None) -> tuple[Any, FakeContext]:
    """Run a node's `run` directly (validated as the runner would); its outputs and context."""
    ctx = FakeContext(folder)
    return asyncio.run(run_type(node, ctx, config, inputs or {})), ctx


def rich_workbook(path: Path) -> Path:
    """Formulas, styles, number formats, widths, several sheets, dates, merged cells, defined
    names, a data validation and an Excel table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws["A1"] = "Invoices 2024"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    header = ["Invoice", "Date", "Customer", "Amount", "VAT"]
    thin = Side(style="thin", color="FF000000")
    for col, name in enumerate(header, 1):
        cell = ws.cell(3, col, name)
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", fgColor="FF1F4E79")
    rows = [("INV-001", dt.date(2024, 1, 15), "Acme", 1200.5), ("INV-002", dt.date(2024, 2, 1), "Globex", 80),
            ("INV-003", dt.date(2024, 2, 20), "Initech", 310.25)]
    for i, (inv, day, customer, amount) in enumerate(rows, 4):
        ws.cell(i, 1, inv)
        ws.cell(i, 2, day).number_format = "dd/mm/yyyy"
        ws.cell(i, 3, customer)
        ws.cell(i, 4, amount).number_format = "#,##0.00"
        ws.cell(i, 5, f"=D{i}*Rate").number_format = "#,##0.00"
        for col in range(1, 6):
            ws.cell(i, col).border = Border(bottom=thin)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["C"].width = 30
    ws.freeze_panes = "A4"
    validation = DataValidation(type="list", formula1='"Acme,Globex,Initech,Umbrella"', allow_blank=True)
    validation.add("C4:C200")
    ws.add_data_validation(validation)
    summary = wb.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Total", "=SUM(Invoices!D4:D200)"
    summary["A2"], summary["B2"] = "First", "='Invoices'!A4"
    summary["A3"], summary["B3"] = "VAT rate", 0.2
    summary["B1"].number_format = "#,##0.00"
    summary.column_dimensions["A"].width = 22
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Summary!$B$3")
    wb.defined_names["InvoiceData"] = DefinedName("InvoiceData", attr_text="Invoices!$A$3:$D$6")
    lookup = wb.create_sheet("Lookup")
    for row in (["Customer", "Country"], ["Acme", "US"], ["Globex", "DE"], ["Initech", "FR"]):
        lookup.append(row)
    table = XlTable(displayName="Customers", ref="A1:B4")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    lookup.add_table(table)
    wb.save(path)
    return path


def snapshot(path: Path, skip: dict[str, set[int]] | None = None) -> dict[str, Any]:
    """What an edit must keep: cells (values, formulas, fonts, fills, borders, number formats),
    widths, heights, merged cells, freeze panes, validations, tables and defined names.
    Rows listed in `skip` (per sheet) are left out: the edit was meant to change them."""
    wb = load_workbook(path)
    skip = skip or {}
    state: dict[str, Any] = {"sheets": wb.sheetnames,
                             "names": {n: d.attr_text for n, d in wb.defined_names.items()}}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.row in skip.get(ws.title, set()) or (c.value is None and not c.has_style):
                    continue
                color = c.font.color.rgb if c.font.color else None
                cells[c.coordinate] = (c.value, c.number_format, c.font.b, color, c.fill.fgColor.rgb,
                                       c.border.bottom.style)
        state[ws.title] = {
            "cells": cells,
            "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.width},
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "validations": [(str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation],
            "tables": dict(ws.tables.items()),
        }
    return state


def libreoffice_csv(paths: list[Path]) -> dict[Path, dict[str, list[list[str]]]]:
    """Every sheet of every workbook as LibreOffice sees it after recalculating: file → sheet → rows."""
    with tempfile.TemporaryDirectory(prefix="lo-csv-") as out:
        folder = Path(out)
        staged = []
        for i, path in enumerate(paths):  # unique stems: LibreOffice names outputs after the file
            copy = folder / "in" / f"f{i}{path.suffix}"
            copy.parent.mkdir(exist_ok=True)
            copy.write_bytes(path.read_bytes())
            staged.append(copy)
        convert(staged, folder / "out", CSV_ALL_SHEETS, timeout=240)
        result: dict[Path, dict[str, list[list[str]]]] = {}
        for path, copy in zip(paths, staged, strict=True):
            sheets = {}
            book = load_workbook(path, read_only=True)
            names = book.sheetnames
            book.close()
            for name in names:
                produced = folder / "out" / f"{copy.stem}-{name}.csv"
                if produced.exists():
                    with produced.open(encoding="utf-8", newline="") as handle:
                        sheets[name] = list(csv.reader(handle))
            result[path] = sheets
        return result


class LibreOfficeBatch:
    """Collects written workbooks and the values LibreOffice must show; checks them in one call."""

    def __init__(self) -> None:
        self.expected: dict[Path, dict[str, dict[str, str]]] = {}

    def expect(self, path: Path, sheet: str, cells: dict[str, str]) -> None:
        """`cells`: A1 reference → the text LibreOffice must export for it (after recalculation;
        raw numbers, dates in the cell's own format or LibreOffice's default M/D/Y)."""
        self.expected.setdefault(path, {}).setdefault(sheet, {}).update(cells)

    def check(self) -> None:
        if find_soffice() is None:
            pytest.skip("LibreOffice (soffice) is not installed: apt install libreoffice-calc-nogui")
        if not self.expected:
            pytest.skip("no workbook was written by the tests selected in this run")
        seen = libreoffice_csv(list(self.expected))
        problems = []
        for path, sheets in self.expected.items():
            for sheet, cells in sheets.items():
                rows = seen[path].get(sheet)
                if rows is None:
                    problems.append(f"{path.name}: LibreOffice exported no sheet '{sheet}'")
                    continue
                for ref, want in cells.items():
                    letters, row = coordinate_from_string(ref)
                    col = column_index_from_string(letters)
                    line = rows[row - 1] if row <= len(rows) else []
                    got = line[col - 1] if col <= len(line) else ""  # LibreOffice drops empty trailing cells
                    if got != want:
                        problems.append(f"{path.name} '{sheet}'!{ref}: LibreOffice shows {got!r}, "
                                        f"expected {want!r}")
        assert not problems, "\n".join(problems)
