"""The parts of an .xlsx/.xlsm package a sheet reader needs, read without loading any sheet.

Why our own reader rather than calamine for these files: calamine loads a whole sheet into
memory before the first row comes out (python-calamine cannot stream, dimastbk/python-calamine
#42), ~11× the file's size before a single Python value exists. Reading the package ourselves
lets `_ooxml_sheet` stream the sheet XML in small blocks and build the table's columns
directly, in about the memory of the values themselves. calamine still reads .xls, .xlsb and
.ods. This module reads the workbook part (sheets, their order, visibility and kind, the 1904
date system, defined names), the shared strings, the cell styles that make a number a date,
and the Excel tables (ListObjects) of each sheet.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from nodes._shared.offload import Stop
from nodes.spreadsheet._cells import Area, parse_area

__all__ = ["DateKind", "OoxmlBook", "SheetInfo", "TableInfo", "element_text", "format_kind", "name_area",
           "prefix_of", "runs_text", "unescape"]

_MAIN = ("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}",
         "{http://purl.oclc.org/ooxml/spreadsheetml/main}", "")
_REL_ID = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
           "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
_CHUNK = 256 * 1024


class DateKind:
    """What a cell style's number format makes of a number."""

    NONE, DATE, TIME, DURATION = 0, 1, 2, 3


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str | None
    """The zip member holding the sheet (None: it could not be found)."""
    kind: str
    """"worksheet", "chartsheet", "dialogsheet" or "macrosheet"."""
    visible: bool


@dataclass(frozen=True)
class TableInfo:
    """An Excel table: its data rows (header and totals rows left out) and column names."""

    name: str
    sheet: str
    data: Area | None
    """None when the table has a header row only."""
    columns: list[str]


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ESCAPED = re.compile(r"_x(D[89ABab][0-9A-Fa-f]{2})__x(D[C-Fc-f][0-9A-Fa-f]{2})_|_x([0-9A-Fa-f]{4})_")


_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_SPACE = " \t\n\r"


def element_text(attributes: str, raw: str) -> str:
    """The text of a <t> element as Excel reads it: entities and CDATA sections undone, leading
    and trailing white space dropped unless the element says xml:space="preserve", then
    Excel's own _xHHHH_ escapes undone (so an escaped line end at either end is kept)."""
    if "<![CDATA[" in raw:
        parts = _CDATA.split(raw)
        text = "".join(_xml_unescape(part) if i % 2 == 0 else part for i, part in enumerate(parts))
    else:
        text = _xml_unescape(raw)
    if "preserve" not in attributes:
        text = text.strip(_SPACE)
    return _ESCAPED.sub(_escaped, text) if "_x" in text else text


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED[name]
    try:
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    except (ValueError, OverflowError):
        return match.group(0)


