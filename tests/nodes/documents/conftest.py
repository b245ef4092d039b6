"""Files the document tests make: PDFs with text and tables (reportlab), a scanned PDF (text drawn
into an image, wrapped as an image-only PDF), password-protected and damaged PDFs, Word files
(python-docx) and images with text (Pillow). Made once per test session, read-only."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus" / "pdf"
PASSWORD = "s3cret-Pa55"


def text_image(lines: list[str], size: tuple[int, int] = (900, 220), font_size: int = 40):
    """A white image with black text lines drawn by Pillow's built-in font."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_size)
    for i, line in enumerate(lines):
        draw.text((30, 30 + i * (font_size + 30)), line, font=font, fill=0)
    return image


def write_text_pdf(path: Path, pages: list[list[str]], *, title: str = "", author: str = "") -> Path:
    """A PDF with one page per list of lines (letter size), with a title and author."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    for lines in pages:
        y = 720
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 20
        pdf.showPage()
    pdf.save()
    return path


def write_invoice_pdf(path: Path) -> Path:
    """Page 1: an invoice header with label/value pairs far apart and a ruled table; page 2: prose."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    lines = Table([["Item", "Quantity", "Amount"], ["Paper A4", "10", "45.00"], ["Toner", "2", "1,189.50"],
                   ["Stapler", "1", "(12.00)"]])
    lines.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.8, colors.black)]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title="Invoice INV-2041", author="Acme Ltd")
    doc.build([Paragraph("Invoice INV-2041", styles["Title"]), Spacer(1, 12), lines, PageBreak(),
               Paragraph("Terms: payment within 30 days.", styles["Normal"])])
    return path


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every test document, by name."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    folder = tmp_path_factory.mktemp("documents")
    made: dict[str, Path] = {}
    made["four"] = write_text_pdf(folder / "four.pdf", [[f"Page {n} alpha"] for n in (1, 2, 3, 4)],
                                  title="Quarterly report", author="Jane Clerk")
    made["invoice"] = write_invoice_pdf(folder / "invoice.pdf")

    layout = folder / "layout.pdf"
    pdf = canvas.Canvas(str(layout), pagesize=letter)
    for y, label, value in ((700, "Invoice number", "INV-7"), (680, "Total", "1,234.50")):
        pdf.drawString(72, y, label)
        pdf.drawString(400, y, value)
    pdf.showPage()
    pdf.save()
    made["layout"] = layout

    statement = folder / "statement.pdf"  # a borderless table: columns of aligned text
    pdf = canvas.Canvas(str(statement), pagesize=letter)
    rows = [("Date", "Description", "Amount"), ("2024-03-01", "Opening", "100.00"),
            ("2024-03-04", "Stationery", "-23.40"), ("2024-03-09", "Refund", "12.00"),
            ("2024-03-15", "Rent", "-900.00"), ("2024-03-28", "Salary", "2,500.00")]
    for i, (date, text, amount) in enumerate(rows):
        pdf.drawString(72, 700 - i * 18, date)
        pdf.drawString(200, 700 - i * 18, text)
        pdf.drawRightString(500, 700 - i * 18, amount)
    pdf.showPage()
    pdf.save()
    made["statement"] = statement

    # A scanned PDF: page 1 has text, page 2 is only a picture of text.
    scan_page = folder / "scan-page.pdf"
    text_image(["Invoice INV-3077", "Total 88.20"], size=(900, 220)).save(scan_page, "PDF", resolution=100)
    text_pdf = write_text_pdf(folder / "text-page.pdf", [["Cover letter"]])
    writer = PdfWriter()
    writer.append(str(text_pdf))
    writer.append(str(scan_page))
    with open(folder / "scanned.pdf", "wb") as handle:
        writer.write(handle)
    made["scanned"] = folder / "scanned.pdf"

    locked = PdfWriter(clone_from=PdfReader(str(made["four"])))
    locked.encrypt(user_password=PASSWORD, owner_password="owner", algorithm="AES-128")
    with open(folder / "locked.pdf", "wb") as handle:
        locked.write(handle)
    made["locked"] = folder / "locked.pdf"

    data = made["four"].read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "empty.pdf").write_bytes(b"")
    made.update({name: folder / f"{name}.pdf" for name in ("truncated", "garbage", "empty")})

    made["png"] = folder / "receipt.png"
    text_image(["Receipt 4711", "Coffee 3.80"]).save(made["png"])
    made["tiff"] = folder / "batch.tiff"
    first = text_image(["First page"], size=(600, 120))
    second = text_image(["Second page 42"], size=(600, 120))
    first.save(made["tiff"], save_all=True, append_images=[second], dpi=(200, 200))
    made["fake_png"] = folder / "notes.png"
    made["fake_png"].write_text("just some text, not an image\n")
    made["truncated_png"] = folder / "cut.png"
    made["truncated_png"].write_bytes(made["png"].read_bytes()[:200])

    made.update(_word_files(folder))
    for path in made.values():
        path.chmod(0o444)
    return made


