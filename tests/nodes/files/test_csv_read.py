"""files.csv_read: encodings, delimiters, headers, type inference, errors, fingerprint cache."""

from __future__ import annotations

import os

import pytest

from runtime.api import CompileError, FileRef, NodeState


def read(run_node, config, inputs=None):
    return run_node("files.csv_read", config, inputs)


def test_semicolons_in_windows_1252_are_detected(run_node, tmp_path):
    (tmp_path / "bank.csv").write_bytes("Name;Betrag;Ort\nMüller;1,50;Köln\n\"Smith; J\";2;Zürich\n"
                                        .encode("cp1252"))
    run = read(run_node, {"path": "bank.csv"})
    table = run.ok()["table"]
    assert table.column_names == ["Name", "Betrag", "Ort"]
    assert table.rows == [{"Name": "Müller", "Betrag": "1,50", "Ort": "Köln"},
                          {"Name": "Smith; J", "Betrag": "2", "Ort": "Zürich"}]
    assert {c.type for c in table.columns} == {"text"}
    assert any("cp1252" in m and "delimiter ;" in m for m in run.logs("info"))


def test_utf8_bom_tabs_and_quoted_newlines(run_node, tmp_path):
    (tmp_path / "t.tsv").write_bytes("\ufeffid\tnote\n1\t\"two\nlines\"\n".encode())
    table = read(run_node, {"path": "t.tsv"}).ok()["table"]
    assert table.column_names == ["id", "note"]
    assert table.rows == [{"id": "1", "note": "two\nlines"}]


def test_no_header_names_columns_by_position(run_node, tmp_path):
    (tmp_path / "a.csv").write_text("a,b\nc,d\n", encoding="utf-8")
    table = read(run_node, {"path": "a.csv", "header": False}).ok()["table"]
    assert table.column_names == ["column_1", "column_2"]
    assert len(table) == 2


def test_ragged_rows_blank_lines_and_duplicate_names(run_node, tmp_path):
    (tmp_path / "r.csv").write_text("x,x,\n1,2,3,4\n\n,,,\n5\n", encoding="utf-8")
    run = read(run_node, {"path": "r.csv", "delimiter": ","})
    table = run.ok()["table"]
    assert table.column_names == ["x", "x (2)", "column_3", "column_4"]
    assert table.rows == [{"x": "1", "x (2)": "2", "column_3": "3", "column_4": "4"},
                          {"x": "5", "x (2)": "", "column_3": "", "column_4": ""}]
    assert run.logs("warning")


def test_type_inference_is_per_column_and_keeps_codes(run_node, tmp_path):
    (tmp_path / "t.csv").write_text("code,qty,price,paid,mixed\n00123,3,1.5,true,1\n"
                                    "00456,,2,FALSE,x\n", encoding="utf-8")
    table = read(run_node, {"path": "t.csv", "infer_types": True}).ok()["table"]
    assert [c.type for c in table.columns] == ["text", "integer", "number", "boolean", "text"]
    assert table.rows[0] == {"code": "00123", "qty": 3, "price": 1.5, "paid": True, "mixed": "1"}
    assert table.rows[1] == {"code": "00456", "qty": None, "price": 2.0, "paid": False, "mixed": "x"}


def test_the_path_input_overrides_the_config(run_node, tmp_path):
    (tmp_path / "b.csv").write_text("v\n1\n", encoding="utf-8")
    assert read(run_node, {"path": "missing.csv"}, {"path": "b.csv"}).ok()["table"].rows == [{"v": "1"}]
    ref = FileRef(path=str(tmp_path / "b.csv"))
    assert read(run_node, {}, {"path": ref}).ok()["table"].rows == [{"v": "1"}]


def test_a_missing_file_is_named(run_node, tmp_path):
    run = read(run_node, {"path": "nope.csv"})
    assert run.state is NodeState.FAILED
    assert str(tmp_path / "nope.csv") in run.error and "does not exist" in run.error


def test_no_path_at_all_says_what_to_do(run_node):
    run = read(run_node, {})
    assert run.state is NodeState.FAILED
    assert "File: no path given" in run.error


def test_a_wrong_configured_encoding_is_reported(run_node, tmp_path):
    (tmp_path / "c.csv").write_bytes("a\nMüller\n".encode("cp1252"))
    run = read(run_node, {"path": "c.csv", "encoding": "utf-8"})
    assert run.state is NodeState.FAILED
    assert "c.csv" in run.error and "utf-8" in run.error


@pytest.mark.parametrize("config", [{"encoding": "klingon"}, {"delimiter": ";;"}])
def test_invalid_settings_are_config_problems(run_node, config):
    with pytest.raises(CompileError):
        read(run_node, {"path": "x.csv", **config})


