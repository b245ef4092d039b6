"""PDF text, metadata and rendering through PDFium (pypdfium2, Apache-2.0 / BSD-3-Clause).

PDFium is Chrome's PDF engine: fast, tolerant of damaged files, and permissively licensed
(PyMuPDF would be as fast but is AGPL). PDFium is not thread-safe, so every call into it
happens while holding `PDFIUM_LOCK`; documents are opened and closed explicitly under the
lock, so no finalizer runs PDFium code later from another thread.

pypdfium2 itself is imported inside the functions, when a node runs.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import re
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.api import NodeError

if TYPE_CHECKING:
    import pypdfium2 as pdfium

__all__ = ["PDFIUM_LOCK", "layout_text", "metadata", "open_pdf", "page_text", "pdf_date", "render_page"]

PDFIUM_LOCK = threading.RLock()
"""Held around every use of PDFium (it has global state and is not thread-safe)."""


def _open_error(exc: Exception, path: Path, credential: str) -> NodeError:
    import pypdfium2.raw as pdfium_c

    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        if credential:
            return NodeError(f"cannot open {path}: the password saved in the credential '{credential}' "
                             "is not this file's password")
        return NodeError(f"cannot open {path}: the file is password-protected; save its password as a "
                         "credential and enter the credential's name in 'Password credential'")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return NodeError(f"cannot open {path}: it is protected with a security scheme that is not supported")
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return NodeError(f"cannot read {path}: the file is damaged or is not a valid PDF "
                         "(its structure cannot be read; try opening and re-saving it in a PDF viewer)")
    if code == pdfium_c.FPDF_ERR_FILE:
        return NodeError(f"cannot read {path}: the file cannot be opened")
    return NodeError(f"cannot read {path}: {exc}")


@contextmanager
def open_pdf(path: Path, password: str | None, credential: str = "") -> Iterator[pdfium.PdfDocument]:
    """The opened document (closed on exit); errors become `NodeError`s naming the file.

    The caller holds `PDFIUM_LOCK` while it uses the document.
    """
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(str(path), password=password or None)
        except pdfium.PdfiumError as exc:
            raise _open_error(exc, path, credential) from None
    try:
        yield doc
    finally:
        with PDFIUM_LOCK:
            doc.close()


_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
                       r"\s*([Zz+\-])?\s*(\d{2})?'?(\d{2})?'?")


def pdf_date(raw: str) -> dt.datetime | None:
    """A PDF date string ("D:20240315093000+01'00'") as a datetime; None when absent or unreadable."""
    match = _PDF_DATE.match(raw.strip()) if raw else None
    if match is None:
        return None
    year, month, day, hour, minute, second, sign, tz_h, tz_m = match.groups()
    tz = None
    if sign in ("Z", "z"):
        tz = dt.UTC
    elif sign in ("+", "-") and tz_h:
        offset = dt.timedelta(hours=int(tz_h), minutes=int(tz_m or 0))
        tz = dt.timezone(offset if sign == "+" else -offset)
    try:
        return dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                           int(second or 0), tzinfo=tz)
    except ValueError:
        return None


def metadata(doc: pdfium.PdfDocument) -> dict[str, Any]:
    """Title, author, subject, keywords, creator, producer, created and modified (dates as datetimes)."""
    raw = doc.get_metadata_dict()
    info: dict[str, Any] = {key.lower(): (raw.get(key) or "").strip()
                            for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer")}
    info["created"] = pdf_date(raw.get("CreationDate", ""))
    info["modified"] = pdf_date(raw.get("ModDate", ""))
    return info


def _clean(text: str) -> str:
    """Unix line ends; PDFium marks a word hyphenated at a line end with U+0002 (or U+FFFE): the
    line break stays (as on the page), the hyphen becomes a plain '-'."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.replace("\x02", "-\n").replace("\ufffe", "-\n")


