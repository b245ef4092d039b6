"""The streaming .xlsx reader: every shape of cell a real file may hold, read exactly as
calamine reads it, in columns that stay compact (typed arrays for numbers and dates)."""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sheet_helpers import run

from nodes._shared.offload import Stop
from nodes.spreadsheet._columns import SegmentedColumn
from nodes.spreadsheet._load import ReadRequest, load_table
from nodes.spreadsheet._ooxml_book import format_kind
from nodes.spreadsheet._reader import clean
from runtime.api import NodeError

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _package(path: Path, sheet_data: str, *, strings: list[str] | None = None, date1904: bool = False,
             prefix: str = "", formats: str = "", xfs: str = '<xf numFmtId="0"/>', tail: str = "",
             sep: str = "/") -> Path:
    """A minimal hand-written .xlsx package around one sheet's <sheetData> content."""
    p = prefix
    ns = f'xmlns:{p[:-1]}="{_MAIN}"' if p else f'xmlns="{_MAIN}"'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="r1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                       '</Relationships>',
        "xl/workbook.xml": f'<{p}workbook {ns} xmlns:r="{_REL}">'
                           f'{f"<{p}workbookPr date1904={chr(34)}1{chr(34)}/>" if date1904 else ""}'
                           f'<{p}sheets><{p}sheet name="Data" sheetId="1" r:id="rId1"/></{p}sheets>'
                           f'</{p}workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>',
        "xl/styles.xml": f'<{p}styleSheet {ns}><{p}numFmts>{formats}</{p}numFmts>'
                         f'<{p}cellXfs>{xfs}</{p}cellXfs></{p}styleSheet>',
        "xl/sharedStrings.xml": f'<{p}sst {ns}>' + "".join(strings or []) + f"</{p}sst>",
        "xl/worksheets/sheet1.xml": f'<{p}worksheet {ns}><{p}sheetData>{sheet_data}</{p}sheetData>{tail}'
                                    f'</{p}worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name.replace("/", sep) if name.startswith("xl/") else name, text)
    return path