def test_cached_until_the_file_changes(run_node, make_runner, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("v\n1\n", encoding="utf-8")
    runner = make_runner()
    first = read(run_node, {"path": "d.csv"})
    assert not first.cached
    second = run_node("files.csv_read", {"path": "d.csv"}, runner=runner)
    assert second.cached and second.ok()["table"].rows == [{"v": "1"}]
    path.write_text("v\n2\n", encoding="utf-8")
    os.utime(path, ns=(1, 1_000_000_000))
    third = run_node("files.csv_read", {"path": "d.csv"}, runner=runner)
    assert not third.cached and third.ok()["table"].rows == [{"v": "2"}]


def test_decimal_comma_numbers_are_read_when_asked() -> None:
    from nodes.files._csv_format import infer_columns

    rows = [{"amount": "830,50"}, {"amount": "1.234,00"}, {"amount": "12"}, {"amount": ""}]
    assert infer_columns(["amount"], rows, ",") == ({"amount": "number"}, [])
    assert [r["amount"] for r in rows] == [830.5, 1234.0, 12.0, None]
    text_rows = [{"code": "1,5"}, {"code": "abc"}]
    assert infer_columns(["code"], text_rows, ",") == ({"code": "text"}, [])
    plain = [{"amount": "830,50"}]
    assert infer_columns(["amount"], plain) == ({"amount": "text"}, [])


def test_an_unclosed_quote_at_the_end_fails_naming_file_and_line(run_node, tmp_path):
    (tmp_path / "q.csv").write_text('id,note\n1,fine\n2,"oops\n3,lost\n4,lost too\n', encoding="utf-8")
    run = read(run_node, {"path": "q.csv"})
    assert run.state is NodeState.FAILED
    assert str(tmp_path / "q.csv") in run.error
    assert "quote that starts a value on line 3 is never closed" in run.error


def test_an_unclosed_quote_that_swallows_lines_until_a_later_quote_fails(run_node, tmp_path):
    (tmp_path / "q.csv").write_text('id,note\n1,"oops\n2,lost\n3,"quoted"\n', encoding="utf-8")
    run = read(run_node, {"path": "q.csv"})
    assert run.state is NodeState.FAILED
    assert "q.csv" in run.error and "line 2" in run.error and "lines 2 to 4" in run.error


def test_text_after_a_closing_quote_is_reported_on_its_line(run_node, tmp_path):
    (tmp_path / "q.csv").write_text('id,note\n1,"a "b" c"\n', encoding="utf-8")
    run = read(run_node, {"path": "q.csv"})
    assert run.state is NodeState.FAILED and "on line 2" in run.error and '""' in run.error


def test_quotes_inside_values_and_multi_line_values_still_read(run_node, tmp_path):
    (tmp_path / "ok.csv").write_text('id,note\n1,"say ""hi"""\n2,5" screen\n3,"two\nlines"\n',
                                     encoding="utf-8")
    table = read(run_node, {"path": "ok.csv"}).ok()["table"]
    assert [r["note"] for r in table.rows] == ['say "hi"', '5" screen', "two\nlines"]


def test_a_column_of_only_point_grouped_values_is_ambiguous_in_a_semicolon_file(run_node, tmp_path):
    (tmp_path / "eu.csv").write_text("Artikel;Menge;Preis\nA;1.500;830,50\nB;2.250;1.234,00\n",
                                     encoding="utf-8")
    run = read(run_node, {"path": "eu.csv", "infer_types": True})
    table = run.ok()["table"]
    assert [c.type for c in table.columns] == ["text", "text", "number"]
    assert [r["Menge"] for r in table.rows] == ["1.500", "2.250"]
    assert [r["Preis"] for r in table.rows] == [830.5, 1234.0]
    [warning] = run.logs("warning")
    assert "'Menge'" in warning and "1.500" in warning


def test_decimal_comma_needs_one_value_with_the_comma() -> None:
    from nodes.files._csv_format import infer_columns

    rows = [{"n": "1.500"}, {"n": "2.250"}]
    types, warnings = infer_columns(["n"], rows, ",")
    assert types == {"n": "text"} and [r["n"] for r in rows] == ["1.500", "2.250"]
    assert len(warnings) == 1 and "'n'" in warnings[0]
    mixed = [{"n": "1.500"}, {"n": "12"}, {"n": "0,75"}]
    assert infer_columns(["n"], mixed, ",") == ({"n": "number"}, [])
    assert [r["n"] for r in mixed] == [1500.0, 12.0, 0.75]
    chosen = [{"n": "2.5"}]  # a decimal point, though ',' was chosen: left as text
    assert infer_columns(["n"], chosen, ",") == ({"n": "text"}, [])
    guessed = [{"n": "2.5"}, {"n": "3"}]  # ',' only assumed from ';': "2.5" can only be 2.5
    assert infer_columns(["n"], guessed, ",", guessed=True) == ({"n": "number"}, [])


@pytest.mark.parametrize("values", [["1e400", "2"], ["nan", "1.5"], ["inf", "1"], ["-1e999"],
                                    ["1" * 5000]])
def test_numbers_that_would_become_infinite_or_not_a_number_stay_text(values) -> None:
    from nodes.files._csv_format import infer_columns

    rows = [{"v": v} for v in values]
    assert infer_columns(["v"], rows) == ({"v": "text"}, [])
    assert [r["v"] for r in rows] == values


def test_an_unclosed_quote_in_a_large_file_names_its_line(run_node, tmp_path):
    lines = "".join(f"{i},row {i}\n" for i in range(3, 30_000))
    (tmp_path / "big.csv").write_text(f'id,note\n1,"unclosed\n{lines}', encoding="utf-8")
    run = read(run_node, {"path": "big.csv"})
    assert run.state is NodeState.FAILED
    assert "big.csv" in run.error and "line 2" in run.error and "quote" in run.error
