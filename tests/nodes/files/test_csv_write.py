"""files.csv_write: formats, atomic replacement, errors; and a round trip with csv_read."""

from __future__ import annotations

import datetime as dt

from runtime.api import FileRef, NodeState, Table

TABLE = Table.from_records([
    {"name": "Müller; K", "amount": 1.5, "paid": True, "due": dt.date(2024, 1, 31), "note": None},
    {"name": 'Say "hi"', "amount": 2, "paid": False, "due": None, "note": "x"},
])


def test_writes_csv_and_returns_a_file_reference(run_node, tmp_path):
    out = run_node("files.csv_write", {"path": "out/result.csv"}, {"table": TABLE}).ok()
    path = tmp_path.resolve() / "out" / "result.csv"
    assert out["file"] == FileRef(path=str(path), name="result.csv", media_type="text/csv")
    assert path.read_bytes().decode() == (
        "name,amount,paid,due,note\r\n"
        "Müller; K,1.5,true,2024-01-31,\r\n"
        '"Say ""hi""",2,false,,x\r\n')
    assert [p.name for p in path.parent.iterdir()] == ["result.csv"]


def test_options_delimiter_quoting_header_and_bom(run_node, tmp_path):
    config = {"path": "r.csv", "delimiter": "tab", "quoting": "all", "header": False,
              "encoding": "utf-8-sig"}
    run_node("files.csv_write", config, {"table": Table.from_records([{"a": "x", "b": 1}])}).ok()
    assert (tmp_path / "r.csv").read_bytes() == b'\xef\xbb\xbf"x"\t"1"\r\n'


def test_round_trip_with_the_reader(run_node, tmp_path):
    run_node("files.csv_write", {"path": "rt.csv", "delimiter": ";"}, {"table": TABLE}).ok()
    table = run_node("files.csv_read", {"path": "rt.csv", "infer_types": True}).ok()["table"]
    assert table.rows[0] == {"name": "Müller; K", "amount": 1.5, "paid": True, "due": "2024-01-31",
                             "note": ""}
    assert table.rows[1]["name"] == 'Say "hi"'


def test_an_existing_file_is_kept_when_replacing_is_off(run_node, tmp_path):
    (tmp_path / "keep.csv").write_text("old", encoding="utf-8")
    run = run_node("files.csv_write", {"path": "keep.csv", "overwrite": False}, {"table": TABLE})
    assert run.state is NodeState.FAILED
    assert "keep.csv" in run.error and "already exists" in run.error
    assert (tmp_path / "keep.csv").read_text(encoding="utf-8") == "old"


def test_characters_the_encoding_lacks_are_reported_and_nothing_is_written(run_node, tmp_path):
    table = Table.from_records([{"name": "Łódź €"}])
    run = run_node("files.csv_write", {"path": "x.csv", "encoding": "latin-1"}, {"table": table})
    assert run.state is NodeState.FAILED
    assert "'Ł'" in run.error and "latin-1" in run.error
    assert not (tmp_path / "x.csv").exists()


def test_missing_folders_are_an_error_when_not_creating_them(run_node, tmp_path):
    run = run_node("files.csv_write", {"path": "no/such/x.csv", "create_folders": False}, {"table": TABLE})
    assert run.state is NodeState.FAILED
    assert "does not exist" in run.error
