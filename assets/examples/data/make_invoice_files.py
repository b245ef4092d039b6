"""Writes the invoice-register example's files: five supplier invoice PDFs in
`invoice_pdfs/` (four with a text layer, one a scan with none) and the styled, empty
register workbook `invoice_register.xlsx`. Run by a developer when they change:
`.venv/bin/python assets/examples/data/make_invoice_files.py` (needs reportlab, a test
dependency). The outputs are committed; the tests check the flow against the totals below.
"""

from __future__ import annotations

import io
import random
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
PDFS = HERE / "invoice_pdfs"

# number, supplier, date as printed, how amounts are written, items (description, qty, unit price)
INVOICES = [
    {"file": "acme_AC-2026-0412.pdf", "supplier": "ACME Office Supplies GmbH",
     "address": "Hafenstrasse 12, 20457 Hamburg, Germany",
     "labels": {"number": "Invoice No.:", "date": "Invoice date:", "total": "Total due:"},
     "number": "AC-2026-0412", "date": "03.11.2026", "style": "de", "vat": Decimal("0.19"),
     "items": [("Copy paper A4, 500 sheets", 40, "4.90"), ("Toner cartridge TN-2420", 6, "129.00"),
               ("Desk organiser", 10, "11.45")]},
    {"file": "globex_88213.pdf", "supplier": "Globex Corporation",
     "address": "1 Globex Plaza, Cypress Creek",
     "labels": {"number": "Invoice #", "date": "Date:", "total": "Amount due:"},
     "number": "88213", "date": "November 5, 2026", "style": "en", "vat": Decimal("0"),
     "items": [("Consulting, October 2026 (days)", 12, "950.00"), ("Travel expenses", 1, "1080.00")]},
    {"file": "initech_INV-7781.pdf", "supplier": "Initech Ltd",
     "address": "4120 Freidrich Lane, Austin",
     "labels": {"number": "Invoice number", "date": "Issued", "total": "Invoice total"},
     "number": "INV-7781", "date": "2026-11-12", "style": "space", "vat": Decimal("0.20"),
     "items": [(f"Licence seat {n:02d}, annual", 1, "274.15") for n in range(1, 31)]},
    {"file": "stark_SI-2026-1187.pdf", "supplier": "Stark Industries",
     "address": "10880 Malibu Point, Malibu",
     "labels": {"number": "Invoice no.", "date": "Invoice date:", "total": "Grand total:"},
     "number": "SI/2026/1187", "date": "24 November 2026", "style": "en", "vat": Decimal("0"),
     "items": [("Safety goggles", 32, "20.00")]},
    {"file": "umbrella_scan_UMB-55120.pdf", "supplier": "Umbrella Logistics",
     "address": "Raccoon Street 5, Rotterdam", "scan": True,
     "labels": {"number": "Invoice No:", "date": "Date:", "total": "Total due:"},
     "number": "UMB-55120", "date": "18 Nov 2026", "style": "en", "vat": Decimal("0"),
     "items": [("Pallet transport Rotterdam-Hamburg", 5, "583.00"), ("Customs handling", 1, "500.00")]},
]


def money(value: Decimal, style: str) -> str:
    """An amount as the supplier prints it: 1,234.50 (en), 1.234,50 (de), 1 234,50 (space)."""
    text = f"{value:,.2f}"
    if style == "de":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "space":
        return text.replace(",", " ").replace(".", ",")
    return text


def totals(invoice: dict) -> tuple[Decimal, Decimal, Decimal]:
    net = sum((qty * Decimal(price) for _, qty, price in invoice["items"]), Decimal(0))
    vat = (net * invoice["vat"]).quantize(Decimal("0.01"))
    return net, vat, net + vat


