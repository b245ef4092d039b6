"""Filter rows: keeps the rows of a table that pass conditions; the others go to `rejected`."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from nodes.core._common import require_columns
from nodes.core._compare import as_datetime, as_number, as_text, is_empty
from runtime.api import NodeContext, NodeError, NodeType, Table

Operator = Literal["=", "!=", "<", "<=", ">", ">=", "contains", "starts_with", "ends_with",
                   "is_empty", "not_empty", "matches"]
_ORDER = {"<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}


class RowCondition(BaseModel):
    column: str = Field(min_length=1, title="Column")
    op: Operator = Field(default="=", title="Test")
    value: Any = Field(default="", title="Value",
                       description="Not used by 'is empty' and 'not empty'; "
                                   "a regular expression for 'matches'")

    @model_validator(mode="after")
    def _valid_pattern(self) -> RowCondition:
        if self.op == "matches":
            if not isinstance(self.value, str):
                raise ValueError("the pattern for 'matches' must be text")
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"'{self.value}' is not a valid pattern: {exc}") from None
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


def _cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def _equal(cell: Any, value: Any, fold: bool) -> bool:
    if is_empty(value) or is_empty(cell):
        return is_empty(value) and is_empty(cell)
    left, right = as_number(cell), as_number(value)
    if left is not None and right is not None:
        return left == right
    if not isinstance(cell, bool) and not isinstance(value, bool):
        d1, d2 = as_datetime(cell), as_datetime(value)
        if d1 is not None and d2 is not None:
            return d1 == d2
    else:
        fold = True
    a, b = as_text(cell).strip(), as_text(value).strip()
    return a.casefold() == b.casefold() if fold else a == b


def _order(cell: Any, value: Any, fold: bool) -> int | None:
    """-1, 0 or 1 comparing cell with value; None when they cannot be compared."""
    if is_empty(cell) or is_empty(value) or isinstance(cell, bool) or isinstance(value, bool):
        return None
    left, right = as_number(cell, strict=False), as_number(value, strict=False)
    if left is not None and right is not None:
        return _cmp(left, right)
    d1, d2 = as_datetime(cell), as_datetime(value)
    if d1 is not None and d2 is not None:
        return _cmp(d1, d2)
    if left is None and right is None and d1 is None and d2 is None:
        a, b = as_text(cell), as_text(value)
        return _cmp(a.casefold(), b.casefold()) if fold else _cmp(a, b)
    return None


def _test(cond: RowCondition, cell: Any, fold: bool, pattern: re.Pattern[str] | None) -> bool | None:
    op = cond.op
    if op == "is_empty":
        return is_empty(cell)
    if op == "not_empty":
        return not is_empty(cell)
    if op in ("=", "!="):
        return _equal(cell, cond.value, fold) is (op == "=")
    if op in _ORDER:
        order = _order(cell, cond.value, fold)
        return None if order is None else _ORDER[op](order)
    text = as_text(cell)
    if pattern is not None:
        return pattern.search(text) is not None
    wanted = as_text(cond.value)
    if fold:
        text, wanted = text.casefold(), wanted.casefold()
    if op == "contains":
        return wanted in text
    if op == "starts_with":
        return text.startswith(wanted)
    return text.endswith(wanted)


class FilterRows(NodeType):
    type_id = "core.filter_rows"
    title = "Filter rows"
    category = "Table"
    description = ("Keeps the rows of a table that pass your conditions (for example "
                   "amount > 1000, or status = paid). Rows that fail go to 'Rejected rows'.")
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
        flags = re.IGNORECASE if config.ignore_case else 0
        patterns = [re.compile(c.value, flags) if c.op == "matches" else None for c in config.conditions]
        unreadable = [0] * len(config.conditions)
        kept, rejected = [], []
        for row in table.rows:
            results = []
            for i, (cond, pattern) in enumerate(zip(config.conditions, patterns, strict=True)):
                outcome = _test(cond, row.get(cond.column), config.ignore_case, pattern)
                if outcome is None:
                    unreadable[i] += 1
                results.append(bool(outcome))
            passed = all(results) if config.combine == "all" else any(results)
            (kept if passed else rejected).append(row)
        for cond, count in zip(config.conditions, unreadable, strict=True):
            if count:
                ctx.log.warning("%d row(s) could not be compared: '%s' %s %r (empty, or not the same "
                                "kind of value); they did not pass", count, cond.column, cond.op, cond.value)
        ctx.log.info("kept %d of %d rows", len(kept), len(table.rows))
        return FilterRowsOutputs(table=Table(table.columns, kept), rejected=Table(table.columns, rejected))
