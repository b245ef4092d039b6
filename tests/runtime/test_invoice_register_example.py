"""The documents-and-spreadsheets example end to end, from the CLI: a folder of invoice PDFs
(one a scan with no text layer) → text rules → the styled register workbook, which LibreOffice
opens and recalculates with the right values; a second run updates instead of adding twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nodes.spreadsheet._libreoffice import find_soffice
from tests.nodes.spreadsheet.sheet_helpers import libreoffice_csv
from tests.runtime.test_cli import ROOT, loomwork

EXAMPLES = ROOT / "assets" / "examples"
EXPECTED = [  # what the PDFs say (assets/examples/data/make_invoice_files.py)
    ["AC-2026-0412", "ACME Office Supplies GmbH", "11/03/2026", "1290.56"],
    ["88213", "Globex Corporation", "11/05/2026", "12480"],
    ["INV-7781", "Initech Ltd", "11/12/2026", "9869.4"],
    ["SI/2026/1187", "Stark Industries", "11/24/2026", "640"],
    ["UMB-55120", "Umbrella Logistics", "11/18/2026", "3415"],  # the scan, read by OCR
]


def copy_example(folder: Path) -> Path:
    """The example's flows, PDFs and register template in `folder` (its outputs go there too)."""
    (folder / "data").mkdir(parents=True)
    for name in ("invoice_pdfs_to_register.loom", "read_invoice_pdf.loom"):
        shutil.copy(EXAMPLES / name, folder / name)
    shutil.copytree(EXAMPLES / "data" / "invoice_pdfs", folder / "data" / "invoice_pdfs")
    shutil.copy(EXAMPLES / "data" / "invoice_register.xlsx", folder / "data")
    return folder


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "examples")


def test_invoice_pdfs_land_in_the_styled_register(example: Path, home: Path) -> None:
    scan = example / "data" / "invoice_pdfs" / "umbrella_scan_UMB-55120.pdf"
    assert b"/Font" not in scan.read_bytes()  # really a scan: no text layer to read
    flow = example / "invoice_pdfs_to_register.loom"
    first = loomwork("run", str(flow), "--json", home=home, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    result = json.loads(first.stdout)
    assert result["status"] == "COMPLETED"
    assert len(result["outputs"]["invoices"]["rows"]) == 5

    register = example / "output" / "invoice_register.xlsx"
    template = load_workbook(example / "data" / "invoice_register.xlsx")["Register"]
    ws = load_workbook(register)["Register"]
    assert ws.max_row == 6
    assert ws["A1"].fill.fgColor.rgb == template["A1"].fill.fgColor.rgb and ws["A1"].font.b  # header kept
    assert ws.freeze_panes == "A2"
    assert [ws.cell(2, c).number_format for c in (1, 3, 4)] == ["@", "DD.MM.YYYY", "#,##0.00 [$€-x-euro2]"]

    again = loomwork("run", str(flow), "--json", home=home, timeout=300)  # same PDFs: updated, not added
    assert again.returncode == 0, again.stdout + again.stderr
    assert load_workbook(register)["Register"].max_row == 6

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt install libreoffice-calc-nogui")
    sheets = libreoffice_csv([register])[register]
    assert sheets["Register"][0] == ["Invoice", "Supplier", "Date", "Total"]
    assert sorted(sheets["Register"][1:]) == sorted(EXPECTED)
    assert sheets["Summary"][:2] == [["Invoices", "5"], ["Total (EUR)", "27694.96"]]


def test_an_invoice_that_cannot_be_read_is_listed_and_the_others_still_land(example: Path,
                                                                             home: Path) -> None:
    from reportlab.pdfgen import canvas

    letter = canvas.Canvas(str(example / "data" / "invoice_pdfs" / "reminder_letter.pdf"))
    letter.drawString(72, 770, "Dear customer, this is a friendly payment reminder.")
    letter.save()
    done = loomwork("run", str(example / "invoice_pdfs_to_register.loom"), "--json", home=home, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "COMPLETED"
    assert len(result["outputs"]["invoices"]["rows"]) == 5
    [problem] = result["outputs"]["problems"]
    assert problem["item"].endswith("reminder_letter.pdf")
    labels = "'Invoice no. | Invoice # | Invoice number'"
    assert f"Invoice: the label {labels} is not in the text" in problem["error"]
    assert load_workbook(example / "output" / "invoice_register.xlsx")["Register"].max_row == 6
