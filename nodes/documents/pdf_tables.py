"""PDF Tables: tables printed in a PDF (a statement's transactions, an invoice's lines) into Tables.

Library: pdfplumber (MIT) on pdfminer.six (MIT). Why: it is pure Python (no Java as tabula
needs, no Ghostscript or OpenCV as camelot needs), permissively licensed, well maintained, and
finds both ruled tables (from the drawn lines) and borderless ones (from aligned text). It
works on PDFs with a text layer; scans need OCR first. The file is first opened with PDFium,
so damaged and password-protected files give the same messages as Read PDF.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import (
    DocInput,
    PageSpec,
    check_source,
    parse_pages,
    password_for,
    source_fingerprint,
    source_path,
)
from runtime.api import CachePolicy, Capability, Column, NodeContext, NodeError, NodeType, Table

_STRATEGIES = {"lines": {"vertical_strategy": "lines", "horizontal_strategy": "lines"},
               "text": {"vertical_strategy": "text", "horizontal_strategy": "text"}}
FOUND_COLUMNS = (Column(name="table", type="integer"), Column(name="page", type="integer"),
                 Column(name="rows", type="integer"), Column(name="columns", type="integer"))


class PdfTablesConfig(BaseModel):
    path: str = Field(default="", title="File", description="The PDF file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    pages: PageSpec = Field(default="all", title="Pages",
                       description="Where to look: all, or e.g. 1-3,7 or 2- (to the end) or last")
    strategy: Literal["auto", "lines", "text"] = Field(
        default="auto", title="Find tables by",
        description="lines: tables drawn with lines; text: columns of aligned text without lines; auto: "
                    "lines, or aligned text when no table with lines is found")
    header: bool = Field(default=True, title="First row has column names")
    pick: Literal["all", "first", "largest"] = Field(
        default="all", title="Which tables",
        description="all: every table found, one after the other in 'Table' (for a table that continues "
                    "over several pages); first: the first one; largest: the one with most rows")
    page_column: bool = Field(default=False, title="Add a 'page' column",
                              description="The page each row was found on, as the first column")
    numbers: bool = Field(default=False, title="Detect numbers",
                          description="Turn columns whose values are all numbers (1,234.50 or (12.00)) into "
                                      "numbers; otherwise every value stays text, as printed")
    decimal_separator: Literal[".", ","] = Field(default=".", title="Decimal separator",
                                                 description="',' for amounts printed as 1.234,50")
    password_credential: str = Field(
        default="", title="Password credential",
        description="For password-protected files: the name of a saved credential holding the password",
        json_schema_extra={"widget": "credential"})


class PdfTablesInputs(BaseModel):
    path: DocInput = Field(default=None, title="File", description="Overrides the configured file")


class PdfTablesOutputs(BaseModel):
    table: Table | None = Field(default=None, title="Table",
                                description="The chosen table, or all tables one after the other")
    tables: list[Table] | None = Field(default=None, title="Tables",
                                       description="Each table found, separately")
    found: Table | None = Field(default=None, title="Tables found", description="table, page, rows, columns")


def _names(header: list[str], width: int) -> list[str]:
    names: list[str] = []
    for i in range(width):
        base = " ".join(header[i].split()) if i < len(header) and header[i].strip() else f"column_{i + 1}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _cell(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _number_parser(decimal: str) -> Any:
    group = "," if decimal == "." else "."
    pattern = re.compile(r"^\(?[-+]?\s?(\d{1,3}(" + re.escape(group) + r"\d{3})+|\d+)(" + re.escape(decimal)
                         + r"\d+)?\)?-?$")

    def parse(text: str) -> float | int | None:
        raw = text.replace(" ", "").replace("\u00a0", "")
        for symbol in ("€", "$", "£", "CHF", "EUR", "USD", "GBP"):
            raw = raw.replace(symbol, "")
        if not raw or pattern.match(raw) is None:
            return None
        negative = raw.startswith(("(", "-")) or raw.endswith("-")
        digits = raw.strip("()+-").replace(group, "").replace(decimal, ".")
        value: float | int = float(digits) if "." in digits else int(digits)
        return -value if negative else value

    return parse


def _typed(table: Table, decimal: str) -> Table:
    parse = _number_parser(decimal)
    columns, rows = list(table.columns), [dict(r) for r in table.rows]
    for i, column in enumerate(columns):
        values = [r[column.name] for r in rows if r[column.name] != ""]
        parsed = [parse(v) for v in values]
        if values and all(p is not None for p in parsed):
            for row in rows:
                row[column.name] = parse(row[column.name]) if row[column.name] != "" else None
            kind = "integer" if all(isinstance(p, int) for p in parsed) else "number"
            columns[i] = Column(name=column.name, type=kind)
    return Table(columns, rows)


def _to_table(cells: list[list[Any]], config: PdfTablesConfig) -> Table | None:
    grid = [[_cell(v) for v in row] for row in cells]
    grid = [row for row in grid if any(row)]
    if not grid:
        return None
    width = max(len(r) for r in grid)
    header = grid.pop(0) if config.header else []
    names = _names(header, width)
    rows = [dict(zip(names, row + [""] * (width - len(row)), strict=True)) for row in grid]
    table = Table([Column(name=n, type="text") for n in names], rows)
    return _typed(table, config.decimal_separator) if config.numbers else table


def _find(path: Path, config: PdfTablesConfig, password: str | None, stop: Stop) -> list[tuple[int, Table]]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    from nodes.documents._pdfium import PDFIUM_LOCK, open_pdf

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns about every small defect

    with open_pdf(path, password, config.password_credential.strip()) as doc, PDFIUM_LOCK:
        count = len(doc)  # PDFium names damaged and locked files as Read PDF does
    indexes = parse_pages(config.pages, count, path.name)
    strategies = ["lines", "text"] if config.strategy == "auto" else [config.strategy]
    try:
        with pdfplumber.open(str(path), password=password or "") as pdf:
            if len(pdf.pages) != count:
                raise NodeError(f"cannot read the tables of {path}: the file is damaged (its pages cannot "
                                "all be found)")
            for strategy in strategies:
                found: list[tuple[int, Table]] = []
                for index in indexes:
                    stop.check()
                    page = pdf.pages[index]
                    for cells in page.extract_tables(_STRATEGIES[strategy]):
                        table = _to_table(cells, config)
                        if table is not None:
                            found.append((index + 1, table))
                    page.close()
                    if found and config.pick == "first":
                        break
                if found:
                    return found
    except PdfminerException as exc:
        detail = exc.args[0] if exc.args else exc
        raise NodeError(f"cannot read the tables of {path}: the file is damaged ({detail})") from None
    return []


def _stack(found: list[tuple[int, Table]], page_column: bool) -> Table:
    names: list[str] = ["page"] if page_column else []
    types: dict[str, str] = {"page": "integer"}
    rows: list[dict[str, Any]] = []
    for page, table in found:
        for column in table.columns:
            if column.name not in types:
                names.append(column.name)
                types[column.name] = column.type
            elif types[column.name] != column.type:
                types[column.name] = "any"
        for row in table.rows:
            rows.append({"page": page, **row} if page_column else row)
    columns = [Column(name=n, type=types[n]) for n in names]  # type: ignore[arg-type]
    return Table(columns, [{n: r.get(n, "") for n in names} for r in rows])


class PdfTables(NodeType):
    type_id = "documents.pdf_tables"
    title = "PDF Tables"
    category = "Documents"
    description = ("Takes the tables printed in a PDF, such as the transactions of a bank statement or "
                   "the lines of an invoice, and turns them into tables you can filter or save to Excel.")
    keywords = ("pdf", "table", "extract", "statement", "invoice lines", "grid", "rows", "columns")
    icon = "table"
    capabilities = frozenset({Capability.FILES_READ, Capability.CREDENTIALS})
    cache = CachePolicy.FINGERPRINT
    Config = PdfTablesConfig
    Inputs = PdfTablesInputs
    Outputs = PdfTablesOutputs

    def fingerprint(self, ctx: NodeContext, config: PdfTablesConfig, inputs: PdfTablesInputs) -> str | None:
        return source_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: PdfTablesConfig,
                  inputs: PdfTablesInputs) -> PdfTablesOutputs:
        path = source_path(ctx, config.path, inputs.path)
        check_source(path, {"pdf"}, "a PDF file")
        password = password_for(ctx, config.password_credential)
        found = await offload(lambda stop: _find(path, config, password, stop), size=1, limit=0)
        if not found:
            ctx.log.warning("no tables found in %s (a scanned PDF has no text to find them in)", path.name)
            return PdfTablesOutputs(table=Table([], []), tables=[], found=Table(FOUND_COLUMNS, []))
        if config.pick == "first":
            found = found[:1]
        elif config.pick == "largest":
            found = [max(found, key=lambda item: len(item[1]))]
        summary = [{"table": i, "page": page, "rows": len(t), "columns": len(t.columns)}
                   for i, (page, t) in enumerate(found, 1)]
        ctx.log.info("found %d table%s in %s", len(found), "s" if len(found) != 1 else "", path.name)
        return PdfTablesOutputs(table=_stack(found, config.page_column), tables=[t for _, t in found],
                                found=Table(FOUND_COLUMNS, summary))