def _change_sheet(path: Path, change: Callable[[bytes], bytes | None]) -> None:
    """Rewrite the package with its sheet part changed (None: left out)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])  # type: ignore[assignment]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            if data is not None:
                zf.writestr(name, data)


def _read(path: Path, **request: object) -> list[dict]:
    loaded = load_table(path, ReadRequest(header="none", **request), Stop())  # type: ignore[arg-type]
    return list(loaded.result.table.rows)


def test_cell_shapes_and_types(tmp_path):
    strings = ["<si><t>plain</t></si>",
               '<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t> text</t></r>'
               "<rPh><t>phonetic</t></rPh></si>", '<si><t xml:space="preserve">  kept  </t></si>',
               "<si><t>  trimmed\n</t></si>", "<si><t>a &amp; b &lt;c&gt; &#x41;&#66; line_x000D_</t></si>"]
    xfs = ('<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="46"/>'
           '<xf numFmtId="165"/><xf numFmtId="21"/>')
    formats = ('<numFmt numFmtId="164" formatCode="[$-409]dd/mm/yyyy\\ hh:mm"/>'
               '<numFmt numFmtId="165" formatCode="#,##0.00 &quot;days&quot;"/>')
    data = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
        '<row r="2"><c r="A2" s="1"><v>45292</v></c><c r="B2" s="2"><v>45292.5</v></c>'
        '<c r="C2" s="3"><v>1.5208333333333333</v></c><c r="D2" s="4"><v>3</v></c>'
        '<c r="E2" s="5"><v>0.75</v></c></row>'
        '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#DIV/0!</v></c>'
        '<c r="C3" t="str"><f>A1&amp;"x"</f><v>plainx</v></c><c r="D3"><f>1+1</f><v>2</v></c>'
        '<c r="E3" t="inlineStr"><is><t><![CDATA[<cdata> & more]]></t></is></c></row>'
        '<row r="4"><c t="s" s="0" r="A4"><v>0</v></c><c r="B4" t="d"><v>2024-03-01T08:30:00</v></c>'
        '<c r="C4" t="d"><v>2024-03-02</v></c><c r="D4" s="0"/><c r="E4"><v>1E3</v></c></row>')
    path = _package(tmp_path / "shapes.xlsx", data, strings=strings, formats=formats, xfs=xfs)
    rows = _read(path)
    assert rows[0] == {"A": "plain", "B": "rich text", "C": "  kept  ", "D": "trimmed",
                       "E": "a & b <c> AB line\r"}
    assert rows[1] == {"A": dt.date(2024, 1, 1), "B": dt.datetime(2024, 1, 1, 12), "C": "36:30:00", "D": 3,
                       "E": "18:00:00"}
    assert rows[2] == {"A": True, "B": "#DIV/0!", "C": "plainx", "D": 2, "E": "<cdata> & more"}
    assert rows[3] == {"A": "plain", "B": dt.datetime(2024, 3, 1, 8, 30), "C": dt.date(2024, 3, 2), "D": None,
                       "E": 1000}


def test_prefixed_namespace_positions_left_out_and_backslash_names(tmp_path):
    data = ('<x:row><x:c t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c><x:c t="inlineStr"><x:is>'
            '<x:t>Qty</x:t></x:is></x:c></x:row>'
            '<x:row><x:c t="inlineStr"><x:is><x:t>bolt</x:t></x:is></x:c><x:c><x:v>4</x:v></x:c></x:row>'
            '<x:row r="5"><x:c r="B5"><x:v>7</x:v></x:c></x:row>')
    path = _package(tmp_path / "prefixed.xlsx", data, prefix="x:", sep="\\")
    loaded = load_table(path, ReadRequest(), Stop())
    assert list(loaded.result.table.rows) == [{"Name": "bolt", "Qty": 4}, {"Name": None, "Qty": 7}]
    assert list(loaded.result.row_numbers) == [2, 5]


def test_1904_dates_and_the_1900_leap_year_bug(tmp_path):
    data = ('<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>59</v></c>'
            '<c r="C1" s="1"><v>61</v></c></row>')
    xfs = '<xf numFmtId="0"/><xf numFmtId="14"/>'
    assert _read(_package(tmp_path / "d1900.xlsx", data.replace('<v>0</v>', '<v>1</v>'), xfs=xfs)) == [
        {"A": dt.date(1900, 1, 1), "B": dt.date(1900, 2, 28), "C": dt.date(1900, 3, 1)}]
    assert _read(_package(tmp_path / "d1904.xlsx", data, xfs=xfs, date1904=True))[0]["A"] == "00:00:00"
    assert _read(_package(tmp_path / "d1904b.xlsx", data.replace('<v>0</v>', '<v>1</v>'), xfs=xfs,
                          date1904=True))[0]["A"] == dt.date(1904, 1, 2)


def test_formulas_without_results_are_reported_not_empty(tmp_path):
    data = ('<row r="1"><c r="A1"><f>SUM(B1:B2)</f></c><c r="B1"><f t="shared" ref="B1:B2" si="0">C1*2</f>'
            '<v>4</v></c></row><row r="2"><c r="B2"><f t="shared" si="0"/></c></row>')
    path = _package(tmp_path / "uncalc.xlsx", data)
    with pytest.raises(NodeError, match=r"2 formula cell\(s\) have no calculated result \('Data'!A1, B2"):
        _read(path)


def test_merged_areas_fill_rows_without_values(tmp_path):
    data = ('<row r="1"><c r="A1" t="inlineStr"><is><t>North</t></is></c><c r="B1"><v>1</v></c></row>'
            '<row r="3"><c r="B3"><v>3</v></c></row>')
    tail = '<mergeCells count="1"><mergeCell ref="A1:A3"/></mergeCells>'
    path = _package(tmp_path / "merged.xlsx", data, tail=tail)
    assert _read(path, merged="fill") == [{"A": "North", "B": 1}, {"A": "North", "B": None},
                                          {"A": "North", "B": 3}]
    assert _read(path) == [{"A": "North", "B": 1}, {"A": None, "B": 3}]


@pytest.mark.parametrize(("data", "strings", "message"), [
    ('<row r="1"><c r="A1" t="s"><v>5</v></c></row>', [], r"sheet 'Data': cell A1 holds '5', which is not a "
                                                           r"valid string number"),
    ('<row r="1"><c r="A1"><v>twelve</v></c></row>', [],
     r"cell A1 holds 'twelve', which is not a valid value"),
])
def test_a_bad_cell_is_named(tmp_path, data, strings, message):
    path = _package(tmp_path / "bad.xlsx", data, strings=strings)
    with pytest.raises(NodeError, match=r"bad\.xlsx.*" + message):
        _read(path)


def test_a_truncated_package_names_the_file(tmp_path):
    good = tmp_path / "good.xlsx"
    wb = Workbook()
    for i in range(2000):
        wb.active.append([f"row {i}", i, i * 1.5])
    wb.save(good)
    data = good.read_bytes()
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(NodeError, match=r"cut\.xlsx: the file is damaged or not a \.xlsx workbook"):
        _read(bad)


def test_format_codes():
    assert format_kind("yyyy-mm-dd") == format_kind("[$-F800]dddd, mmmm dd, yyyy") == format_kind("mmm") == 1
    assert format_kind("h:mm AM/PM") == format_kind("mm:ss") == 2
    assert format_kind("[h]:mm:ss") == format_kind("[mm]:ss") == 3
    for code in ("0.00", '#,##0 "days"', "[Red]#,##0;[Blue]-#,##0", "0.0 \\m", "General", "@",
                 "_(* #,##0.00_)", "0.00E+00"):
        assert format_kind(code) == 0, code


def _random_workbook(path: Path, rows: int) -> None:
    rng = random.Random(11)
    wb = Workbook()
    ws = wb.active
    ws.append(["Text", "Int", "Float", "Day", "Moment", "Flag", "Mixed"])
    for i in range(rows):
        mixed = rng.choice([None, 1, 2.5, "n/a", dt.date(2024, 1, 2), True, "A & <b>"])
        if i == rows - 10:
            mixed = "late text"
        ws.append([rng.choice(["alpha", "beta", "", "  spaced  ", "x&y"]) if i % 13 else None,
                   rng.randrange(-10**6, 10**6) if i % 7 else None, rng.uniform(-1e6, 1e6),
                   dt.date(2020, 1, 1) + dt.timedelta(days=i % 900),
                   dt.datetime(2024, 1, 1) + dt.timedelta(minutes=37 * i), i % 3 == 0, mixed])
    ws["D3"] = "not a date"
    wb.save(path)


def test_large_sheet_matches_calamine_value_for_value(tmp_path):
    import python_calamine as pc

    path = tmp_path / "random.xlsx"
    _random_workbook(path, 6000)
    table = load_table(path, ReadRequest(header="first_row"), Stop()).result.table
    with pc.CalamineWorkbook.from_path(str(path)) as book:
        expected = book.get_sheet_by_name("Sheet").to_python()
    names = table.column_names
    assert len(table) == len(expected) - 1
    types = {c.name: c.type for c in table.columns}
    for got, want in zip(table.rows, expected[1:], strict=True):
        want = [clean(v) for v in want] + [None] * (len(names) - len(want))
        want = [dt.datetime(v.year, v.month, v.day) if types[n] == "datetime" and type(v) is dt.date else v
                for n, v in zip(names, want, strict=True)]  # a date beside date-times is midnight
        assert [got[n] for n in names] == want
    assert types == {"Text": "text", "Int": "integer", "Float": "number", "Day": "any", "Moment": "datetime",
                     "Flag": "boolean", "Mixed": "any"}
    stored = {c.name: type(table.column_values(c.name)).__name__ for c in table.columns}
    assert stored["Float"] == stored["Moment"] == stored["Int"] == stored["Flag"] == "SegmentedColumn"


def test_typed_columns_behave_as_lists():
    from nodes.spreadsheet._columns import ColumnBuilder

    builder = ColumnBuilder(0)
    builder.add(0, ["Amount", 1.0])
    builder.add(2, [2.5, None, 1e20])
    builder.add(6, [4.0])
    column = builder.finish(8)
    assert isinstance(column, SegmentedColumn)
    assert list(column) == ["Amount", 1, 2.5, None, 1e20, None, 4, None]
    assert column[-2] == 4 and column[1:3] == [1, 2.5] and len(column) == 8
    column.drop_first(1)
    assert column.table_type() == "number" and column[0] == 1
    with pytest.raises(IndexError):
        column[7]
    dates = ColumnBuilder(0)
    dates.add(0, [(45292.0, 1), (45292.25, 1), None])
    moments = dates.finish(3)
    assert moments.table_type() == "datetime"  # a date beside date-times becomes midnight
    assert list(moments) == [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 6), None]


def test_text_split_across_read_blocks_stays_whole(tmp_path):
    text = "東京都渋谷区" * 40  # three bytes a character: some fall across the 128 KB reads
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{text}{i}</t></is></c>'
                   f'<c r="B{i}" t="s"><v>{i - 1}</v></c></row>' for i in range(1, 3001))
    strings = [f"<si ><t>{text}{i}</t></si >" for i in range(1, 3001)]  # white space inside the tags too
    got = _read(_package(tmp_path / "cjk.xlsx", rows, strings=strings))
    assert got == [{"A": f"{text}{i}", "B": f"{text}{i}"} for i in range(1, 3001)]


@pytest.mark.parametrize("cut", ["</row>", "</row>\n", "</row></she"])
def test_a_sheet_cut_short_is_an_error_not_a_hang(tmp_path, cut):
    path = _package(tmp_path / "cut.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    _change_sheet(path, lambda xml: (xml[:xml.index(b"</row>")] + cut.encode()))
    with pytest.raises(NodeError, match=r"cut\.xlsx, sheet 'Data': the sheet's cells end before they should"):
        _read(path)


def test_odd_but_valid_shapes(tmp_path):
    data = ('<row><c r="A1"><v>1</v></c></row><row><c s="0" r="A5"><v>5</v></c></row>'  # rows without r
            '<row r="9"><c r="A9"><v>1</v></c><c r="A9"><v>2</v></c></row>'  # one cell twice: the last counts
            '<row r="7"><c r="A7" t="inlineStr"><is><r><t xml:space="preserve"/></r><r><t>a&#13;b</t></r>'
            '</is></c></row>'  # written after row 9; an empty run; a CR written as a character reference
            '<row r="8"><c r="A8" s="1"><v>3000000</v></c><c r="B8"><v>1E+20</v></c></row>'
            '<row r="10"><c r="A10" t="inlineStr"><is><t>_xD83D__xDE00_ and _xD83D_</t></is></c></row>')
    path = _package(tmp_path / "odd.xlsx", data, xfs='<xf numFmtId="0"/><xf numFmtId="14"/>')
    loaded = load_table(path, ReadRequest(header="none"), Stop())
    rows = list(loaded.result.table.rows)
    assert list(loaded.result.row_numbers) == [1, 5, 7, 8, 9, 10]
    assert [r["A"] for r in rows] == [1, 5, "a\rb", 3_000_000, 2, "\U0001f600 and _xD83D_"]
    assert rows[3]["B"] == 1e20 and {c.name: c.type for c in loaded.result.table.columns}["B"] == "number"
    for row in rows:
        for value in row.values():
            if isinstance(value, str):
                value.encode("utf-8")  # every text can be saved


def test_rows_and_cells_without_positions_over_many_blocks(tmp_path):
    rows = "".join("<row></row>" if i % 2 else f"<row><c><v>{i}</v></c></row>" for i in range(1, 14002))
    loaded = load_table(_package(tmp_path / "unnumbered.xlsx", rows), ReadRequest(header="none"), Stop())
    assert loaded.result.row_numbers[-1] == 14000 and loaded.result.table.rows[-1] == {"A": 14000}


def test_damaged_parts_name_the_file(tmp_path):
    missing = _package(tmp_path / "nosheet.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    _change_sheet(missing, lambda xml: None)
    with pytest.raises(NodeError, match=r"nosheet\.xlsx, sheet 'Data': the sheet 'Data' is missing"):
        _read(missing)


def test_a_table_read_from_a_sheet_feeds_the_row_nodes(tmp_path):
    """A table stored by column goes wherever a list of rows does (for each, join, JSON)."""
    import json

    from nodes._shared.values import to_jsonable
    from nodes.control.join import JoinConfig, join_tables

    path = tmp_path / "t.xlsx"
    _random_workbook(path, 3000)
    table = load_table(path, ReadRequest(), Stop()).result.table
    assert json.loads(json.dumps(table.rows, default=to_jsonable))[5]["Int"] == table.rows[5]["Int"]
    other = load_table(path, ReadRequest(range="A1:B40"), Stop()).result.table
    joined = join_tables(table, other, JoinConfig(left_key=["Int"], how="outer"), Stop())
    right_only = [r for r in joined.rows if r["Float"] is None]
    assert len(right_only) == sum(1 for r in other.rows if r["Int"] is None) > 0  # each once, no more


def test_filter_sort_and_find_keep_a_large_table_by_column(tmp_path):
    """Filter rows, Sort rows and Find rows give the same rows for a table stored by column as
    for the same rows as dicts, and hand on a table stored by column (no dict per row)."""
    from nodes.core.filter_rows import FilterRows
    from nodes.core.sort_rows import SortRows
    from nodes.spreadsheet.find_rows import FindRows
    from runtime.api import Table

    path = tmp_path / "t.xlsx"
    _random_workbook(path, 3000)
    by_column = load_table(path, ReadRequest(), Stop()).result.table
    as_rows = Table(by_column.columns, list(by_column.rows))
    condition = {"conditions": [{"column": "Int", "op": ">", "value": 0}]}
    for table in (by_column, as_rows):
        kept, _ = run(FilterRows(), tmp_path, condition, {"table": table})
        keys = [{"column": "Text"}, {"column": "Float", "descending": True}]
        ordered, _ = run(SortRows(), tmp_path, {"keys": keys}, {"table": table})
        if table is by_column:
            results = (kept.table, kept.rejected, ordered.table)
            assert all(t.read_only for t in results)
        else:
            assert (kept.table, kept.rejected, ordered.table) == results
    assert 0 < len(results[0]) < 3000 and len(results[0]) + len(results[1]) == 3000
    found, _ = run(FindRows(), tmp_path, {"path": "t.xlsx", **condition, "row_number_column": "Row"})
    assert found.table.read_only and found.table.column_names[-1] == "Row"
    assert [r["Int"] for r in found.table.rows] == [r["Int"] for r in results[0].rows]
    assert all(r["Row"] >= 2 for r in found.table.rows)


def test_taking_rows_keeps_numbers_typed():
    from nodes.spreadsheet._columns import ColumnBuilder
    from runtime.api import Table

    builder = ColumnBuilder(0)
    builder.add(0, ["head", 1.5])
    builder.add(2, [2.0, None, 4.0])
    builder.add(5, [(45292.0, 1)])
    column = builder.finish(6)
    picked = column.take([1, 2, 4])
    assert isinstance(picked, SegmentedColumn) and list(picked) == [1.5, 2, 4]
    assert picked.table_type() == "number"  # only what was taken counts
    assert column.take([5, 0]) == [dt.date(2024, 1, 1), "head"]  # out of order: plain values
    table = Table.from_columns(["x"], [column]).take([3, 1]).with_column("y", ["a", "b"])
    assert table.rows == [{"x": None, "y": "a"}, {"x": 1.5, "y": "b"}] and table.read_only
    rows = Table(["x"], [{"x": 1}, {"x": 2}]).take([1]).with_column("x", [5])
    assert rows.rows == [{"x": 5}] and not rows.read_only


def test_taking_rows_by_position_from_the_end_or_beyond_it():
    from nodes.spreadsheet._columns import ColumnBuilder

    builder = ColumnBuilder(0)
    builder.add(0, [1.0, 2.0, 3.0])
    column = builder.finish(3)
    assert list(column.take([-1])) == [3] and list(column.take([-3, -1])) == [1, 3]
    with pytest.raises(IndexError):
        column.take([0, 3])
