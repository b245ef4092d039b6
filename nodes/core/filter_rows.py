"""Filter rows: keeps the rows of a table that pass conditions; the others go to `rejected`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from nodes._shared.compare import Operator, check_pattern, condition, describe
from nodes._shared.offload import Stop, checked, offload
from nodes.core._common import require_columns
from runtime.api import NodeContext, NodeError, NodeType, Table


class RowCondition(BaseModel):
    column: str = Field(min_length=1, title="Column")
    op: Operator = Field(default="=", title="Test")
    value: Any = Field(default="", title="Value",
                       description="Not used by 'is true', 'is empty' and 'not empty'; "
                                   "a regular expression for 'matches'")

    @model_validator(mode="after")
    def _valid_pattern(self) -> RowCondition:
        if self.op == "matches":
            if not isinstance(self.value, str):
                raise ValueError("the pattern for 'matches' must be text")
            check_pattern(self.value)
        return self


class FilterRowsConfig(BaseModel):
    conditions: list[RowCondition] = Field(min_length=1, title="Conditions")
    combine: Literal["all", "any"] = Field(
        default="all", title="Keep rows that pass",
        description="all: every condition must hold; any: one is enough")
    ignore_case: bool = Field(default=False, title="Ignore upper/lower case")


class FilterRowsInputs(BaseModel):
    table: Table = Field(title="Table")


class FilterRowsOutputs(BaseModel):
    table: Table | None = Field(default=None, title="Kept rows")
    rejected: Table | None = Field(default=None, title="Rejected rows")


@dataclass
class _Unreadable:
    """Rows whose cell could not be compared with a condition's value; the first one as example."""

    count: int = 0
    example: Any = field(default=None)


def _filter(config: FilterRowsConfig, table: Table,
            stop: Stop) -> tuple[list[int], list[int], list[_Unreadable]]:
    """The positions of the rows kept and of those rejected, and what could not be compared."""
    tests = [(c.column, condition(c.op, c.value, config.ignore_case)) for c in config.conditions]
    unreadable = [_Unreadable() for _ in config.conditions]
    wanted = all if config.combine == "all" else any
    kept: list[int] = []
    rejected: list[int] = []
    cells_of = [table.column_values(column) for column, _ in tests]  # only the columns tested
    for index, cells in enumerate(checked(zip(*cells_of, strict=True), stop)):
        results = []
        for i, (_, passes) in enumerate(tests):
            cell = cells[i]
            outcome = passes(cell)
            if outcome is None:
                if not unreadable[i].count:
                    unreadable[i].example = cell
                unreadable[i].count += 1
            results.append(bool(outcome))
        (kept if wanted(results) else rejected).append(index)
    return kept, rejected, unreadable


class FilterRows(NodeType):
    type_id = "core.filter_rows"
    title = "Filter rows"
    category = "Table"
    description = ("Keeps the rows of a table that pass your conditions (for example "
                   "amount > 1000, or status = paid). Rows that fail go to 'Rejected rows'. Numbers "
                   "written as text compare as numbers (also 1,234.50), codes with leading zeros "
                   "such as 00123 stay text for = and !=, dates compare as dates, and an empty cell "
                   "is never smaller or larger than anything. A cell that cannot be compared with "
                   "the value (text such as 'n/a' > 100) does not pass, and a warning names the "
                   "column and the kinds of value.")
    keywords = ("where", "select", "condition", "query", "exclude", "keep")
    icon = "filter"
    Config = FilterRowsConfig
    Inputs = FilterRowsInputs
    Outputs = FilterRowsOutputs

    async def run(self, ctx: NodeContext, config: FilterRowsConfig,
                  inputs: FilterRowsInputs) -> FilterRowsOutputs:
        table = inputs.table
        try:
            require_columns(table, [c.column for c in config.conditions], "Conditions")
        except ValueError as exc:
            raise NodeError(str(exc)) from None

        def work(stop: Stop) -> tuple[Table, Table, list[_Unreadable]]:
            kept, rejected, unreadable = _filter(config, table, stop)
            return table.take(kept), table.take(rejected), unreadable

        kept, rejected, unreadable = await offload(work, size=len(table))
        for cond, seen in zip(config.conditions, unreadable, strict=True):
            if seen.count:
                ctx.log.warning("%d row(s) could not be compared: '%s' %s %s, e.g. %s (not the same kind "
                                "of value); they did not pass", seen.count, cond.column, cond.op,
                                describe(cond.value), describe(seen.example))
        ctx.log.info("kept %d of %d rows", len(kept), len(table))
        return FilterRowsOutputs(table=kept, rejected=rejected)
