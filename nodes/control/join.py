"""Join: matches the rows of two tables on key columns, like VLOOKUP for whole tables."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from nodes._shared.compare import equality_key
from nodes._shared.offload import Stop, checked, offload
from runtime.api import NodeContext, NodeError, NodeType, Table


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class JoinConfig(BaseModel):
    left_key: list[str] = Field(
        default_factory=list, validate_default=True, title="Key column(s) of the left table",
        description="The column(s) whose values must match, e.g. 'Invoice no'.")
    right_key: list[str] = Field(
        default_factory=list, title="Key column(s) of the right table",
        description="Leave empty when they have the same names as in the left table.")
    how: Literal["inner", "left", "outer"] = Field(
        default="inner", title="Which rows to keep",
        description="inner: only rows found in both tables. left: every row of the left table "
                    "(blank where the right has no match). outer: every row of both tables.")
    suffix: str = Field(
        default="_right", min_length=1, title="Suffix for clashing names",
        description="Added to a right-table column whose name is already used by the left table.")

    @field_validator("left_key", "right_key", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("left_key")
    @classmethod
    def _some_key(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("choose the column(s) whose values must match")
        return value

    @model_validator(mode="after")
    def _same_key_count(self) -> JoinConfig:
        if self.right_key and len(self.right_key) != len(self.left_key):
            raise ValueError(f"give as many right key columns as left ones ({len(self.left_key)})")
        return self


class JoinInputs(BaseModel):
    left: Table = Field(title="Left table")
    right: Table = Field(title="Right table")


class JoinOutputs(BaseModel):
    table: Table = Field(title="Table")


def _key(row: dict[str, Any], columns: list[str]) -> tuple[Any, ...] | None:
    """The row's key: values that are equal by the rules of '=' (If, Filter rows) match."""
    key = tuple(equality_key(row.get(c)) for c in columns)
    return None if any(k is None for k in key) else key


def _check_columns(table: Table, columns: list[str], side: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        names = ", ".join(table.column_names) or "none"
        raise NodeError(f"the {side} table has no column {', '.join(repr(m) for m in missing)} "
                        f"(its columns: {names})")


def join_tables(left: Table, right: Table, config: JoinConfig, stop: Stop) -> Table:
    """The joined table: left columns, then right columns (shared key columns once)."""
    lkey, rkey = config.left_key, config.right_key or config.left_key
    _check_columns(left, lkey, "left")
    _check_columns(right, rkey, "right")
    merged_keys = {rc: lc for lc, rc in zip(lkey, rkey, strict=True) if lc == rc}
    names = list(left.column_names)
    rename: dict[str, str] = {}
    for col in right.column_names:
        if col in merged_keys:
            continue
        new = col
        while new in names:
            new += config.suffix
        rename[col] = new
        names.append(new)

    right_rows = list(right.rows)  # one dict per row, kept: rows are matched by identity below
    index: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in checked(right_rows, stop):
        key = _key(row, rkey)
        if key is not None:
            index.setdefault(key, []).append(row)

    def combine(lrow: dict[str, Any] | None, rrow: dict[str, Any] | None) -> dict[str, Any]:
        out = {n: None for n in names}
        if lrow is not None:
            out.update({c: lrow.get(c) for c in left.column_names})
        if rrow is not None:
            out.update({new: rrow.get(old) for old, new in rename.items()})
            if lrow is None:
                out.update({merged_keys[r]: rrow.get(r) for r in merged_keys})
        return out

    rows: list[dict[str, Any]] = []
    matched: set[int] = set()
    for lrow in checked(left.rows, stop):
        key = _key(lrow, lkey)
        partners = index.get(key, []) if key is not None else []
        for rrow in partners:
            matched.add(id(rrow))
            rows.append(combine(lrow, rrow))
        if not partners and config.how in ("left", "outer"):
            rows.append(combine(lrow, None))
    if config.how == "outer":
        rows.extend(combine(None, r) for r in right_rows if id(r) not in matched)
    stop.check()
    return Table.from_records(rows, columns=names)


class Join(NodeType):
    type_id = "control.join"
    title = "Join tables"
    category = "Control"
    description = ("Matches rows of two tables that share a key (an invoice number, a customer id) and "
                   "puts their columns side by side, like VLOOKUP for whole tables. Keys match as '=' "
                   "compares in If and Filter rows: '100' matches 100, spaces around a value are "
                   "ignored, and codes such as 00123 match only 00123.")
    keywords = ("merge", "lookup", "vlookup", "match", "combine tables", "relate")
    icon = "join_inner"
    Config = JoinConfig
    Inputs = JoinInputs
    Outputs = JoinOutputs

    async def run(self, ctx: NodeContext, config: JoinConfig, inputs: JoinInputs) -> JoinOutputs:
        left, right = inputs.left, inputs.right
        table = await offload(lambda stop: join_tables(left, right, config, stop),
                              size=len(left) + len(right))
        ctx.log.info("%d rows (left %d, right %d)", len(table), len(inputs.left), len(inputs.right))
        return JoinOutputs(table=table)
