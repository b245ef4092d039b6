"""PDF text extraction: pages/s of Loomwork's Read PDF node against raw pypdfium2 and pypdf, same run.

A generated PDF of 200 text pages (about 2,500 characters each, made with reportlab) is read:
  - raw pypdfium2: open the document, `get_textpage().get_text_range()` for every page;
  - Loomwork: a flow with one `documents.pdf_read` node run by the real runner (history on, cache
    off), so engine, worker thread, page table, metadata and result recording are all counted;
    goal: at least 0.9x the raw engine's pages/s;
  - pypdf: `extract_text()` for every page (reported, for comparison).
Best of several rounds each, rounds interleaved so that machine noise hits all three alike.

Run: .venv/bin/python bench/pdf_text.py [pages]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runtime.api import Flow, NodeInstance, Registry, Runner, RunStatus, data_paths

GOAL = 0.9
ROUNDS = 5
WORDS = ["invoice", "total", "amount", "due", "net", "tax", "payment", "account", "balance", "order",
         "delivery", "customer", "supplier", "reference", "quantity", "price", "discount", "period",
         "statement", "credit", "debit"]


def make_pdf(path: Path, pages: int) -> None:
    """A letter-size PDF of `pages` pages, 40 lines of about 62 characters each."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    for page in range(pages):
        for line in range(40):
            words = [WORDS[(page * 7 + line * 3 + i) % len(WORDS)] for i in range(9)]
            pdf.drawString(54, 740 - line * 17, f"{page + 1:04d}.{line:02d} " + " ".join(words))
        pdf.showPage()
    pdf.save()


def raw_pdfium(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    chars = 0
    for index in range(len(doc)):
        page = doc[index]
        textpage = page.get_textpage()
        chars += len(textpage.get_text_range())
        textpage.close()
        page.close()
    doc.close()
    return chars


def raw_pypdf(path: Path) -> int:
    from pypdf import PdfReader

    return sum(len(page.extract_text()) for page in PdfReader(str(path)).pages)


def main() -> int:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    registry = Registry.from_entry_points()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "bench.pdf"
        make_pdf(pdf, pages)
        flow = Flow(name="pdf text", nodes={"n_readpdf": NodeInstance(
            type="documents.pdf_read", config={"path": str(pdf), "ocr": "never"})})
        runner = Runner(registry, data_paths(Path(tmp) / "home"))
        plan = runner.compile(flow)

        def node_path() -> int:
            result = asyncio.run(runner.run(flow, plan=plan, use_cache=False, keep_outputs=True))
            assert result.status is RunStatus.COMPLETED, result.error
            return sum(r["chars"] for r in result.node_outputs["n_readpdf"]["pages"])

        chars = {"pypdfium2": raw_pdfium(pdf), "loomwork": node_path(), "pypdf": raw_pypdf(pdf)}  # warm up
        best = {name: float("inf") for name in chars}
        for _ in range(ROUNDS):
            for name, work in (("pypdfium2", lambda: raw_pdfium(pdf)), ("loomwork", node_path),
                               ("pypdf", lambda: raw_pypdf(pdf))):
                start = time.perf_counter()
                work()
                best[name] = min(best[name], time.perf_counter() - start)
        runner.close()
    rate = {name: pages / seconds for name, seconds in best.items()}
    print(f"{pages} pages, {chars['pypdfium2'] / pages:.0f} characters a page; best of {ROUNDS} rounds")
    for name in ("pypdfium2", "loomwork", "pypdf"):
        print(f"  {name:10s} {best[name] * 1e3:8.1f} ms  {rate[name]:8.0f} pages/s  "
              f"({chars[name]} characters)")
    ratio = rate["loomwork"] / rate["pypdfium2"]
    ok = ratio >= GOAL
    print(f"Read PDF node vs raw pypdfium2: {ratio:.2f}x (goal >= {GOAL}x) {'OK' if ok else 'BELOW GOAL'}")
    print(f"Read PDF node vs pypdf:         {rate['loomwork'] / rate['pypdf']:.1f}x faster")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
