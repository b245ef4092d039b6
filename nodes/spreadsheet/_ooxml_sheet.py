"""Streaming one worksheet of an .xlsx/.xlsm package into columns of typed values.

The sheet's XML is inflated in blocks of whole rows and its cells are matched with one
regular expression (the common shapes — a value, an inline string, an empty styled cell —
without any per-cell parsing; anything else, such as a formula, rich text or attributes in
an unusual order, goes through a careful path). Values land straight in one list per column,
so memory holds the values and little else; there are never row lists or a whole-sheet copy.

Cell values come out as Table values: empty → None, whole numbers → int, numbers in a date
style → date / datetime (a time of day or a duration as text, as Excel shows it), shared
and inline strings → str, booleans → bool, error cells → their text (#N/A) and listed.
Formula cells without a stored result are listed so that the caller can say so or have
LibreOffice recalculate; their value is None.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from array import array
from collections.abc import Iterator, MutableSequence, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from nodes._shared.offload import Stop
from nodes.spreadsheet._cells import (
    MAX_COLUMNS,
    MAX_ROWS,
    Area,
    cell_name,
    column_index,
    column_letter,
    parse_area,
)
from nodes.spreadsheet._columns import ColumnBuilder
from nodes.spreadsheet._ooxml_book import OoxmlBook, SheetInfo, element_text, prefix_of, runs_text, unescape

__all__ = ["SheetCells", "read_cells"]

_CHUNK = 128 * 1024
_POOL_CHECK = 4096


@dataclass
class SheetCells:
    """The cells of a worksheet (or an area of it) by column; rows without values are left out."""

    columns: dict[int, Sequence[Any]]
    """Sheet column (1-based) → its values by row position, as long as `row_numbers`."""
    row_numbers: MutableSequence[int] = field(default_factory=lambda: array("i"))
    """The sheet row of each position (an int array: 4 bytes a row rather than 36)."""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) → the error the cell shows (#N/A, #DIV/0!)."""
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) → the formula of a cell that has no stored result."""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged areas as (first_row, first_column, last_row, last_column)."""


