"""Find rows: reads a sheet (as Read sheet does) and keeps the rows that pass
conditions, tested by the same rules as Filter rows (`nodes/_shared/compare.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes._shared.compare import condition
from nodes._shared.offload import BYTES_INLINE, Stop, offload
from nodes.core.filter_rows import RowCondition
from nodes.files._common import file_fingerprint, file_size
from nodes.spreadsheet._common import WorkbookField, WorkbookInput, given_path, input_path, workbook_ref
from nodes.spreadsheet._load import Loaded, load_table
from nodes.spreadsheet.read import ReadSheetConfig
from runtime.api import CachePolicy, Capability, Column, NodeContext, NodeError, NodeType, Table, WorkbookRef

__all__ = ["FindRows", "FindRowsConfig"]


class FindRowsConfig(ReadSheetConfig):
    conditions: list[RowCondition] = Field(min_length=1, title="Conditions")
    combine: Literal["all", "any"] = Field(default="all", title="Keep rows that pass",
                                           description="all: every condition must hold; any: one is enough")
    ignore_case: bool = Field(default=False, title="Ignore upper/lower case")
    row_number_column: str = Field(default="", title="Add row numbers as column",
                                   description="A name such as 'Row' adds each row's number in the sheet; "
                                               "empty: no such column")


class FindRowsInputs(BaseModel):
    path: WorkbookInput = WorkbookField()


class FindRowsOutputs(BaseModel):
    table: Table | None = Field(default=None, title="Found rows")
    count: int | None = Field(default=None, title="Rows found")
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")


def _find(loaded: Loaded, config: FindRowsConfig, stop: Stop) -> tuple[Table, list[str]]:
    table, numbers = loaded.result.table, loaded.result.row_numbers
    names = table.column_names
    unknown = [c.column for c in config.conditions if c.column not in names]
    if unknown:
        raise NodeError(f"sheet '{loaded.sheet}' has no column {', '.join(repr(u) for u in unknown)}; its "
                        f"columns are: {', '.join(repr(n) for n in names)}")
    tests = [(c.column, condition(c.op, c.value, config.ignore_case)) for c in config.conditions]
    wanted = all if config.combine == "all" else any
    unreadable = [0] * len(tests)
    kept: list[int] = []
    extra = config.row_number_column.strip()
    for i, row in enumerate(table.rows):
        if not i % 10_000:
            stop.check()
        results = []
        for j, (column, passes) in enumerate(tests):
            outcome = passes(row.get(column))
            if outcome is None:
                unreadable[j] += 1
            results.append(bool(outcome))
        if wanted(results):
            kept.append(i)
    found = table.take(kept)
    if extra:
        if extra in names:
            raise NodeError(f"the sheet already has a column '{extra}'; choose another name for the row "
                            "numbers")
        found = found.with_column(Column(name=extra, type="integer"), [numbers[i] for i in kept])
    warnings = [f"{n} row(s) could not be compared: '{c.column}' {c.op} {c.value!r} (not the same kind "
                "of value); "
                "they did not pass" for n, c in zip(unreadable, config.conditions, strict=True) if n]
    return found, warnings


class FindRows(NodeType):
    type_id = "spreadsheet.find_rows"
    title = "Find rows"
    category = "Spreadsheets"
    description = ("Looks through a sheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) and gives the rows "
                   "that pass your conditions, for example customer = ACME and amount > 1000. Numbers, dates "
                   "and text compare as in Filter rows; each row's number in the sheet can be added.")
    keywords = ("excel", "xlsx", "search", "lookup", "filter", "query", "where", "vlookup", "workbook")
    icon = "search"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = FindRowsConfig
    Inputs = FindRowsInputs
    Outputs = FindRowsOutputs

    def fingerprint(self, ctx: NodeContext, config: FindRowsConfig, inputs: FindRowsInputs) -> str | None:
        return file_fingerprint(ctx, config.path, given_path(inputs.path))

    async def run(self, ctx: NodeContext, config: FindRowsConfig, inputs: FindRowsInputs) -> FindRowsOutputs:
        path = input_path(ctx, config.path, inputs.path)
        request = config.request()

        def work(stop: Stop) -> tuple[Loaded, Table, list[str]]:
            loaded = load_table(path, request, stop)
            found, warnings = _find(loaded, config, stop)
            return loaded, found, warnings

        loaded, found, warnings = await offload(work, size=file_size(path),
                                                limit=0 if config.formulas == "recalculate" else BYTES_INLINE)
        for line in loaded.notes:
            ctx.log.info("%s", line)
        for line in loaded.warnings + warnings:
            ctx.log.warning("%s", line)
        ctx.log.info("found %d of %d rows in %s, sheet '%s'", len(found), len(loaded.result.table), path.name,
                     loaded.sheet)
        return FindRowsOutputs(table=found, count=len(found), workbook=workbook_ref(path, loaded.sheet))
