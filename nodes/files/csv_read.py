"""Read CSV: reads a CSV file into a table, detecting its encoding and delimiter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from nodes._shared.offload import BYTES_INLINE, Stop, offload
from nodes.files._common import (
    PathInput,
    check_encoding,
    decode_text,
    file_fingerprint,
    file_size,
    pick_path,
    read_bytes,
)
from nodes.files._csv_format import check_delimiter, infer_columns, parse_rows, sniff_delimiter
from runtime.api import CachePolicy, Capability, Column, NodeContext, NodeType, Table


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
                    "are separated by ';' (as Excel does in those countries), else '.'. With ',' a "
                    "column becomes numbers only when some value has the decimal comma: one of only "
                    "1.500-like values stays text (it could mean 1500 or 1.5).")

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


@dataclass
class _Loaded:
    """What reading the file gave, with the log lines to write (a worker thread cannot log)."""

    table: Table
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)


def _load(path: Path, config: CsvReadConfig, stop: Stop) -> _Loaded:
    """Read, decode, parse and (optionally) type the file: pure, so it may run in a thread."""
    text, encoding = decode_text(read_bytes(path), config.encoding, path)
    stop.check()
    delimiter = sniff_delimiter(text) if config.delimiter == "auto" else config.delimiter
    records = parse_rows(text, delimiter, path, stop)
    del text
    warnings = []
    names = _column_names(records.pop(0)) if config.header and records else []
    width = max((len(r) for r in records), default=0)
    if width > len(names):
        if config.header and records:
            warnings.append(f"{path.name}: some rows have more values than there are column names; the "
                            f"extra columns are named column_{len(names) + 1} and up")
        for i in range(len(names) + 1, width + 1):
            name, n = f"column_{i}", 2
            while name in names:
                name, n = f"column_{i} ({n})", n + 1
            names.append(name)
    rows = [dict(zip(names, r + [""] * (len(names) - len(r)), strict=True)) for r in records]
    del records
    stop.check()
    if config.infer_types:
        types, ambiguous = infer_columns(names, rows, _decimal(config.decimal_separator, delimiter),
                                         guessed=config.decimal_separator == "auto")
        warnings += ambiguous
    else:
        types = dict.fromkeys(names, "text")
    columns = [Column(name=n, type=types[n]) for n in names]  # type: ignore[arg-type]
    return _Loaded(Table(columns, rows), encoding, delimiter, warnings)


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
        return file_fingerprint(ctx, config.path, inputs.path)

    async def run(self, ctx: NodeContext, config: CsvReadConfig, inputs: CsvReadInputs) -> CsvReadOutputs:
        path = pick_path(ctx, config.path, inputs.path, "File")
        loaded = await offload(lambda stop: _load(path, config, stop), size=file_size(path),
                               limit=BYTES_INLINE)
        for warning in loaded.warnings:
            ctx.log.warning("%s", warning)
        table = loaded.table
        shown = {"\t": "tab"}.get(loaded.delimiter, loaded.delimiter)
        ctx.log.info("read %d rows × %d columns from %s (%s, delimiter %s)", len(table),
                     len(table.columns), path.name, loaded.encoding, shown)
        return CsvReadOutputs(table=table)
