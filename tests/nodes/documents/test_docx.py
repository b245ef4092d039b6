"""Read Word document and Word from Template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from runtime.api import NodeState, Table


def test_blocks_keep_order_kinds_and_heading_levels(run_node, files):
    out = run_node("documents.docx_read", {"path": str(files["docx"])}).ok()
    blocks: Table = out["blocks"]
    assert [(b["kind"], b["level"], b["text"]) for b in blocks] == [
        ("title", None, "Service agreement"),
        ("heading", 1, "1. Parties"),
        ("paragraph", None, "Acme Ltd and Example GmbH agree as follows."),
        ("heading", 2, "1.1 Fees"),
        ("list item", None, "Monthly fee"),
        ("table", None, "table 1"),
        ("paragraph", None, "Signed in Berlin."),
    ]
    assert blocks.rows[1]["style"] == "Heading 1" and blocks.rows[5]["table"] == 1
    assert [b["block"] for b in blocks] == list(range(1, 8))


def test_tables_text_and_properties(run_node, files):
    out = run_node("documents.docx_read", {"path": str(files["docx"])}).ok()
    table: Table = out["table"]
    assert table.column_names == ["Service", "Fee"]
    assert table.rows == [{"Service": "Hosting", "Fee": "120.00"}, {"Service": "Support", "Fee": "80.00"}]
    assert out["tables"] == [table]
    assert "Hosting\t120.00" in out["text"] and out["text"].startswith("Service agreement\n1. Parties")
    props = out["properties"]
    assert props["title"] == "Service agreement" and props["author"] == "Jane Clerk"
    assert props["created"] == dt.datetime(2024, 3, 15, 9, 30, tzinfo=dt.UTC)
    assert out["document"].doc_kind == "docx" and Path(out["document"].path) == files["docx"].resolve()


def test_empty_paragraphs_can_be_kept(run_node, files):
    out = run_node("documents.docx_read", {"path": str(files["docx"]), "keep_empty": True,
                                           "header": False}).ok()
    assert [b["text"] for b in out["blocks"]].count("") == 1
    assert out["table"].rows[0] == {"column_1": "Service", "column_2": "Fee"}


@pytest.mark.parametrize(("name", "message"), [
    ("old_doc", "old Word .doc file"), ("not_word", "but it is a ZIP archive"),
    ("broken_docx", "damaged or is not a Word document"), ("four", "but it is a PDF file"),
])
def test_wrong_and_broken_word_files_are_named(run_node, files, name, message):
    run = run_node("documents.docx_read", {"path": str(files[name])})
    assert run.state is NodeState.FAILED
    assert files[name].name in run.error and message in run.error, run.error


def test_a_template_is_filled_from_a_record_and_a_table(run_node, files, tmp_path):
    import docx

    record = {"customer": "R&D <Müller> GmbH", "Invoice No": "INV-9", "total": 1234.5}
    rows = Table.from_records([{"item": "Paper", "amount": "45.00"}, {"item": "Toner", "amount": "1,189.50"}])
    target = tmp_path / "letters" / "{customer}.docx"
    out = run_node("documents.docx_template", {"path": str(files["template"]), "output": str(target),
                                               "values": {"invoice_no": "ignored"}},
                   {"record": record, "table": rows}).ok()
    written = Path(out["document"].path)
    assert written == (tmp_path / "letters" / "R&D _Müller_ GmbH.docx").resolve()
    document = docx.Document(str(written))
    texts = [p.text for p in document.paragraphs]
    assert "Dear R&D <Müller> GmbH," in texts and "Invoice INV-9 of 1234.5 EUR is due." in texts
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells == [["Paper", "45.00"], ["Toner", "1,189.50"]]
    assert files["template"].stat().st_size > 0 and "{{ customer }}" in "\n".join(
        p.text for p in docx.Document(str(files["template"])).paragraphs)


def test_a_missing_placeholder_value_is_named_or_left_blank(run_node, files):
    run = run_node("documents.docx_template", {"path": str(files["template"])}, {"record": {"customer": "X"}})
    assert run.state is NodeState.FAILED
    assert "needs values for invoice_no, rows, total" in run.error and "it has: customer" in run.error
    blank = run_node("documents.docx_template", {"path": str(files["template"]), "missing": "blank"},
                     {"record": {"customer": "X"}})
    out = blank.ok()
    assert any("invoice_no, rows, total" in line for line in blank.logs("warning"))
    assert Path(out["document"].path).name == "reminder-filled.docx"


def test_template_mistakes_and_bad_targets(run_node, files, tmp_path):
    bad = run_node("documents.docx_template", {"path": str(files["bad_template"])}, {"record": {"name": "x"}})
    assert "bad-template.docx has a mistake in a placeholder" in bad.error
    field = run_node("documents.docx_template", {"path": str(files["template"]),
                                                 "output": str(tmp_path / "{nope}.docx")}, {"record": {}})
    assert "has no field 'nope'" in field.error
    same = run_node("documents.docx_template",
                    {"path": str(files["template"]), "output": str(files["template"])}, {"record": {}})
    assert "is the template itself" in same.error
    (tmp_path / "keep.docx").write_bytes(b"old")
    config = {"path": str(files["template"]), "output": str(tmp_path / "keep.docx"), "overwrite": False,
              "missing": "blank"}
    kept = run_node("documents.docx_template", config, {"record": {}})
    assert "already exists" in kept.error and (tmp_path / "keep.docx").read_bytes() == b"old"