def _escaped(match: re.Match[str]) -> str:
    if match.group(1):  # a character beyond the BMP, written as its two UTF-16 halves
        high, low = int(match.group(1), 16), int(match.group(2), 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    code = int(match.group(3), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone half stays as written


def _xml_unescape(text: str) -> str:
    if "\r" in text:  # line ends written as such, as an XML parser reads them (&#13; stays a CR)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return text


def excel_unescape(text: str) -> str:
    """Excel's own _xHHHH_ escapes undone (in text an XML parser has already read)."""
    return _ESCAPED.sub(_escaped, text) if "_x" in text else text


def unescape(text: str) -> str:
    """Cell text as Excel shows it: XML entities, line ends and Excel's _xHHHH_ escapes undone."""
    if "&" not in text and "\r" not in text and "_x" not in text:
        return text
    text = _xml_unescape(text)
    return _ESCAPED.sub(_escaped, text) if "_x" in text else text


def _children(element: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    tags = {prefix + tag for prefix in _MAIN}
    return [e for e in element.iter() if e.tag in tags]


_BUILTIN_DATES = {**dict.fromkeys([*range(14, 18), 22, *range(27, 37), *range(50, 59)], DateKind.DATE),
                  **dict.fromkeys([18, 19, 20, 21, 45, 47], DateKind.TIME), 46: DateKind.DURATION}
_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKET = re.compile(r"\[([^\]]*)\]")


@lru_cache(maxsize=512)
def format_kind(code: str) -> int:
    """Whether a number format code shows a date, a time of day or a duration ([h]:mm)."""
    first = code.split(";", 1)[0]
    bare = _QUOTED.sub("", first)
    if any(len(set(b.lower())) == 1 and b[0].lower() in "hms" for b in _BRACKET.findall(bare)):
        return DateKind.DURATION
    bare = _BRACKET.sub("", bare).lower().replace("general", "")
    if any(ch in bare for ch in "dy"):
        return DateKind.DATE
    if any(ch in bare for ch in "hs") or ("m" in bare and ":" in bare):
        return DateKind.TIME
    if "m" in bare and not any(ch in bare for ch in "0#?"):
        return DateKind.DATE
    return DateKind.NONE


class OoxmlBook:
    """An open .xlsx/.xlsm/.xltx/.xltm package (use as a context manager).

    Raises zipfile.BadZipFile, KeyError, ElementTree.ParseError or ValueError on a damaged
    package; the caller turns them into a message naming the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        try:
            # Some writers use backslashes or another case in member names; calamine and Excel
            # accept them, so parts are looked up by their normalised name.
            self._names = {n.replace("\\", "/").lower(): n for n in self.zip.namelist()}
            self.workbook_part = self._workbook_from_rels() if "_rels/.rels" in self._names \
                else "xl/workbook.xml"
            root = self._root(self.workbook_part)
            self._rels = self._relationships(self.workbook_part)
            pr = next(iter(_children(root, "workbookPr")), None)
            self.date1904 = pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")
            self.sheets = [self._sheet(e) for e in _children(root, "sheet")]
            self.defined_names: dict[str, tuple[str, int | None]] = {}
            for element in _children(root, "definedName"):
                name, local = element.get("name") or "", element.get("localSheetId")
                if name and not name.startswith("_xlnm."):
                    self.defined_names.setdefault(name, ((element.text or "").strip(),
                                                         int(local) if local and local.isdigit() else None))
        except BaseException:
            self.zip.close()
            raise
        self._strings: list[str] | None = None
        self._date_styles: list[int] | None = None

    def __enter__(self) -> OoxmlBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    # -- package structure -------------------------------------------------------------------

    def _root(self, part: str) -> ElementTree.Element:
        with self.open(part) as handle:
            return ElementTree.parse(handle).getroot()

    def open(self, part: str) -> IO[bytes]:
        """A part of the package by its name (any case, either slash), for reading."""
        return self.zip.open(self._names[part.lower()])

    def has(self, part: str | None) -> bool:
        return part is not None and part.lower() in self._names

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type's last word, zip member) of a part (empty when it has none)."""
        rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        if not self.has(rels):
            return {}
        found = {}
        for rel in self._root(rels):
            target = rel.get("Target", "").replace("\\", "/")
            if rel.get("TargetMode") == "External" or not target:
                continue
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(part), target))
            found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], member)
        return found

    def _workbook_from_rels(self) -> str:
        for rel in self._root("_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").replace("\\", "/").lstrip("/")
                if self.has(target):
                    return target
        if self.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise ValueError("the package has no workbook part")

    def _sheet(self, element: ElementTree.Element) -> SheetInfo:
        rel = next((element.get(a) for a in _REL_ID if element.get(a)), None)
        part = self._rels.get(rel or "", ("", ""))[1]
        part = part if self.has(part) else None
        folder = posixpath.basename(posixpath.dirname(part or ""))
        kind = {"chartsheets": "chartsheet", "dialogsheets": "dialogsheet",
                "macrosheets": "macrosheet"}.get(folder, "worksheet")
        return SheetInfo(element.get("name") or "", part, kind, element.get("state", "visible") == "visible")

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> SheetInfo:
        return next(s for s in self.sheets if s.name == name)

    def _part_of(self, kind: str) -> str | None:
        """The workbook's related part of a type ("styles", "sharedStrings"), if it has one."""
        return next((m for t, m in self._rels.values() if t == kind and self.has(m)), None)

    # -- styles and strings --------------------------------------------------------------------

    def date_styles(self) -> list[int]:
        """For each cell style index (a cell's `s`), its DateKind."""
        if self._date_styles is None:
            part = self._part_of("styles")
            kinds: list[int] = []
            if part is not None:
                root = self._root(part)
                custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "")
                          for f in _children(root, "numFmt")}
                for xfs in _children(root, "cellXfs"):
                    for xf in xfs:
                        number = int(xf.get("numFmtId", "0") or 0)
                        kinds.append(format_kind(custom[number]) if number in custom
                                     else _BUILTIN_DATES.get(number, DateKind.NONE))
            self._date_styles = kinds
        return self._date_styles

    def shared_strings(self, stop: Stop) -> list[str]:
        """The shared string table, streamed in blocks (rich text runs joined, phonetic runs left out)."""
        if self._strings is None:
            part = self._part_of("sharedStrings")
            self._strings = [] if part is None else _read_strings(self.open(part), stop)
        return self._strings

    def tables(self) -> list[TableInfo]:
        """The Excel tables of every worksheet."""
        found = []
        for sheet in self.sheets:
            if sheet.part is None:
                continue
            for kind, member in self._relationships(sheet.part).values():
                if kind != "table" or not self.has(member):
                    continue
                root = self._root(member)
                name = root.get("displayName") or root.get("name") or ""
                area = parse_area(root.get("ref", "A1"))
                top = area.first_row + int(root.get("headerRowCount", "1") or 0)
                bottom = (area.last_row or top) - int(root.get("totalsRowCount", "0") or 0)
                data = None if bottom < top else Area(top, area.first_column, bottom, area.last_column,
                                                      sheet.name)
                columns = [excel_unescape(c.get("name") or "") for c in _children(root, "tableColumn")]
                found.append(TableInfo(name, sheet.name, data, columns))
        return found


