"""Tagged JSON for port values round-trips every value type exactly."""

from __future__ import annotations

import datetime as dt
import gc
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.api import DocumentRef, FileRef, Table, dumps_values, loads_values, to_plain_json

keys = st.text(max_size=6) | st.sampled_from(["$table", "$ref", "$date", "$x", "$dict"])
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
           | st.dates() | st.datetimes())
values = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(keys, c, max_size=3),
                      max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(st.text(max_size=5), values, max_size=4))
def test_round_trip_of_json_like_values(data: dict) -> None:
    assert loads_values(dumps_values(data)) == data


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.dictionaries(keys, scalars, max_size=3), max_size=4))
def test_round_trip_of_tables(rows: list[dict]) -> None:
    table = Table.from_records(rows)
    assert loads_values(dumps_values({"t": table}))["t"] == table


def test_refs_dates_and_special_floats() -> None:
    data = {"f": FileRef(path="/tmp/a.pdf", name="a.pdf"), "d": DocumentRef(path="/x.pdf", pages=3),
            "when": dt.datetime(2026, 11, 29, 8, 0), "day": dt.date(2026, 11, 30), "inf": math.inf}
    back = loads_values(dumps_values(data))
    assert back == data and isinstance(back["d"], DocumentRef) and back["d"].pages == 3
    assert math.isnan(loads_values(dumps_values({"n": math.nan}))["n"])


def test_plain_json_for_people() -> None:
    table = Table.from_records([{"a": 1, "when": dt.date(2026, 1, 2)}])
    assert to_plain_json({"t": table}) == {"t": {"columns": ["a", "when"],
                                                 "rows": [{"a": 1, "when": "2026-01-02"}]}}


def test_a_table_stored_by_column_travels_and_compares_as_rows() -> None:
    from array import array

    class Doubled:
        """A column that makes its values on access, as the sheet reader's typed columns do."""

        def __init__(self, numbers: array) -> None:
            self.numbers = numbers

        def __len__(self) -> int:
            return len(self.numbers)

        def __getitem__(self, index: int) -> float:
            return self.numbers[index] * 2

        def __iter__(self):
            return (v * 2 for v in self.numbers)

    table = Table.from_columns(["name", "amount"], [["a", "b", None], Doubled(array("d", [1.0, 2.5, 4.0]))])
    rows = [{"name": "a", "amount": 2.0}, {"name": "b", "amount": 5.0}, {"name": None, "amount": 8.0}]
    assert len(table) == 3 and table.rows == rows and rows == table.rows
    assert table == Table(["name", "amount"], rows)
    assert table.rows[-1] == rows[-1] and table.rows[1:] == rows[1:] and list(table) == rows
    assert table.column_values("amount")[1] == 5.0
    assert loads_values(dumps_values({"t": table}))["t"] == Table(["name", "amount"], rows)
    assert to_plain_json({"t": table})["t"]["rows"] == rows
    table.rows[0]["name"] = "changed"  # a row handed out is a copy: the table stays as it was
    assert table.rows[0]["name"] == "a"
    with pytest.raises(ValueError, match="same number of values"):
        Table.from_columns(["x", "y"], [[1], [1, 2]])
    with pytest.raises(IndexError):
        table.rows[3]


def test_a_large_table_is_written_in_pieces_with_the_same_text() -> None:
    from runtime import valuecodec

    names = [f"n{i}" for i in range(4_500)]
    days = [dt.date(2024, 1, 1 + i % 28) for i in range(4_500)]
    numbers = [float("nan") if i == 7 else i / 3 for i in range(4_500)]
    table = Table.from_columns(["name", "day", "x"], [names, days, numbers])
    text = dumps_values({"t": table, "count": 3})
    assert text == valuecodec._dumps({"t": table, "count": 3})
    back = loads_values(text)
    assert back["count"] == 3 and back["t"].rows[4_499] == table.rows[4_499] and len(back["t"]) == 4_500
    assert math.isnan(back["t"].rows[7]["x"])


def test_a_read_only_table_is_encoded_once_per_value() -> None:
    from runtime import valuecodec

    table = Table.from_columns(["n"], [list(range(3_000))])
    first = dumps_values({"t": table})
    assert valuecodec._TEXTS[id(table)][2] in first and dumps_values({"u": table}).endswith(first[4:])
    key = id(table)
    del table
    gc.collect()
    assert key not in valuecodec._TEXTS  # forgotten with the table


def test_a_table_stored_by_column_answers_as_one_stored_by_row() -> None:
    from nodes.core._template import render_template, template_variables

    by_column = Table.from_columns(["name", "qty"], [["a", "b"], [1, 2]])
    by_row = Table(["name", "qty"], [{"name": "a", "qty": 1}, {"name": "b", "qty": 2}])
    source = "{{ data.rows }} {{ data.rows | tojson }} {{ (data.rows + [1]) | length }}"
    assert render_template(source, template_variables(by_column)) == \
        render_template(source, template_variables(by_row))
    for table in (by_column, by_row):
        assert table.value(1, "missing") is None and table.value(-1, "qty") == 2
        with pytest.raises(IndexError):
            table.value(2, "qty")
        replaced = table.with_column("name", ["x", "y"])  # a replaced column keeps its place
        assert replaced.column_names == ["name", "qty"] and list(replaced.rows[0]) == ["name", "qty"]
        assert table.take([-1]).rows == [{"name": "b", "qty": 2}]
    kept = by_column.column_values("name")
    assert isinstance(kept, tuple)  # a copy: the table cannot be changed through it
    text = dumps_values({"t": by_column})
    by_column.columns = (by_column.columns[0], by_column.columns[1].model_copy(update={"name": "count"}))
    assert "count" in dumps_values({"t": by_column}) != text  # not the text remembered before