def _word_files(folder: Path) -> dict[str, Path]:
    import docx

    made: dict[str, Path] = {}
    document = docx.Document()
    document.core_properties.title = "Service agreement"
    document.core_properties.author = "Jane Clerk"
    document.core_properties.created = dt.datetime(2024, 3, 15, 9, 30)
    document.add_heading("Service agreement", level=0)
    document.add_heading("1. Parties", level=1)
    document.add_paragraph("Acme Ltd and Example GmbH agree as follows.")
    document.add_paragraph("")
    document.add_heading("1.1 Fees", level=2)
    document.add_paragraph("Monthly fee", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for row, values in zip(table.rows, (("Service", "Fee"), ("Hosting", "120.00"), ("Support", "80.00")),
                           strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Signed in Berlin.")
    made["docx"] = folder / "agreement.docx"
    document.save(made["docx"])

    template = docx.Document()
    template.add_paragraph("Dear {{ customer }},")
    template.add_paragraph("Invoice {{ invoice_no }} of {{ total }} EUR is due.")
    lines = template.add_table(rows=3, cols=2)
    lines.rows[0].cells[0].text = "{%tr for row in rows %}"
    lines.rows[1].cells[0].text = "{{ row.item }}"
    lines.rows[1].cells[1].text = "{{ row.amount }}"
    lines.rows[2].cells[0].text = "{%tr endfor %}"
    made["template"] = folder / "reminder.docx"
    template.save(made["template"])

    broken = docx.Document()
    broken.add_paragraph("Hello {{ name ")
    made["bad_template"] = folder / "bad-template.docx"
    broken.save(made["bad_template"])

    made["old_doc"] = folder / "old.doc"
    made["old_doc"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    made["not_word"] = folder / "archive.docx"
    with zipfile.ZipFile(made["not_word"], "w") as archive:
        archive.writestr("readme.txt", "not a word file")
    made["broken_docx"] = folder / "broken.docx"
    with zipfile.ZipFile(made["broken_docx"], "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    return made


@pytest.fixture
def corpus() -> dict[str, dict]:
    """files.json of the shared PDF corpus, by file name (skips when the corpus is absent)."""
    listing = CORPUS / "files.json"
    if not listing.exists():
        pytest.skip(f"the shared PDF corpus is not at {CORPUS}")
    entries = json.loads(listing.read_text(encoding="utf-8"))["data"]
    return {Path(e["path"]).name: e for e in entries if (CORPUS / Path(e["path"]).name).exists()}


@pytest.fixture
def credentials(tmp_path: Path):
    """A credential store on a plain-text test keyring holding the test PDF password."""
    from keyrings.alt.file import PlaintextKeyring

    from runtime.api import CredentialStore

    keyring = PlaintextKeyring()
    keyring.file_path = str(tmp_path / "kr.cfg")
    store = CredentialStore(tmp_path / "home" / "credentials.json", backend=keyring)
    store.set("pdf_pw", PASSWORD)
    store.set("wrong_pw", "nope")
    store.set("corpus_pw", "openpassword")
    return store


@pytest.fixture
def pdf_text() -> Callable[[Path], list[str]]:
    """The text of each page of a PDF (read with pypdf, independently of the nodes under test)."""

    def read(path: Path) -> list[str]:
        from pypdf import PdfReader

        return [page.extract_text() for page in PdfReader(str(path)).pages]

    return read
