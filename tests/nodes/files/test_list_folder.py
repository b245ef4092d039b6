"""files.list_folder: patterns, recursion, hidden entries, sorting, fingerprint."""

from __future__ import annotations

import os

import pytest

from runtime.api import CompileError, NodeState


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "in"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    files = {"b.csv": 3, "A.csv": 10, "notes.txt": 1, "sub/c.csv": 5, "sub/deeper/d.csv": 2,
             ".hidden/e.csv": 1, ".f.csv": 1}
    for i, (name, size) in enumerate(files.items()):
        path = root / name
        path.write_bytes(b"x" * size)
        os.utime(path, ns=(1_700_000_000_000_000_000 + i * 10**9,) * 2)
    return root.resolve()


def names(out):
    return [r["name"] for r in out["files"].rows]


def test_matches_a_pattern_in_one_folder(run_node, tree):
    out = run_node("files.list_folder", {"folder": "in", "pattern": "*.csv"}).ok()
    assert names(out) == ["A.csv", "b.csv"]
    assert out["files"].column_names == ["path", "name", "size", "modified"]
    row = out["files"].rows[0]
    assert row["path"] == str(tree / "A.csv") and row["size"] == 10
    assert row["modified"].startswith("2023-11-1")
    assert out["paths"] == [str(tree / "A.csv"), str(tree / "b.csv")]


def test_double_star_searches_sub_folders_but_skips_hidden(run_node, tree):
    out = run_node("files.list_folder", {"folder": "in", "pattern": "**/*.csv"}).ok()
    assert names(out) == ["A.csv", "b.csv", "c.csv", "d.csv"]
    config = {"folder": "in", "pattern": "**/*.csv", "include_hidden": True}
    hidden = run_node("files.list_folder", config).ok()
    assert sorted(names(hidden)) == [".f.csv", "A.csv", "b.csv", "c.csv", "d.csv", "e.csv"]


def test_folders_only_and_sorting_by_date_or_size(run_node, tree):
    folders = run_node("files.list_folder", {"folder": "in", "include_files": False,
                                             "include_folders": True}).ok()
    assert names(folders) == ["sub"] and folders["files"].rows[0]["size"] is None
    newest = run_node("files.list_folder", {"folder": "in", "sort_by": "modified", "descending": True}).ok()
    assert names(newest) == ["notes.txt", "A.csv", "b.csv"]
    by_size = run_node("files.list_folder", {"folder": "in", "sort_by": "size"}).ok()
    assert names(by_size) == ["notes.txt", "b.csv", "A.csv"]


def test_the_folder_input_overrides_the_config(run_node, tree):
    out = run_node("files.list_folder", {"folder": "elsewhere"}, {"folder": str(tree / "sub")}).ok()
    assert names(out) == ["c.csv"]


def test_missing_folder_and_file_instead_of_folder(run_node, tree):
    missing = run_node("files.list_folder", {"folder": "nope"})
    assert missing.state is NodeState.FAILED and "nope" in missing.error and "does not exist" in missing.error
    a_file = run_node("files.list_folder", {"folder": "in/b.csv"})
    assert a_file.state is NodeState.FAILED and "not a folder" in a_file.error


@pytest.mark.parametrize("pattern", ["/etc/*", "../*.csv"])
def test_patterns_stay_inside_the_folder(run_node, pattern):
    with pytest.raises(CompileError):
        run_node("files.list_folder", {"folder": "in", "pattern": pattern})


def test_cached_until_the_listing_changes(run_node, make_runner, tree):
    runner = make_runner()
    config = {"folder": "in", "pattern": "*.csv"}
    assert not run_node("files.list_folder", config, runner=runner).cached
    assert run_node("files.list_folder", config, runner=runner).cached
    (tree / "new.csv").write_text("n", encoding="utf-8")
    again = run_node("files.list_folder", config, runner=runner)
    assert not again.cached and "new.csv" in names(again.ok())
