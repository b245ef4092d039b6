"""Read sheet: header detection, ranges, named tables and ranges, typed values, merged cells,
formula results, and clear errors for bad files, sheets and ranges."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from pydantic import ValidationError
from sheet_helpers import CORPUS, rich_workbook, run

from nodes._shared.offload import Stop, Stopped
from nodes.spreadsheet._libreoffice import find_soffice
from nodes.spreadsheet._load import ReadRequest, load_table
from nodes.spreadsheet.read import ReadSheet
from runtime.api import NodeError, NodeState, WorkbookRef


def _plain(path: Path) -> Path:
    """A workbook without formulas: a title row, an empty row, then a typed table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws["A1"] = "Sales report (confidential)"
    ws.append([])
    ws.append(["Code", "Qty", "Price", "Day", "When", "Paid", "Note"])
    ws.append(["00123", 3, 2.5, dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 14, 30), True, None])
    ws.append(["A-7", 10, 4.0, dt.date(2024, 3, 2), dt.datetime(2024, 3, 2, 9, 0), False, "rush"])
    ws.append([])
    ws.append(["B-9", 1, 1e-3, dt.date(2024, 3, 3), dt.datetime(2024, 3, 3, 0, 0), True, ""])
    wb.create_sheet("Other")["C3"] = 42
    wb.save(path)
    return path


def test_auto_header_skips_title_rows_and_types_values(tmp_path):
    _plain(tmp_path / "sales.xlsx")
    out, ctx = run(ReadSheet(), tmp_path, {"path": "sales.xlsx"})
    table = out.table
    assert table.column_names == ["Code", "Qty", "Price", "Day", "When", "Paid", "Note"]
    kinds = ["text", "integer", "number", "date", "datetime", "boolean", "text"]
    assert [c.type for c in table.columns] == kinds
    assert table.rows[0] == {"Code": "00123", "Qty": 3, "Price": 2.5, "Day": dt.date(2024, 3, 1),
                             "When": dt.datetime(2024, 3, 1, 14, 30), "Paid": True, "Note": None}
    assert type(table.rows[1]["Price"]) is int and table.rows[1]["Price"] == 4  # 4.0 is a whole number
    assert len(table) == 3 and table.rows[2]["Price"] == 0.001
    assert out.workbook == WorkbookRef(path=str((tmp_path / "sales.xlsx").resolve()), name="sales.xlsx",
                                       media_type=out.workbook.media_type, sheet="Sales")
    assert out.sheets == ["Sales", "Other"]
    assert any("skipped 1 row" in line for _, line in ctx.lines)


def test_note_column_and_empty_rows(tmp_path):
    _plain(tmp_path / "sales.xlsx")
    out, _ = run(ReadSheet(), tmp_path, {"path": "sales.xlsx", "range": "A3:G7", "skip_empty_rows": False})
    rows = out.table.rows
    assert out.table.column_names[-1] == "Note"
    assert [r["Note"] for r in rows] == [None, "rush", None, None]  # the empty row 6 is kept, as empty
    assert rows[2] == dict.fromkeys(out.table.column_names)


def test_header_modes_range_and_sheet_by_number(tmp_path):
    _plain(tmp_path / "sales.xlsx")
    out, _ = run(ReadSheet(), tmp_path, {"path": "sales.xlsx", "range": "B4:C5", "header": "none"})
    assert out.table.column_names == ["B", "C"]
    assert out.table.rows == [{"B": 3, "C": 2.5}, {"B": 10, "C": 4}]
    out, _ = run(ReadSheet(), tmp_path, {"path": "sales.xlsx", "header": "first_row"})
    assert out.table.column_names[0] == "Sales report (confidential)"
    out, _ = run(ReadSheet(), tmp_path, {"path": "sales.xlsx", "sheet": "2", "header": "none"})
    assert out.table.rows == [{"C": 42}] and out.workbook.sheet == "Other"
    out, _ = run(ReadSheet(), tmp_path, {"path": "sales.xlsx", "range": "'Other'!A1:D5", "header": "none"})
    assert out.table.rows == [{"C": 42}]
    out, _ = run(ReadSheet(), tmp_path, {"path": "sales.xlsx", "dates_as_text": True, "range": "A3:E4"})
    assert out.table.rows[0]["Day"] == "2024-03-01" and out.table.rows[0]["When"] == "2024-03-01T14:30:00"


