"""Writes the demo portal's invoice PDFs (files/*.pdf) from invoices.js. Run once by a
developer when the data changes: `.venv/bin/python assets/demo_portal/make_invoices.py`
(needs reportlab, a test dependency)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent


def main() -> None:
    text = (HERE / "invoices.js").read_text(encoding="utf-8")
    rows = re.findall(r"\{(.*?)\}", text.split("=", 1)[1])
    for row in rows:
        data = json.loads("{" + re.sub(r"(\w+):", r'"\1":', row) + "}")
        pdf = canvas.Canvas(str(HERE / "files" / data["file"]), pagesize=A4, invariant=True)
        pdf.setTitle(f"Invoice {data['number']}")
        pdf.setFont("Helvetica-Bold", 18)
        pdf.drawString(72, 770, f"Invoice {data['number']}")
        pdf.setFont("Helvetica", 12)
        for i, (label, value) in enumerate((("Supplier", data["supplier"]), ("Customer", "Northwind Traders"),
                                            ("Date", data["date"]), ("Amount due", f"EUR {data['amount']}"),
                                            ("Terms", "Net 30 days"))):
            pdf.drawString(72, 720 - i * 22, f"{label}:")
            pdf.drawString(200, 720 - i * 22, value)
        pdf.showPage()
        pdf.save()


if __name__ == "__main__":
    main()