def draw_invoice(invoice: dict) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"Invoice {invoice['number']}")
    pdf.setAuthor(invoice["supplier"])
    style, labels = invoice["style"], invoice["labels"]

    def header() -> float:
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(56, 790, invoice["supplier"])
        pdf.setFont("Helvetica", 9)
        pdf.drawString(56, 776, invoice["address"])
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(56, 735, "INVOICE")
        pdf.setFont("Helvetica", 11)
        pdf.drawString(56, 705, f"{labels['number']} {invoice['number']}")
        pdf.drawString(330, 705, f"{labels['date']} {invoice['date']}")
        pdf.drawString(56, 688, "Customer: Northwind Traders, Accounts Payable")
        pdf.drawString(330, 688, "Payment terms: 30 days net")
        pdf.setFont("Helvetica-Bold", 10)
        for x, title in ((56, "Description"), (330, "Qty"), (390, "Unit price"), (480, "Line amount")):
            pdf.drawString(x, 655, title)
        pdf.line(56, 650, 540, 650)
        pdf.setFont("Helvetica", 10)
        return 634

    y = header()
    for description, qty, price in invoice["items"]:
        if y < 90:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(56, 50, "continued on the next page")
            pdf.showPage()
            y = header()
        pdf.drawString(56, y, description)
        pdf.drawRightString(350, y, str(qty))
        pdf.drawRightString(450, y, money(Decimal(price), style))
        pdf.drawRightString(540, y, money(qty * Decimal(price), style))
        y -= 16
    net, vat, total = totals(invoice)
    pdf.line(330, y + 6, 540, y + 6)
    y -= 12
    pdf.drawString(330, y, "Net amount")
    pdf.drawRightString(540, y, money(net, style))
    if vat:
        y -= 16
        pdf.drawString(330, y, f"VAT {invoice['vat'] * 100:.0f}%")
        pdf.drawRightString(540, y, money(vat, style))
    y -= 22
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(330, y, f"{labels['total']} EUR {money(total, style)}")
    pdf.setFont("Helvetica", 8)
    pdf.drawString(56, 50, "Please quote the invoice number with your payment. "
                           "Bank: IBAN DE02 1203 0000 0000 2020 51")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned(pdf_bytes: bytes, seed: int) -> bytes:
    """The PDF as a scanner makes it: each page a grey, slightly tilted, speckled picture (no text)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    document = pdfium.PdfDocument(pdf_bytes)
    pages = []
    for page in document:
        image = page.render(scale=200 / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(0.6, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        pixels = image.load()
        for _ in range(image.width * image.height // 400):
            x, y = rng.randrange(image.width), rng.randrange(image.height)
            pixels[x, y] = rng.randrange(120, 230)
        pages.append(image.point(lambda v: int(v * 0.92) + 12))
    document.close()
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=200.0, save_all=True, append_images=pages[1:])
    return out.getvalue()


def register(path: Path) -> None:
    """The empty register: styled header, column number formats, a summary sheet with formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    header_font = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F6F78")
    rule = Border(bottom=Side(style="medium", color="0E3B40"))
    columns = [("Invoice", 18, "@"), ("Supplier", 30, "General"), ("Date", 13, "DD.MM.YYYY"),
               ("Total", 14, "#,##0.00 [$€-x-euro2]")]
    for i, (name, width, number_format) in enumerate(columns, 1):
        cell = ws.cell(1, i, name)
        cell.font, cell.fill, cell.border = header_font, fill, rule
        cell.alignment = Alignment(horizontal="center")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = width
        ws.column_dimensions[letter].number_format = number_format
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = "A1:D1"
    summary = wb.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Invoices", "=COUNTA(Register!A:A)-1"
    summary["A2"], summary["B2"] = "Total (EUR)", "=SUM(Register!D:D)"
    summary["A3"], summary["B3"] = "Latest invoice date", '=IF(B1>0,MAX(Register!C:C),"")'
    summary["B2"].number_format = "#,##0.00"
    summary["B3"].number_format = "DD.MM.YYYY"
    for ref in ("A1", "A2", "A3"):
        summary[ref].font = Font(bold=True)
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 16
    wb.properties.creator = "Loomwork examples"
    wb.save(path)


def main() -> None:
    PDFS.mkdir(exist_ok=True)
    for seed, invoice in enumerate(INVOICES):
        data = draw_invoice(invoice)
        if invoice.get("scan"):
            data = scanned(data, seed)
        (PDFS / invoice["file"]).write_bytes(data)
        print(invoice["file"], invoice["number"], totals(invoice)[2])
    register(HERE / "invoice_register.xlsx")


if __name__ == "__main__":
    main()
