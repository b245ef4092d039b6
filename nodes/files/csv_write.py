"""Write CSV: writes a table to a CSV file (atomically: never a half-written file)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from nodes._shared.offload import Stop, checked, offload
from nodes._shared.values import as_text, file_ref, to_jsonable
from nodes.files._common import (
    PathInput,
    check_encoding,
    encode_text,
    pick_path,
    prepare_target,
    replace_file,
)
from nodes.files._csv_format import check_delimiter
from runtime.api import (
    CachePolicy,
    Capability,
    FileRef,
    NodeContext,
    NodeType,
    Table,
)


class CsvWriteConfig(BaseModel):
    path: str = Field(default="", title="File", description="Where to write (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    delimiter: str = Field(default=",", title="Delimiter", description="The character between values: "
                           ", ; | or 'tab' (Excel in many European countries expects ;)")
    encoding: str = Field(default="utf-8", title="Encoding",
                          description="utf-8, or utf-8-sig so that Excel shows accented letters correctly")
    header: bool = Field(default=True, title="Write column names as the first row")
    quoting: Literal["minimal", "all"] = Field(
        default="minimal", title="Quotes", description="minimal: only where needed; all: around every value")
    overwrite: bool = Field(default=True, title="Replace an existing file")
    create_folders: bool = Field(default=True, title="Create missing folders")

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        return check_delimiter(value, allow_auto=False)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        return check_encoding(value, allow_auto=False)


class CsvWriteInputs(BaseModel):
    table: Table = Field(title="Table")
    path: PathInput = Field(default=None, title="File", description="Overrides the configured file")


class CsvWriteOutputs(BaseModel):
    file: FileRef | None = Field(default=None, title="File")


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list, Table)):
        return json.dumps(value, ensure_ascii=False, default=to_jsonable)
    return as_text(value)


def _write(path: Path, table: Table, config: CsvWriteConfig, stop: Stop) -> None:
    """Format, encode and (atomically) write the table: pure, so it may run in a thread."""
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if config.quoting == "all" else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, delimiter=config.delimiter, quoting=quoting, lineterminator="\r\n")
    names = table.column_names
    if config.header:
        writer.writerow(names)
    for row in checked(table.rows, stop):
        writer.writerow([_cell(row.get(n)) for n in names])
    data = encode_text(buffer.getvalue(), config.encoding, path, "utf-8 or utf-8-sig")
    prepare_target(path, create_folders=config.create_folders, overwrite=config.overwrite)
    replace_file(path, data, stop)


class CsvWrite(NodeType):
    type_id = "files.csv_write"
    title = "Write CSV"
    category = "Files"
    description = "Saves a table as a CSV file that Excel and other programs can open."
    keywords = ("csv", "export", "save", "spreadsheet", "comma separated")
    icon = "file-csv"
    capabilities = frozenset({Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = CsvWriteConfig
    Inputs = CsvWriteInputs
    Outputs = CsvWriteOutputs

    async def run(self, ctx: NodeContext, config: CsvWriteConfig, inputs: CsvWriteInputs) -> CsvWriteOutputs:
        path = pick_path(ctx, config.path, inputs.path, "File")
        table = inputs.table
        await offload(lambda stop: _write(path, table, config, stop), size=len(table))
        ctx.log.info("wrote %d rows to %s", len(table), path)
        return CsvWriteOutputs(file=file_ref(path, "text/csv"))
