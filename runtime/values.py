"""Value types that travel along edges: Table and references to large artifacts.

Every node pack shares these, so a table extracted from a web page, a spreadsheet or an
AI step is the same `Table` everywhere. Large things (files, images, documents,
workbooks) travel as references into the run's artifact folder, never as bytes.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "Column",
    "ColumnType",
    "DocumentRef",
    "FileRef",
    "ImageRef",
    "SessionRef",
    "Table",
    "TableRows",
    "WorkbookRef",
    "infer_column_type",
]

ColumnType = Literal["text", "number", "integer", "boolean", "date", "datetime", "any"]


class Column(BaseModel):
    """One column of a table: its name and the type of its values."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: ColumnType = "any"


def infer_column_type(values: Iterable[Any]) -> ColumnType:
    """The narrowest column type that fits every non-empty value."""
    seen: set[str] = set()
    for value in values:
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            seen.add("boolean")
        elif isinstance(value, int):
            seen.add("integer")
        elif isinstance(value, float):
            seen.add("number")
        elif isinstance(value, _dt.datetime):
            seen.add("datetime")
        elif isinstance(value, _dt.date):
            seen.add("date")
        elif isinstance(value, str):
            seen.add("text")
        else:
            return "any"
        if len(seen) > 2:
            return "any"
    if not seen:
        return "any"
    if seen == {"integer", "number"}:
        return "number"
    if len(seen) == 1:
        return seen.pop()  # type: ignore[return-value]
    return "any"


