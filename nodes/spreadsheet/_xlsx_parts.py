"""Looking inside .xlsx/.xlsm packages where calamine gives no answer.

calamine reads cached values only: a formula cell that was never calculated (a file written
by openpyxl or another library) reads as empty, and an error cell (#N/A, #DIV/0!) reads as
empty too. `scan_sheet` finds both by streaming the sheet's XML in chunks (memory stays
flat however large the sheet), so that the reader can report or fix them instead of
returning None. `defined_names` reads the workbook's named ranges (calamine has no API).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from nodes._shared.offload import Stop
from nodes.spreadsheet._cells import Area, parse_area, parse_cell

__all__ = ["SheetScan", "defined_names", "scan_sheet", "sheet_part"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_REL_ID = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
           "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
_CHUNK = 4 * 1024 * 1024


@dataclass
class SheetScan:
    """Formula cells without a stored result, and error cells, of one sheet (1-based positions)."""

    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) → the formula text."""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) → the error shown in the cell, e.g. "#DIV/0!"."""


def _root(zf: zipfile.ZipFile, name: str) -> ElementTree.Element:
    with zf.open(name) as handle:
        return ElementTree.parse(handle).getroot()


def _children(element: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    return [e for e in element.iter() if e.tag in (_MAIN + tag, _STRICT + tag, tag)]


def _workbook_part(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    for candidate in ("xl/workbook.xml", "xl/workbook.bin"):
        if candidate in names:
            return candidate
    raise ValueError("the package has no workbook part")


def sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member that holds the named worksheet, or None when it cannot be told."""
    workbook = _workbook_part(zf)
    rels_name = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    try:
        targets = {rel.get("Id"): rel.get("Target", "") for rel in _root(zf, rels_name)}
        sheets = _children(_root(zf, workbook), "sheet")
    except (KeyError, ElementTree.ParseError):
        return None
    for sheet in sheets:
        if sheet.get("name") != sheet_name:
            continue
        target = next((targets.get(sheet.get(attr)) for attr in _REL_ID if sheet.get(attr)), None)
        if not target:
            return None
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(workbook), target))
        return path if path in zf.namelist() else None
    return None


def defined_names(path: Path) -> dict[str, tuple[str, int | None]]:
    """Named ranges of an .xlsx/.xlsm file: name → (what it refers to, local sheet index or None)."""
    with zipfile.ZipFile(path) as zf:
        root = _root(zf, _workbook_part(zf))
    found: dict[str, tuple[str, int | None]] = {}
    for element in _children(root, "definedName"):
        name = element.get("name") or ""
        local = element.get("localSheetId")
        if name and not name.startswith("_xlnm."):
            found.setdefault(name, ((element.text or "").strip(), int(local) if local else None))
    return found


def name_area(name: str, formula: str) -> Area:
    """The single rectangle a defined name refers to (ValueError when it is anything else)."""
    text = formula.lstrip("=").strip()
    if not text or "#REF!" in text:
        raise ValueError(f"the name '{name}' refers to cells that no longer exist ({text or 'nothing'})")
    if "," in text.replace("',", "").split("!")[-1] or "(" in text:
        raise ValueError(f"the name '{name}' is not a single range ({text}); read its sheet and range "
                         "instead")
    try:
        return parse_area(text)
    except ValueError:
        raise ValueError(f"the name '{name}' is not a range of cells ({text})") from None


def _cells(block: bytes, prefix: bytes, scan: SheetScan) -> None:
    """Record the uncalculated formula cells and error cells of a run of whole <row> elements."""
    cell_open, cell_close = b"<" + prefix + b"c", b"</" + prefix + b"c>"
    value = re.compile(rb"<" + re.escape(prefix) + rb"v\s*(/>|>(.*?)</" + re.escape(prefix) + rb"v>)", re.S)
    p = re.escape(prefix)
    formula = re.compile(rb"<" + p + rb"f\b[^>]*?(?:/>|>(.*?)</" + p + rb"f>)", re.S)
    hits = set()
    for pattern in (rb"<" + re.escape(prefix) + rb"f[\s>/]", rb't\s*=\s*"e"'):
        for match in re.finditer(pattern, block):
            start = block.rfind(cell_open, 0, match.start() + 1)
            after = start + len(cell_open)
            while start >= 0 and block[after:after + 1] not in (b" ", b"\t", b"\n", b"\r"):
                start = block.rfind(cell_open, 0, start)
                after = start + len(cell_open)
            if start >= 0:
                hits.add(start)
    for start in sorted(hits):
        head_end = block.find(b">", start)
        head = block[start:head_end + 1]
        ref = re.search(rb'\br\s*=\s*"([A-Za-z]+\d+)"', head)
        if ref is None or head.endswith(b"/>"):
            continue
        end = block.find(cell_close, head_end)
        body = block[head_end + 1:end if end >= 0 else len(block)]
        kind = re.search(rb'\bt\s*=\s*"(\w+)"', head)
        kind_text = kind.group(1) if kind else b"n"
        cached = value.search(body)
        where = parse_cell(ref.group(1).decode())
        if kind_text == b"e" and cached and cached.group(2):
            scan.errors[where] = cached.group(2).decode("utf-8", "replace").strip()
            continue
        written = formula.search(body)
        if written is None:
            continue
        has_value = cached is not None and (bool(cached.group(2)) or kind_text in (b"str", b"inlineStr"))
        if not has_value:
            text = (written.group(1) or b"").decode("utf-8", "replace")
            scan.uncalculated[where] = "=" + _unescape(text) if text else "(shared formula)"


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


def scan_sheet(path: Path, sheet_name: str, stop: Stop) -> SheetScan:
    """Uncalculated formulas and error cells of one worksheet of an .xlsx/.xlsm file."""
    scan = SheetScan()
    with zipfile.ZipFile(path) as zf:
        part = sheet_part(zf, sheet_name)
        if part is None or not part.endswith(".xml"):
            return scan
        with zf.open(part) as handle:
            carry, prefix = b"", None
            while True:
                chunk = handle.read(_CHUNK)
                stop.check()
                data = carry + chunk
                if prefix is None:
                    found = re.search(rb"<(\w+:)?worksheet\b", data)
                    prefix = found.group(1) or b"" if found else b""
                row_end = b"</" + prefix + b"row>"
                cut = len(data) if not chunk else data.rfind(row_end)
                if cut < 0:
                    carry = data
                    continue
                if chunk:
                    cut += len(row_end)
                block, carry = data[:cut], data[cut:]
                if b"<" + prefix + b"f" in block or b'"e"' in block:
                    _cells(block, prefix, scan)
                if not chunk:
                    break
    return scan
