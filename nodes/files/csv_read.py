"""Read CSV: reads a CSV file into a table, detecting its encoding and delimiter."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from nodes.files._common import PathInput, check_encoding, decode_text, os_error, pick_path, read_bytes
from nodes.files._csv_format import check_delimiter, infer_columns, sniff_delimiter
from runtime.api import CachePolicy, Capability, Column, NodeContext, NodeError, NodeType, Table


class CsvReadConfig(BaseModel):
    path: str = Field(default="", title="File", description="The CSV file (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    header: bool = Field(default=True, title="First row has column names")
    delimiter: str = Field(default="auto", title="Delimiter",
                           description="auto, or the character between values: , ; | or 'tab'")
    encoding: str = Field(default="auto", title="Encoding",
                          description="auto tries UTF-8 then Windows-1252; or e.g. utf-8, cp1252, latin-1")
    infer_types: bool = Field(
        default=False, title="Detect numbers and true/false",
        description="Off keeps every value as text, exactly as written. On converts a column only when "
                    "every value in it is a number (or true/false); codes with leading zeros stay text.")
    decimal_separator: Literal["auto", ".", ","] = Field(
        default="auto", title="Decimal separator",
        description="For number detection: ',' for files that write 1.234,50; auto uses ',' when values "
                    "are separated by ';' (as Excel does in those countries), else '.'")

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        return check_delimiter(value, allow_auto=True)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        return check_encoding(value, allow_auto=True)


class CsvReadInputs(BaseModel):
    path: PathInput = Field(default=None, title="File", description="Overrides the configured file")


class CsvReadOutputs(BaseModel):
    table: Table | None = Field(default=None, title="Table")


def _column_names(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, raw in enumerate(header, 1):
        base = raw.strip() or f"column_{i}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _decimal(configured: str, delimiter: str) -> str:
    if configured != "auto":
        return configured
    return "," if delimiter == ";" else "."


def _parse(text: str, delimiter: str, path: Any) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [row for row in reader if row and any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise NodeError(f"cannot read {path} as CSV: {exc} (line {reader.line_num})") from None


class CsvRead(NodeType):
    type_id = "files.csv_read"
    title = "Read CSV"
    category = "Files"
    description = ("Reads a CSV file (as exported by Excel, a bank or an accounting system) into a "
                   "table. The separator and the text encoding are detected automatically.")
    keywords = ("csv", "import", "spreadsheet", "comma separated", "load", "table")
    icon = "file-csv"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = CsvReadConfig
    Inputs = CsvReadInputs
    Outputs = CsvReadOutputs

    def fingerprint(self, ctx: NodeContext, config: CsvReadConfig, inputs: CsvReadInputs) -> str | None:
        try:
            stat = pick_path(ctx, config.path, inputs.path, "File").stat()
        except (OSError, NodeError):
            return None
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    async def run(self, ctx: NodeContext, config: CsvReadConfig, inputs: CsvReadInputs) -> CsvReadOutputs:
        path = pick_path(ctx, config.path, inputs.path, "File")
        if path.is_dir():
            raise os_error(IsADirectoryError(), path, "read")
        text, encoding = decode_text(read_bytes(path), config.encoding, path)
        delimiter = sniff_delimiter(text) if config.delimiter == "auto" else config.delimiter
        records = _parse(text, delimiter, path)
        names = _column_names(records.pop(0)) if config.header and records else []
        width = max((len(r) for r in records), default=0)
        if width > len(names):
            if config.header and records:
                ctx.log.warning("%s: some rows have more values than there are column names; the "
                                "extra columns are named column_%d and up", path.name, len(names) + 1)
            for i in range(len(names) + 1, width + 1):
                name, n = f"column_{i}", 2
                while name in names:
                    name, n = f"column_{i} ({n})", n + 1
                names.append(name)
        rows = [dict(zip(names, r + [""] * (len(names) - len(r)), strict=True)) for r in records]
        if config.infer_types:
            types = infer_columns(names, rows, _decimal(config.decimal_separator, delimiter))
        else:
            types = dict.fromkeys(names, "text")
        shown = {"\t": "tab"}.get(delimiter, delimiter)
        ctx.log.info("read %d rows × %d columns from %s (%s, delimiter %s)", len(rows), len(names),
                     path.name, encoding, shown)
        columns = [Column(name=n, type=types[n]) for n in names]  # type: ignore[arg-type]
        return CsvReadOutputs(table=Table(columns, rows))