class Table:
    """Rows of records with a column schema.

    `rows` is a list of dicts keyed by column name; `columns` gives order and types.
    Tables are treated as immutable values: operations return new tables.

    A table may also be stored by column (`from_columns`, used for large sheets): each
    column is a list or any sequence that hands out Table values (a typed array that turns
    its numbers into values on access). `rows` is then a read-only view that builds each
    row's dict when it is asked for, so the values are held once, compactly.
    """

    __slots__ = ("__weakref__", "_data", "_rows", "columns")

    def __init__(self, columns: Sequence[Column | str], rows: Sequence[Mapping[str, Any]]):
        cols = [c if isinstance(c, Column) else Column(name=c) for c in columns]
        self.columns: tuple[Column, ...] = tuple(cols)
        self._rows: list[dict[str, Any]] | None = [dict(r) for r in rows]
        self._data: tuple[Sequence[Any], ...] = ()

    @classmethod
    def from_columns(cls, columns: Sequence[Column | str], data: Sequence[Sequence[Any]]) -> Table:
        """A table stored by column: `data[i]` holds the values of `columns[i]`, one per row.
        The table keeps the sequences given: do not change them afterwards."""
        table = cls(columns, [])
        if len(data) != len(table.columns):
            raise ValueError(f"{len(table.columns)} columns but {len(data)} columns of values")
        if len({len(values) for values in data}) > 1:
            raise ValueError("the columns of a table must have the same number of values")
        table._rows, table._data = None, tuple(data)
        return table

    @property
    def read_only(self) -> bool:
        """Whether the rows can never change (a table stored by column)."""
        return self._rows is None

    @property
    def rows(self) -> Any:
        """The rows as dicts (a list; a read-only sequence for a table stored by column)."""
        return self._rows if self._rows is not None else TableRows(self)

    @rows.setter
    def rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self._rows, self._data = list(rows), ()

    def take(self, indices: Iterable[int]) -> Table:
        """A new table of the rows at `indices`, in that order (a table stored by column gives
        one stored by column: no dict per row)."""
        if self._rows is not None:
            rows = self._rows
            return Table(self.columns, [rows[i] for i in indices])
        picks = list(indices)
        data = []
        for values in self._data:
            if hasattr(values, "take"):  # a typed column picks without making every value
                data.append(values.take(picks))
                continue
            plain = values if isinstance(values, list) else list(values)  # one column at a time
            data.append([plain[i] for i in picks])
        return Table.from_columns(self.columns, data)

    def with_column(self, column: Column | str, values: Sequence[Any]) -> Table:
        """A new table with one more column (or that column replaced) holding `values`."""
        added = column if isinstance(column, Column) else Column(name=column)
        if len(values) != len(self):
            raise ValueError(f"{len(self)} rows but {len(values)} values for column '{added.name}'")
        names = self.column_names
        at = names.index(added.name) if added.name in names else len(names)  # a replaced one stays put
        columns = [*self.columns[:at], added, *self.columns[at + 1:]]
        if self._rows is not None:
            pairs = zip(self._rows, values, strict=True)
            return Table(columns, [{**row, added.name: value} for row, value in pairs])
        data = list(self._data)
        data[at:at + 1] = [values]
        return Table.from_columns(columns, data)

    def value(self, index: int, name: str) -> Any:
        """One cell: row `index`, column `name` (IndexError past the last row)."""
        if self._rows is not None:
            return self._rows[index].get(name)
        for column, values in zip(self.columns, self._data, strict=True):
            if column.name == name:
                return values[index]
        if not -len(self) <= index < len(self):
            raise IndexError("table row index out of range")
        return None  # no such column: empty, as a row without the key

    def column_values(self, name: str) -> Sequence[Any]:
        """The values of one column, top to bottom, not to be changed (KeyError: no such column)."""
        index = self.column_names.index(name) if name in self.column_names else None
        if index is None:
            raise KeyError(name)
        if self._rows is None:
            values = self._data[index]
            return tuple(values) if isinstance(values, list) else values  # the table's own: hand a copy
        return [row.get(name) for row in self._rows]

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None
    ) -> Table:
        """Build a table from dicts; column order follows first appearance, types inferred."""
        rows = [dict(r) for r in records]
        names: list[str] = list(columns) if columns is not None else []
        if columns is None:
            seen: set[str] = set()
            for row in rows:
                for key in row:
                    if key not in seen:
                        seen.add(key)
                        names.append(key)
        cols = [Column(name=n, type=infer_column_type(r.get(n) for r in rows)) for n in names]
        return cls(cols, [{n: r.get(n) for n in names} for r in rows])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __len__(self) -> int:
        if self._rows is None:
            return len(self._data[0]) if self._data else 0
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return self.columns == other.columns and self.rows == other.rows

    def __repr__(self) -> str:
        return f"Table({len(self)} rows × {len(self.columns)} columns: {self.column_names})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form: {"columns": [...], "rows": [...]}."""
        return {
            "columns": [c.model_dump() for c in self.columns],
            "rows": [
                {k: _jsonable(v) for k, v in row.items()} for row in self.rows
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Table:
        if not isinstance(data, Mapping) or "rows" not in data:
            raise ValueError("a table needs 'rows' (and optionally 'columns')")
        rows = data["rows"]
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise ValueError("a table's 'rows' must be a list of objects")
        columns = data.get("columns")
        if columns is None:
            return cls.from_records(rows)
        cols = [Column.model_validate(c) if isinstance(c, Mapping) else Column(name=str(c))
                for c in columns]
        return cls(cols, rows)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def coerce(value: Any) -> Table:
            if isinstance(value, Table):
                return value
            if isinstance(value, Mapping):
                return cls.from_dict(value)
            if isinstance(value, list) and all(isinstance(r, Mapping) for r in value):
                return cls.from_records(value)
            raise ValueError(f"expected a table, got {type(value).__name__}")

        return core_schema.no_info_plain_validator_function(
            coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda t: t.to_dict()),
            json_schema_input_schema=core_schema.dict_schema(),
        )


class TableRows(Sequence[dict[str, Any]]):
    """The rows of a table stored by column, as dicts made when asked for (read-only)."""

    __slots__ = ("_data", "_names")

    def __init__(self, table: Table) -> None:
        self._names = table.column_names
        self._data = table._data

    def __len__(self) -> int:
        return len(self._data[0]) if self._data else 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        names = self._names
        if not names:
            return iter(())
        return (dict(zip(names, values, strict=True)) for values in zip(*self._data, strict=True))

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("table row index out of range")
        return {name: values[index] for name, values in zip(self._names, self._data, strict=True)}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (TableRows, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} table rows>"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    return value


class _Ref(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    """Absolute path, usually inside the run's artifacts folder."""
    name: str = ""
    media_type: str = "application/octet-stream"


class FileRef(_Ref):
    """A reference to a file on disk."""

    kind: Literal["file"] = "file"


class ImageRef(_Ref):
    """A reference to an image file (a screenshot, a rendered page, a scan)."""

    kind: Literal["image"] = "image"
    width: int | None = None
    height: int | None = None


class DocumentRef(_Ref):
    """A reference to a document (PDF, DOCX, scanned image) and what is known about it."""

    kind: Literal["document"] = "document"
    pages: int | None = None
    doc_kind: str = ""


class WorkbookRef(_Ref):
    """A reference to a spreadsheet workbook file."""

    kind: Literal["workbook"] = "workbook"
    sheet: str | None = None


class SessionRef(BaseModel):
    """A live browser page of the current run, handed from one browser node to the next.

    It names the page (the "Open browser" node's session and the tab's number); the page
    itself lives in the run's browser and ends with the run. `url` and `title` say where
    the page was when the value was made, for the run log and history.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["session"] = "session"
    run_id: str
    session: str
    """The node id of the "Open browser" node whose context holds the page."""
    page: int = 0
    """Which tab of that context (0: the first; popups get the next numbers)."""
    url: str = ""
    title: str = ""