_SI = re.compile(r"<(?:\w+:)?si\s*>(?:<(?:\w+:)?t(\s[^>]*)?>([^<]*)</(?:\w+:)?t\s*>)?</(?:\w+:)?si\s*>"
                 r"|<(?:\w+:)?si\s*/>|<(?:\w+:)?si\s*>(.*?)</(?:\w+:)?si\s*>", re.S)
PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh\s*>", re.S)
TEXT = re.compile(r"<(?:\w+:)?t(\s[^>]*?)?(/)?>(?(2)|(.*?)</(?:\w+:)?t\s*>)", re.S)


def runs_text(body: str) -> str | None:
    """The text of rich text (runs of <t> elements, phonetic guides left out); None: no <t>."""
    parts = TEXT.findall(PHONETIC.sub("", body)) if "rPh" in body else TEXT.findall(body)
    return "".join(element_text(attributes, raw) for attributes, _, raw in parts) if parts else None


def prefix_of(data: str, root: str) -> str:
    """The namespace prefix ("" or "x:") the part's root element `root` is written with."""
    found = re.search(r"<(\w+:)?" + root + r"\b", data)
    return (found.group(1) or "") if found else ""


def _read_strings(opened: IO[bytes], stop: Stop) -> list[str]:
    strings: list[str] = []
    add = strings.append
    with opened as handle:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two reads
        carry, close = "", ""
        while True:
            chunk = handle.read(_CHUNK)
            stop.check()
            end = not chunk
            data = carry + decoder.decode(chunk, final=end)
            close = close or f"</{prefix_of(data, 'sst')}si"
            cut = len(data) if end else data.rfind(close)
            if cut < 0:
                carry = data
                continue
            if not end:
                cut = data.index(">", cut) + 1 if ">" in data[cut:] else cut
            block, carry = data[:cut], data[cut:]
            for attributes, plain, rich in _SI.findall(block):
                add(runs_text(rich) or "" if rich else element_text(attributes, plain))
            if end:
                break
    return strings


def name_area(name: str, formula: str) -> Area:
    """The single rectangle a defined name refers to (ValueError when it is anything else)."""
    text = formula.lstrip("=").strip()
    if not text or "#REF!" in text:
        raise ValueError(f"the name '{name}' refers to cells that no longer exist ({text or 'nothing'})")
    if "," in re.sub(r"'[^']*'", "", text) or "(" in text:
        raise ValueError(f"the name '{name}' is not a single range ({text}); read its sheet and range "
                         "instead")
    try:
        return parse_area(text)
    except ValueError:
        raise ValueError(f"the name '{name}' is not a range of cells ({text})") from None