@lru_cache(maxsize=8)
def _patterns(prefix: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The fast cell pattern (r first, plain <v> or <is><t> bodies), the careful one, rows."""
    p = re.escape(prefix)
    fast = re.compile(rf'<{p}c r="([A-Z]+)(\d+)"([^>/]*)(?:>(?:<{p}v>([^<]*)</{p}v>|<{p}is><{p}t>([^<]*)'
                      rf'</{p}t></{p}is>|(.*?))</{p}c>|/>)', re.S)
    careful = re.compile(rf"<{p}c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
    row = re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S)
    return fast, careful, row


_ATTR = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_FORMULA = re.compile(r"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(r"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_MERGE = re.compile(r"""<(?:\w+:)?mergeCell\s[^>]*?ref\s*=\s*["']([^"']+)["']""")
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")


def _attributes(text: str) -> dict[str, str]:
    return {k.rsplit(":", 1)[-1]: a or b for k, a, b in _ATTR.findall(text)}


class _Careful:
    """Cell types and the unusual cell shapes: formulas, rich inline text, odd attributes."""

    def __init__(self, strings: list[str], date_styles: list[int], cells: SheetCells) -> None:
        self.strings, self.date_styles, self.cells = strings, date_styles, cells
        self.kinds: dict[str, tuple[str, int]] = {}

    def kind(self, attributes: str) -> tuple[str, int]:
        """(cell type, DateKind of its style) for a cell's attribute text (remembered)."""
        found = self.kinds.get(attributes)
        if found is None:
            attrs = _attributes(attributes)
            style = attrs.get("s", "")
            styles = self.date_styles
            date = styles[int(style)] if style.isdigit() and int(style) < len(styles) else 0
            found = self.kinds[attributes] = (attrs.get("t") or "n", date)
        return found

    def value(self, row: int, column: int, kind: str, date: int, body: str) -> Any:
        formula = _FORMULA.search(body) if "f" in body else None
        found = _VALUE.search(body)
        raw = found.group(1) if found and found.group(1) is not None else None
        if kind == "inlineStr":
            return runs_text(body) or None
        if formula is not None and (raw is None or (raw == "" and kind not in ("str", "s"))):
            text = unescape(formula.group(2) or "")
            self.cells.uncalculated[(row, column)] = "=" + text if text else "(shared formula)"
            return None
        if raw is None or (raw == "" and kind != "str"):
            return None
        return self.typed(row, column, kind, date, raw)

    def typed(self, row: int, column: int, kind: str, date: int, raw: str) -> Any:
        raw = raw.strip() if kind not in ("str", "inlineStr") else raw
        try:
            if kind == "n":
                number = float(raw)
                return (number, date) if date else number
            if kind == "s":
                index = int(raw)
                if index < 0:
                    raise IndexError
                return self.strings[index] or None
            if kind == "b":
                return raw.lower() in ("1", "true")
            if kind == "e":
                self.cells.errors[(row, column)] = unescape(raw)
                return unescape(raw)
            if kind == "d":
                return _iso_date(raw)
        except (ValueError, IndexError):
            raise ValueError(f"cell {cell_name(row, column)} holds '{raw[:40]}', which is not a valid "
                             f"{'string number' if kind == 's' else 'value'} for its type") from None
        return unescape(raw) or None


def _iso_date(text: str) -> Any:
    if ":" in text and "-" not in text.split(":")[0]:  # a time of day only
        return dt.time.fromisoformat(text.replace("Z", "")).isoformat()
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if "T" not in text and " " not in text:
        return value.date()
    if text.startswith(("1899-12-30", "1899-12-31", "1904-01-01")) and (value.hour or value.minute
                                                                        or value.second):
        return value.time().isoformat()
    return value


def _careful_items(block: str, cell: re.Pattern[str], row: re.Pattern[str],
                   last_row: int) -> tuple[list[tuple[str, str, str, str, str, str]], int]:
    """The cells of a block in the fast pattern's shape, for blocks it does not fit (cells or
    rows without a position, attributes in another order, comments): every cell's body is
    handed on. A row without `r` takes its first cell's row, else the row after the last."""
    items = []
    for row_attributes, row_body in row.findall(block):
        number_text = _attributes(row_attributes).get("r", "")
        number = int(number_text) if number_text.isdigit() else None
        column = 0
        for attributes, body in cell.findall(row_body or ""):
            attrs = _attributes(attributes)
            ref = _REF.fullmatch(attrs.get("r", "").strip().upper())
            column = column_index(ref.group(1)) if ref else column + 1
            if number is None:
                number = int(ref.group(2)) if ref else last_row + 1
            plain = " ".join(f'{k}="{v}"' for k, v in sorted(attrs.items()) if k in ("s", "t"))
            items.append((column_letter(column), str(number), plain, "", "", body or "<v/>"))
        last_row = number if number is not None else last_row + 1
    return items, last_row


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_UNNUMBERED = re.compile(r"<(?:\w+:)?row(?=[\s/>])(?![^>]*\br\s*=)")


class _Blocks:
    """The <sheetData> of a sheet part as text blocks of whole rows, decoded as UTF-8 across
    block edges; `tail` is what follows it (merged areas)."""

    def __init__(self, handle: Any, stop: Stop) -> None:
        self.handle, self.stop = handle, stop
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.prefix = ""
        self.tail = ""

    def _read(self) -> tuple[str, bool]:
        chunk = self.handle.read(_CHUNK)
        self.stop.check()
        return self.decoder.decode(chunk, final=not chunk), not chunk

    def __iter__(self) -> Iterator[str]:
        data, end = self._read()
        self.prefix = prefix_of(data, "worksheet")
        opening, closing = f"<{self.prefix}sheetData", f"</{self.prefix}sheetData>"
        row_close, row_open = f"</{self.prefix}row>", f"<{self.prefix}row"
        while (at := data.find(opening)) < 0:
            if end:
                raise ValueError("the sheet has no cells part (sheetData): the file is damaged")
            more, end = self._read()
            data = data[-len(opening):] + more
        data = data[at + len(opening):]
        if data.lstrip().startswith("/>"):  # <sheetData/>: no cells
            self.tail = data
            return
        while True:
            finish = data.find(closing)
            if finish >= 0:
                self.tail = data[finish:]
                yield data[:finish]
                return
            if end:
                raise ValueError("the sheet's cells end before they should: the file was cut short")
            cut = data.rfind(row_close)
            if cut >= 0:
                cut += len(row_close)
            else:  # only rows without cells (<row r="5"/>) so far: cut after the last of them
                last = data.rfind(row_open)
                close = data.find(">", last)
                cut = close + 1 if last >= 0 and close > 0 and data[close - 1] == "/" else 0
            if cut:
                yield data[:cut]
                data = data[cut:]
            more, end = self._read()
            data += more

    def rest(self) -> Iterator[str]:
        """The text after the cells, read to the end of the part."""
        yield self.tail
        while True:
            text, end = self._read()
            if text:
                yield text
            if end:
                return


def read_cells(book: OoxmlBook, sheet: SheetInfo, area: Area | None, stop: Stop, *,
               merged: bool = False) -> SheetCells:
    """The values of a worksheet (or of `area`) by column, streamed from the package.

    Raises ValueError (with the cell named) on a value its type cannot hold or a damaged
    sheet; the caller adds the file's name.
    """
    if sheet.part is None:
        raise ValueError(f"the sheet '{sheet.name}' is missing from the package: the file is damaged")
    cells = SheetCells({})
    strings = book.shared_strings(stop)
    careful = _Careful(strings, book.date_styles(), cells)
    kinds = careful.kinds
    shift = 1462 if book.date1904 else 0
    r0, c0 = (area.first_row, area.first_column) if area else (1, 1)
    r1 = area.last_row or MAX_ROWS if area else MAX_ROWS
    c1 = area.last_column or MAX_COLUMNS if area else MAX_COLUMNS
    row_numbers = cells.row_numbers
    builders: dict[int, ColumnBuilder] = {}
    letter_columns: dict[str, int] = {}
    targets: dict[str, list[Any] | None] = {}  # column letters → this block's values (None: outside)
    pools: dict[str, dict[str, str] | None] = {}  # column letters → one object per repeated text
    pos, current, row_no, skip_row, row_open, last_seen, start = -1, "", 0, False, False, 0, 0
    with book.open(sheet.part) as handle:
        blocks = _Blocks(handle, stop)
        fast, counting = None, False
        for block in blocks:
            if fast is None:
                fast, careful_cell, row_re = _patterns(blocks.prefix)
                cell_open = f"<{blocks.prefix}c"
                row_tag, numbered_tag = f"<{blocks.prefix}row", f'<{blocks.prefix}row r="'
            if "<!--" in block:
                block = _COMMENT.sub("", block)
            items = [] if counting else fast.findall(block)
            counting = counting or (block.count(row_tag) != block.count(numbered_tag)  # rows without r:
                                    and _UNNUMBERED.search(block) is not None)  # count them
            if counting or block.count(cell_open) != len(items):
                items, last_seen = _careful_items(block, careful_cell, row_re, last_seen)
            done = False
            for letters, rnum, attributes, v, inline, body in items:
                if rnum != current:
                    current, row_no, row_open = rnum, int(rnum), False
                    if row_no > r1:
                        done = True
                        break
                    skip_row = row_no < r0
                if skip_row:
                    continue
                values = targets.get(letters, targets)
                if values is targets:
                    column = letter_columns[letters] = column_index(letters)
                    values = targets[letters] = [] if c0 <= column <= c1 else None
                if values is None:
                    continue
                kind, date = kinds.get(attributes) or careful.kind(attributes)
                if body:
                    value = careful.value(row_no, letter_columns[letters], kind, date, body)
                    if value is None:
                        continue
                elif kind == "n":
                    if not v:
                        continue
                    try:
                        value = float(v)
                    except ValueError:
                        value = careful.typed(row_no, letter_columns[letters], "n", 0, v)
                    if date:
                        value = (value, date)
                elif kind == "s":
                    if not v:
                        continue
                    try:
                        value = strings[int(v)]
                        if v[0] == "-":
                            raise IndexError
                    except (ValueError, IndexError):
                        value = careful.typed(row_no, letter_columns[letters], "s", 0, v)
                    if not value:
                        continue
                elif kind == "inlineStr" or kind == "str":
                    if kind == "str":
                        value = unescape(v)
                    elif "&" in inline or "_x" in inline or "\r" in inline:
                        value = element_text("", inline)
                    else:  # a plain <t>: leading and trailing white space is not kept
                        value = inline.strip(" \t\n\r")
                    if not value:
                        continue
                    pool = pools.get(letters, pools)
                    if pool is not None:
                        if pool is pools:
                            pool = pools[letters] = {}
                        shared = pool.get(value)  # type: ignore[union-attr]
                        if shared is not None:
                            value = shared
                        else:
                            pool[value] = value  # type: ignore[index]
                            if len(pool) > _POOL_CHECK and len(pool) * 2 > pos:  # mostly unique: stop
                                pools[letters] = None
                else:
                    if not v:
                        continue
                    value = careful.typed(row_no, letter_columns[letters], kind, date, v)
                if not row_open:
                    pos += 1
                    row_numbers.append(row_no)
                    row_open = True
                at = pos - start
                if len(values) != at:
                    if len(values) < at:
                        values.extend([None] * (at - len(values)))
                    else:  # the same cell twice: the last one counts, as in Excel
                        del values[at:]
                values.append(value)
            for letters, values in targets.items():
                if values:
                    column = letter_columns[letters]
                    builder = builders.get(column)
                    if builder is None:
                        builder = builders[column] = ColumnBuilder(shift)
                    builder.add(start, values)
            targets.clear()
            start = pos + 1
            if row_no and not counting:
                last_seen = max(last_seen, row_no)
            if done:
                break
        if merged:
            cells.merged = _merged_areas(blocks.rest(), stop)
    for column, builder in sorted(builders.items()):
        cells.columns[column] = builder.finish(pos + 1)
    if any(a >= b for a, b in pairwise(cells.row_numbers)):
        _sort_rows(cells)
    return cells


def _sort_rows(cells: SheetCells) -> None:
    """Rows written out of order (or one row written twice) put in sheet order, as Excel shows
    them; for a cell given twice the later value counts."""
    rows = cells.row_numbers
    order = sorted(range(len(rows)), key=rows.__getitem__)
    every = sorted(set(rows))
    where = {row: i for i, row in enumerate(every)}
    for column, values in cells.columns.items():
        placed: list[Any] = [None] * len(every)
        for i in order:
            if values[i] is not None:
                placed[where[rows[i]]] = values[i]
        cells.columns[column] = placed
    cells.row_numbers = array("i", every)


def _merged_areas(texts: Iterator[str], stop: Stop) -> list[tuple[int, int, int, int]]:
    """The merged areas listed after the sheet's cells."""
    refs: dict[str, None] = {}
    text = ""
    for more in texts:
        stop.check()
        text = text[-512:] + more
        for ref in _MERGE.findall(text):
            refs[ref] = None
    found = []
    for ref in refs:
        area = parse_area(ref)
        found.append((area.first_row, area.first_column, area.last_row or area.first_row,
                      area.last_column or area.first_column))
    return found
