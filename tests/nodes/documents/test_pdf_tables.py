"""PDF Tables: ruled and borderless tables into Tables, header row, number detection, picking."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nodes.documents.pdf_tables import PdfTablesConfig, _number_parser
from runtime.api import NodeState, Table


def test_a_ruled_table_becomes_a_table_with_its_header(run_node, files):
    out = run_node("documents.pdf_tables", {"path": str(files["invoice"])}).ok()
    table: Table = out["table"]
    assert table.column_names == ["Item", "Quantity", "Amount"]
    assert table.rows == [{"Item": "Paper A4", "Quantity": "10", "Amount": "45.00"},
                          {"Item": "Toner", "Quantity": "2", "Amount": "1,189.50"},
                          {"Item": "Stapler", "Quantity": "1", "Amount": "(12.00)"}]
    assert out["found"].rows == [{"table": 1, "page": 1, "rows": 3, "columns": 3}]
    assert len(out["tables"]) == 1 and out["tables"][0] == table


def test_numbers_and_a_page_column(run_node, files):
    out = run_node("documents.pdf_tables", {"path": str(files["invoice"]), "numbers": True,
                                            "page_column": True}).ok()
    table: Table = out["table"]
    assert [(c.name, c.type) for c in table.columns] == [("page", "integer"), ("Item", "text"),
                                                         ("Quantity", "integer"), ("Amount", "number")]
    assert [r["Amount"] for r in table] == [45.0, 1189.5, -12.0]
    assert {r["page"] for r in table} == {1}


def test_without_a_header_row_columns_are_numbered(run_node, files):
    table = run_node("documents.pdf_tables", {"path": str(files["invoice"]), "header": False}).ok()["table"]
    assert table.column_names == ["column_1", "column_2", "column_3"]
    assert table.rows[0] == {"column_1": "Item", "column_2": "Quantity", "column_3": "Amount"}


@pytest.mark.parametrize("strategy", ["text", "auto"])
def test_a_borderless_table_is_found_from_aligned_text(run_node, files, strategy):
    out = run_node("documents.pdf_tables", {"path": str(files["statement"]), "strategy": strategy,
                                            "numbers": True}).ok()
    table: Table = out["table"]
    assert table.column_names == ["Date", "Description", "Amount"]
    assert [r["Description"] for r in table] == ["Opening", "Stationery", "Refund", "Rent", "Salary"]
    assert [r["Amount"] for r in table] == [100.0, -23.4, 12.0, -900.0, 2500.0]


def test_no_tables_gives_an_empty_table_and_a_warning(run_node, files):
    run = run_node("documents.pdf_tables", {"path": str(files["four"]), "strategy": "lines"})
    out = run.ok()
    assert len(out["table"]) == 0 and out["tables"] == [] and len(out["found"]) == 0
    assert any("no tables found in four.pdf" in line for line in run.logs("warning"))


def test_page_selection_limits_the_search(run_node, files):
    out = run_node("documents.pdf_tables", {"path": str(files["invoice"]), "pages": "2",
                                            "strategy": "lines"}).ok()
    assert out["tables"] == []


def test_locked_and_damaged_files_are_named(run_node, make_runner, files, credentials):
    locked = run_node("documents.pdf_tables", {"path": str(files["locked"])})
    assert locked.state is NodeState.FAILED and "locked.pdf" in locked.error and "password" in locked.error
    config = {"path": str(files["locked"]), "password_credential": "pdf_pw", "strategy": "lines"}
    opened = run_node("documents.pdf_tables", config, runner=make_runner(credentials=credentials))
    assert opened.ok()["tables"] == []
    broken = run_node("documents.pdf_tables", {"path": str(files["truncated"])})
    assert "truncated.pdf" in broken.error and "damaged" in broken.error


@pytest.mark.parametrize(("text", "decimal", "value"), [
    ("1,234.50", ".", 1234.5), ("(12.00)", ".", -12.0), ("-7", ".", -7), ("€ 99.90", ".", 99.9),
    ("1.234,50", ",", 1234.5), ("12-", ".", -12), ("1,23.4", ".", None), ("abc", ".", None), ("", ".", None),
])
def test_number_parsing(text, decimal, value):
    assert _number_parser(decimal)(text) == value


def test_bad_pages_are_refused_in_the_config():
    with pytest.raises(ValidationError):
        PdfTablesConfig(pages="2-1")
