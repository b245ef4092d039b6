"""The editing nodes change what they should and keep everything else (formulas, styles, number
formats, widths, other sheets, defined names, merged cells, validations, tables); LibreOffice
then opens every workbook written here, recalculates it and shows the expected values."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sheet_helpers import rich_workbook, run, snapshot

from nodes.spreadsheet.append_rows import AppendRows
from nodes.spreadsheet.delete_rows import DeleteRows
from nodes.spreadsheet.find_rows import FindRows
from nodes.spreadsheet.sheet_add import SheetAdd
from nodes.spreadsheet.sheet_rename import SheetRename
from nodes.spreadsheet.upsert_rows import UpsertRows
from nodes.spreadsheet.write_range import WriteRange
from runtime.api import NodeError, Table

NEW = Table.from_records([
    {"Invoice": "INV-004", "Date": "2024-03-05", "Customer": "Umbrella", "Amount": "1,000.00"},
    {"Invoice": "INV-005", "Date": dt.date(2024, 3, 9), "Customer": "Acme", "Amount": 45.5},
])


def _unchanged_except(before: dict, after: dict, sheet: str, rows: set[int]) -> None:
    for key in before:
        if key != sheet:
            assert after[key] == before[key], key
    for part in ("widths", "merged", "freeze", "validations"):
        assert after[sheet][part] == before[sheet][part], part
    kept = {k: v for k, v in before[sheet]["cells"].items()
            if int("".join(filter(str.isdigit, k))) not in rows}
    assert {k: v for k, v in after[sheet]["cells"].items() if k in kept} == kept


def test_append_rows_copies_the_look_and_fills_formulas(rich, libreoffice):
    before = snapshot(rich)
    out, _ = run(AppendRows(), rich.parent, {"path": rich.name, "sheet": "Invoices"}, {"rows": NEW})
    assert out.count == 2 and out.first_row == 7 and out.workbook.sheet == "Invoices"
    ws = load_workbook(rich)["Invoices"]
    assert [c.value for c in ws[7]] == ["INV-004", dt.datetime(2024, 3, 5), "Umbrella", 1000, "=D7*Rate"]
    assert ws["B8"].value == dt.datetime(2024, 3, 9) and ws["E8"].value == "=D8*Rate"
    for row in (7, 8):
        assert ws.cell(row, 2).number_format == "dd/mm/yyyy" and ws.cell(row, 4).number_format == "#,##0.00"
        assert ws.cell(row, 1).border.bottom.style == "thin"
    _unchanged_except(before, snapshot(rich), "Invoices", {7, 8})
    libreoffice.expect(rich, "Invoices", {"A7": "INV-004", "B7": "03/05/2024", "D7": "1000", "E7": "200",
                                          "E8": "9.1", "E4": "240.1"})
    libreoffice.expect(rich, "Summary", {"B1": "2636.25", "B2": "INV-001"})


def test_append_refuses_unknown_columns_unless_asked(rich, libreoffice):
    rows = Table.from_records([{"Invoice": "INV-9", "amount": 5, "Due": "2024-04-01", "Region": "EU"}])
    with pytest.raises(NodeError, match=r"sheet 'Invoices' has no column 'Due', 'Region'; its columns are: "
                                        r"'Invoice', 'Date', 'Customer', 'Amount', 'VAT'"):
        run(AppendRows(), rich.parent, {"path": rich.name, "sheet": "Invoices"}, {"rows": rows})
    before = rich.read_bytes()
    assert rich.read_bytes() == before
    run(AppendRows(), rich.parent, {"path": rich.name, "sheet": "Invoices", "add_missing_columns": True},
        {"rows": rows})
    ws = load_workbook(rich)["Invoices"]
    assert [ws.cell(3, c).value for c in (6, 7)] == ["Due", "Region"]
    assert ws["F3"].font.b and ws["F3"].fill.fgColor.rgb == "FF1F4E79"
    assert ws["D7"].value == 5 and ws["G7"].value == "EU"  # "amount" matched "Amount" ignoring case
    libreoffice.expect(rich, "Invoices", {"F3": "Due", "G7": "EU", "E7": "1"})


def test_append_grows_an_excel_table_and_fills_an_empty_sheet(rich, libreoffice):
    run(AppendRows(), rich.parent, {"path": rich.name, "sheet": "Lookup"},
        {"rows": [{"Customer": "Umbrella", "Country": "UK"}]})
    wb = load_workbook(rich)
    assert wb["Lookup"].tables["Customers"].ref == "A1:B5"
    run(AppendRows(), rich.parent, {"path": rich.name, "sheet": "Log", "create": True}, {"rows": NEW})
    log = load_workbook(rich)["Log"]
    assert [c.value for c in log[1]] == ["Invoice", "Date", "Customer", "Amount"]
    assert log["D2"].value == "1,000.00"  # a General cell keeps text as it came
    libreoffice.expect(rich, "Lookup", {"A5": "Umbrella", "B5": "UK"})
    libreoffice.expect(rich, "Log", {"A3": "INV-005", "D3": "45.5"})


def test_rows_added_below_a_lone_header_take_the_columns_formatting(tmp_path, libreoffice):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = tmp_path / "register.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Invoice", "Date", "Total"])
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].number_format = "@"
    ws.column_dimensions["B"].number_format = "DD.MM.YYYY"
    ws.column_dimensions["C"].number_format = "#,##0.00"
    ws["C2"].number_format = "0.000"  # a cell formatted on its own keeps its format
    wb.save(book)
    rows = Table.from_records([{"Invoice": "00123", "Date": dt.date(2026, 11, 3), "Total": 1290.5}])
    run(AppendRows(), tmp_path, {"path": book.name}, {"rows": rows})
    ws = load_workbook(book).active
    assert [ws.cell(2, c).number_format for c in (1, 2, 3)] == ["@", "DD.MM.YYYY", "0.000"]
    assert not ws["A2"].font.b  # the header's look is not copied down
    libreoffice.expect(book, "Sheet", {"A2": "00123", "B2": "11/03/2026", "C2": "1290.5"})


def test_upsert_updates_by_key_and_appends_new_keys(rich, libreoffice):
    before = snapshot(rich)
    rows = Table.from_records([{"Invoice": " inv-002", "Amount": 99}, {"Invoice": "INV-010", "Amount": 10,
                                                                       "Customer": "Acme"}])
    out, _ = run(UpsertRows(), rich.parent, {"path": rich.name, "sheet": "Invoices", "keys": ["Invoice"],
                                            "ignore_case": True}, {"rows": rows})
    assert (out.updated, out.inserted) == (1, 1)
    ws = load_workbook(rich)["Invoices"]
    assert ws["D5"].value == 99 and ws["C5"].value == "Globex" and ws["D5"].number_format == "#,##0.00"
    assert ws["A7"].value == "INV-010" and ws["E7"].value == "=D7*Rate"
    _unchanged_except(before, snapshot(rich), "Invoices", {5, 7})
    libreoffice.expect(rich, "Invoices", {"D5": "99", "E5": "19.8", "E7": "2"})
    libreoffice.expect(rich, "Summary", {"B1": "1619.75"})


def test_delete_rows_by_condition_moves_rows_up_and_fixes_their_formulas(rich, libreoffice):
    globex = {"column": "Customer", "op": "=", "value": "globex"}
    out, _ = run(DeleteRows(), rich.parent, {"path": rich.name, "sheet": "Invoices", "conditions": [globex],
                                            "ignore_case": True})
    assert out.count == 1 and out.deleted.rows[0]["Invoice"] == "INV-002"
    ws = load_workbook(rich)["Invoices"]
    assert [c.value for c in ws[5]] == ["INV-003", dt.datetime(2024, 2, 20), "Initech", 310.25, "=D5*Rate"]
    assert ws["D5"].number_format == "#,##0.00" and all(c.value is None for c in ws[6])
    assert [str(m) for m in ws.merged_cells.ranges] == ["A1:E1"]
    libreoffice.expect(rich, "Invoices", {"A5": "INV-003", "E5": "62.05", "A6": ""})
    libreoffice.expect(rich, "Summary", {"B1": "1510.75"})


def test_delete_rows_by_keys(rich, libreoffice):
    keys = Table.from_records([{"Invoice": "INV-001"}, {"Invoice": "INV-003"}, {"Invoice": "INV-999"}])
    out, _ = run(DeleteRows(), rich.parent, {"path": rich.name, "sheet": "Invoices", "match": "keys",
                                            "key_column": "Invoice"}, {"keys": keys})
    assert out.count == 2
    ws = load_workbook(rich)["Invoices"]
    assert ws["A4"].value == "INV-002" and ws["E4"].value == "=D4*Rate" and ws["A5"].value is None
    libreoffice.expect(rich, "Invoices", {"A4": "INV-002", "E4": "16"})
    with pytest.raises(NodeError, match="add at least one condition"):
        run(DeleteRows(), rich.parent, {"path": rich.name, "sheet": "Invoices"})


def test_write_range_values_and_formulas(rich, libreoffice):
    before = snapshot(rich)
    table = Table.from_records([{"Label": "Count", "Value": "=COUNTA(Invoices!A4:A200)"},
                                {"Label": "Max", "Value": "=MAX(Invoices!D4:D200)"}])
    out, _ = run(WriteRange(), rich.parent, {"path": rich.name, "sheet": "Summary", "cell": "D1",
                                            "allow_formulas": True}, {"values": table})
    assert out.range == "D1:E3"
    run(WriteRange(), rich.parent, {"path": rich.name, "sheet": "Summary", "cell": "G1"},
        {"values": [["=1+1", 3, None], ["x", dt.date(2024, 1, 1), True]]})
    ws = load_workbook(rich)["Summary"]
    assert ws["E2"].value == "=COUNTA(Invoices!A4:A200)" and ws["G1"].value == "=1+1"
    assert ws["G1"].data_type == "s"
    after = snapshot(rich)
    assert {k: v for k, v in after["Summary"]["cells"].items() if k[0] in "AB"} == before["Summary"]["cells"]
    libreoffice.expect(rich, "Summary", {"E2": "3", "E3": "1200.5", "G1": "=1+1", "H2": "2024-01-01",
                                         "I2": "TRUE", "B1": "1590.75"})
    with pytest.raises(NodeError, match="inside a merged area"):
        run(WriteRange(), rich.parent, {"path": rich.name, "sheet": "Invoices", "cell": "B1"}, {"values": 1})


def test_rename_sheet_updates_formulas_and_names(rich, libreoffice):
    run(SheetRename(), rich.parent, {"path": rich.name, "sheet": "Invoices", "new_name": "Sales 2024"})
    wb = load_workbook(rich)
    assert wb.sheetnames == ["Sales 2024", "Summary", "Lookup"]
    assert wb["Summary"]["B1"].value == "=SUM('Sales 2024'!D4:D200)"
    assert wb["Summary"]["B2"].value == "='Sales 2024'!A4"
    assert wb.defined_names["InvoiceData"].attr_text == "'Sales 2024'!$A$3:$D$6"
    libreoffice.expect(rich, "Summary", {"B1": "1590.75", "B2": "INV-001"})
    libreoffice.expect(rich, "Sales 2024", {"E6": "62.05"})
    with pytest.raises(NodeError, match="already has a sheet named 'summary'"):
        run(SheetRename(), rich.parent, {"path": rich.name, "sheet": "Lookup", "new_name": "summary"})
    with pytest.raises(NodeError, match="characters Excel does not allow"):
        run(SheetRename(), rich.parent, {"path": rich.name, "sheet": "Lookup", "new_name": "a/b"})


def test_add_sheets(rich, libreoffice):
    out, _ = run(SheetAdd(), rich.parent, {"path": rich.name, "name": "Q1", "position": 1,
                                          "headers": ["Month", "Total"]})
    assert out.added
    run(SheetAdd(), rich.parent, {"path": rich.name, "name": "Invoices copy", "copy_from": "Invoices"})
    kept, _ = run(SheetAdd(), rich.parent, {"path": rich.name, "name": "q1", "if_exists": "keep"})
    assert kept.added is False and kept.workbook.sheet == "Q1"
    with pytest.raises(NodeError, match="already has a sheet named 'Q1'"):
        run(SheetAdd(), rich.parent, {"path": rich.name, "name": "Q1"})
    wb = load_workbook(rich)
    assert wb.sheetnames == ["Q1", "Invoices", "Summary", "Lookup", "Invoices copy"]
    copy = wb["Invoices copy"]
    assert copy["E4"].value == "=D4*Rate" and copy.column_dimensions["C"].width == 30
    libreoffice.expect(rich, "Q1", {"A1": "Month", "B1": "Total"})
    libreoffice.expect(rich, "Invoices copy", {"E5": "16", "A4": "INV-001"})


def test_find_rows(tmp_path):
    path = rich_workbook(tmp_path / "rich.xlsx")
    out, _ = run(FindRows(), tmp_path, {"path": path.name, "sheet": "Invoices", "range": "A3:D100",
                                       "conditions": [{"column": "Amount", "op": ">", "value": "100"}],
                                       "row_number_column": "Row"})
    assert [(r["Invoice"], r["Row"]) for r in out.table.rows] == [("INV-001", 4), ("INV-003", 6)]
    assert out.count == 2 and out.table.columns[-1].type == "integer"
    with pytest.raises(NodeError, match="has no column 'Total'"):
        run(FindRows(), tmp_path, {"path": path.name, "sheet": "Invoices", "range": "A3:D100",
                                   "conditions": [{"column": "Total", "op": ">", "value": 1}]})


def test_libreoffice_opens_every_written_workbook(libreoffice):
    """Last in this module: one soffice call checks every workbook the tests above wrote."""
    libreoffice.check()