def page_text(doc: pdfium.PdfDocument, index: int, layout: bool) -> str:
    """Page `index`'s text in reading order, or (`layout`) laid out as it looks on the page.

    Calls PDFium's C functions directly (no Python page objects, no finalizers): this is the hot
    path of Read PDF, and it is what lets the node keep up with bare pypdfium2 use.
    """
    import pypdfium2.raw as pdfium_c

    page = pdfium_c.FPDF_LoadPage(doc.raw, index)
    if not page:
        raise NodeError(f"page {index + 1} of the PDF cannot be read (it is damaged)")
    try:
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            return ""
        try:
            return layout_text(textpage) if layout else _clean(_plain_text(textpage))
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
    finally:
        pdfium_c.FPDF_ClosePage(page)


def _plain_text(textpage: Any) -> str:
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return ""
    # Twice the room PDFium should need: it may write past the range at excluded characters
    # (crbug.com/pdfium/2079), and it never gets to write outside this buffer.
    buffer = (ctypes.c_ushort * (count * 2 + 2))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    if written <= 1:
        return ""
    return ctypes.string_at(buffer, (written - 1) * 2).decode("utf-16-le", errors="ignore")


def layout_text(handle: Any) -> str:
    """Text placed on a character grid, keeping columns side by side and aligned values aligned.

    Glyphs are grouped into lines by baseline; each glyph goes to the column its position on the
    page gives, measured in the page's typical character width (like `pdftotext -layout`).
    """
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFText_CountChars(handle)
    box = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    glyphs: list[tuple[float, float, float, float, str]] = []  # baseline, x0, x1, font size, char
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(handle, i)
        if code in (0x02, 0xFFFE):  # a hyphen at a line end
            code = 0x2D
        if code <= 32 or code in (0xA0, 0xFEFF) or pdfium_c.FPDFText_IsGenerated(handle, i) == 1:
            continue
        # The loose box spans the glyph's advance (not just its ink), so letters of a word touch.
        if not pdfium_c.FPDFText_GetLooseCharBox(handle, i, box):
            continue
        pdfium_c.FPDFText_GetCharOrigin(handle, i, x, y)
        char = chr(code) if code < 0x110000 and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        size = pdfium_c.FPDFText_GetFontSize(handle, i) or abs(box.top - box.bottom)
        glyphs.append((y.value, min(box.left, box.right), max(box.left, box.right), max(size, 0.1), char))
    if not glyphs:
        return ""
    widths = [g[2] - g[1] for g in glyphs if g[2] > g[1]]
    cell = max(statistics.median(widths) if widths else 5.0, 1.0)
    height = statistics.median(g[3] for g in glyphs)
    glyphs.sort(key=lambda g: -g[0])
    lines: list[list[tuple[float, float, float, float, str]]] = []
    baselines: list[float] = []
    for glyph in glyphs:
        if lines and abs(baselines[-1] - glyph[0]) <= height * 0.5:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
            baselines.append(glyph[0])
    origin = min(g[1] for g in glyphs)
    out: list[str] = []
    previous: float | None = None
    for baseline, line in zip(baselines, lines, strict=True):
        if previous is not None and previous - baseline > height * 2.2:
            out.append("")  # a visible gap between blocks
        previous = baseline
        row: list[str] = []
        edge = None
        for _, x0, x1, size, char in sorted(line, key=lambda g: g[1]):
            gap = x0 - edge if edge is not None else None
            if gap is None or gap > size * 0.8:  # a new block of text: place it where it stands
                column = round((x0 - origin) / cell)
                row.extend(" " * max(column - len(row), 0 if gap is None else 1))
            elif gap > size * 0.12:  # the space between two words
                row.append(" ")
            row.append(char)  # letters of one word follow each other, whatever their widths
            edge = x1
        out.append("".join(row).rstrip())
    return "\n".join(out).rstrip("\n")


def render_page(page: pdfium.PdfPage, dpi: float, grayscale: bool = False) -> Any:
    """The page as a PIL image at `dpi` (form fields drawn), white background."""
    bitmap = page.render(scale=dpi / 72.0, grayscale=grayscale, may_draw_forms=True)
    try:
        return bitmap.to_pil().copy()
    finally:
        bitmap.close()