def test_named_table_and_defined_name(tmp_path):
    rich = rich_workbook(tmp_path / "rich.xlsx")
    out, _ = run(ReadSheet(), tmp_path, {"path": rich.name, "table": "customers"})
    assert out.table.rows == [{"Customer": "Acme", "Country": "US"}, {"Customer": "Globex", "Country": "DE"},
                              {"Customer": "Initech", "Country": "FR"}]
    out, _ = run(ReadSheet(), tmp_path, {"path": rich.name, "table": "InvoiceData"})
    assert out.table.column_names == ["Invoice", "Date", "Customer", "Amount"]
    assert out.table.rows[1] == {"Invoice": "INV-002", "Date": dt.date(2024, 2, 1), "Customer": "Globex",
                                 "Amount": 80}
    with pytest.raises(NodeError, match=r"rich.xlsx has no table or named range 'Nope'.*'Customers'.*'Rate'"):
        run(ReadSheet(), tmp_path, {"path": rich.name, "table": "Nope"})


def test_merged_cells_fill(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Region", "Month", "Sales"])
    ws.append(["North", "Jan", 10])
    ws.append([None, "Feb", 20])
    ws.merge_cells("A2:A3")
    wb.save(tmp_path / "m.xlsx")
    out, _ = run(ReadSheet(), tmp_path, {"path": "m.xlsx"})
    assert [r["Region"] for r in out.table.rows] == ["North", None]
    out, _ = run(ReadSheet(), tmp_path, {"path": "m.xlsx", "merged": "fill"})
    assert [r["Region"] for r in out.table.rows] == ["North", "North"]


def test_formula_without_result_is_never_silently_empty(tmp_path):
    rich = rich_workbook(tmp_path / "rich.xlsx")
    with pytest.raises(NodeError) as caught:
        run(ReadSheet(), tmp_path, {"path": rich.name})
    message = str(caught.value)
    assert "rich.xlsx" in message and "'Invoices'!E4, E5, E6" in message and "Recalculate" in message
    # the cells without formulas read fine
    out, _ = run(ReadSheet(), tmp_path, {"path": rich.name, "range": "A3:D6"})
    assert len(out.table) == 3


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_recalculate_with_libreoffice(tmp_path):
    rich = rich_workbook(tmp_path / "rich.xlsx")
    out, _ = run(ReadSheet(), tmp_path, {"path": rich.name, "formulas": "recalculate"})
    assert [r["VAT"] for r in out.table.rows] == [240.1, 16, 62.05]
    summary, _ = run(ReadSheet(), tmp_path, {"path": rich.name, "sheet": "Summary", "header": "none",
                                             "formulas": "recalculate"})
    assert summary.table.rows[0] == {"A": "Total", "B": 1590.75}


def test_recalculate_without_libreoffice_says_so(tmp_path, monkeypatch):
    rich = rich_workbook(tmp_path / "rich.xlsx")
    monkeypatch.setattr("nodes.spreadsheet._libreoffice.find_soffice", lambda: None)
    with pytest.raises(NodeError, match=r"cannot recalculate rich\.xlsx: LibreOffice is not installed"):
        run(ReadSheet(), tmp_path, {"path": rich.name, "formulas": "recalculate"})


def test_error_cells_read_as_their_text_with_a_warning(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Ratio"])
    ws.append(["a", 1.5])
    ws["B3"] = "#DIV/0!"
    ws["B3"].data_type = "e"
    ws["A3"] = "b"
    wb.save(tmp_path / "e.xlsx")
    out, ctx = run(ReadSheet(), tmp_path, {"path": "e.xlsx"})
    assert [r["Ratio"] for r in out.table.rows] == [1.5, "#DIV/0!"]
    assert any("#DIV/0!" in w and "B3" in w for w in ctx.warnings())


@pytest.mark.parametrize(("config", "pattern"), [
    ({"sheet": "Nope"}, r"sales.xlsx has no sheet 'Nope'; its sheets are: 'Sales', 'Other'"),
    ({"sheet": "7"}, r"has no sheet '7'"),
])
def test_unknown_sheet_lists_the_sheets(tmp_path, config, pattern):
    _plain(tmp_path / "sales.xlsx")
    with pytest.raises(NodeError, match=pattern):
        run(ReadSheet(), tmp_path, {"path": "sales.xlsx", **config})


def test_bad_range_and_conflicting_config_are_refused():
    for bad in ("B2:", "ZZZZ1", "A0:B2", "hello"):
        if bad == "B2:":
            ReadSheet.Config.model_validate({"range": bad})  # "to the end" is fine
            continue
        with pytest.raises(ValidationError, match="not a"):
            ReadSheet.Config.model_validate({"range": bad})
    with pytest.raises(ValidationError, match="not both"):
        ReadSheet.Config.model_validate({"table": "T", "range": "A1:B2"})


def test_bad_files_give_clear_errors_naming_the_file(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip file")
    (tmp_path / "text.xls").write_bytes(b"Attachment: not an office document at all")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "notes.txt").write_text("hello")
    expected = {"empty.xlsx": "the file is empty", "junk.xlsx": "damaged or not a .xlsx workbook",
                "text.xls": "damaged or not a .xls workbook", "data.csv": "use the 'Read CSV' node",
                "notes.txt": "Read sheet reads", "missing.xlsx": "it does not exist"}
    for name, reason in expected.items():
        with pytest.raises(NodeError) as caught:
            run(ReadSheet(), tmp_path, {"path": name})
        assert name in str(caught.value) and reason in str(caught.value), str(caught.value)


@pytest.mark.skipif(not (CORPUS / "pass_protected.xlsx").exists(), reason="the shared corpus is not present")
def test_password_protected_workbooks(tmp_path):
    for name in ("pass_protected.xlsx", "pass_protected.xlsb", "pass_protected.ods"):
        shutil.copy(CORPUS / name, tmp_path / name)
        with pytest.raises(NodeError, match=rf"{name}.*password-protected"):
            run(ReadSheet(), tmp_path, {"path": name})


def test_a_cancelled_read_stops(tmp_path):
    _plain(tmp_path / "sales.xlsx")
    stop = Stop()
    stop.set()
    with pytest.raises(Stopped):
        load_table(tmp_path / "sales.xlsx", ReadRequest(), stop)


def test_cached_until_the_file_changes(tmp_path, run_node):
    path = _plain(tmp_path / "sales.xlsx")
    first = run_node("spreadsheet.read", {"path": str(path)})
    assert first.state is NodeState.COMPLETED and not first.cached
    again = run_node("spreadsheet.read", {"path": str(path)}, runner=first.runner)
    assert again.cached
    wb = Workbook()
    wb.active.append(["Only"])
    wb.active.append([1])
    wb.save(path)
    changed = run_node("spreadsheet.read", {"path": str(path)}, runner=first.runner)
    assert not changed.cached and changed.outputs["table"].column_names == ["Only"]


def test_a_workbook_reference_input_overrides_the_path(tmp_path):
    path = _plain(tmp_path / "sales.xlsx")
    ref = WorkbookRef(path=str(path), name=path.name, sheet="Sales")
    out, _ = run(ReadSheet(), tmp_path, {"path": "elsewhere.xlsx", "sheet": "Sales"}, {"path": ref})
    assert len(out.table) == 3
