"""Readers are cached by what they read: the same relative path in two flow folders, with files of
the same size and modification time, must not share a cached result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtime.api import Runner

SAME_TIME_NS = 1_700_000_000_000_000_000


def _twin_folders(tmp_path: Path, name: str, contents: tuple[str, str]) -> tuple[Path, Path]:
    folders = []
    for label, text in zip(("a", "b"), contents, strict=True):
        folder = tmp_path / label
        (folder / "in").mkdir(parents=True)
        for path in (folder / name, folder / "in" / name):
            path.write_text(text, encoding="utf-8")
            os.utime(path, ns=(SAME_TIME_NS, SAME_TIME_NS))
        folders.append(folder)
    assert (folders[0] / name).stat().st_size == (folders[1] / name).stat().st_size
    return folders[0], folders[1]


def _run(runner: Runner, build_flow, folder: Path, type_id: str, config: dict) -> tuple[dict, bool]:
    result = runner.run_sync(build_flow(type_id, config), flow_path=folder / "flow.loom", keep_outputs=True)
    outcome = result.nodes["n_target"]
    assert outcome.error is None, outcome.error
    return result.node_outputs["n_target"], outcome.cached


@pytest.mark.parametrize(("type_id", "config", "read"), [
    ("files.csv_read", {"path": "data.csv"}, lambda out: out["table"].rows),
    ("files.read_text", {"path": "data.csv"}, lambda out: out["text"]),
    ("files.list_folder", {"folder": "in"}, lambda out: out["paths"]),
])
def test_same_relative_path_in_two_folders_is_not_one_cache_entry(make_runner, build_flow, tmp_path,
                                                                    type_id, config, read):
    a, b = _twin_folders(tmp_path, "data.csv", ("v\nA\n", "v\nB\n"))
    runner = make_runner()
    first, _ = _run(runner, build_flow, a, type_id, config)
    second, cached = _run(runner, build_flow, b, type_id, config)
    assert not cached
    assert read(first) != read(second)
    again, cached = _run(runner, build_flow, a, type_id, config)
    assert cached and read(again) == read(first)


def test_a_replaced_file_of_the_same_size_and_time_is_read_again(make_runner, build_flow, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("v\n1\n", encoding="utf-8")
    os.utime(path, ns=(SAME_TIME_NS, SAME_TIME_NS))
    runner = make_runner()
    assert _run(runner, build_flow, tmp_path, "files.csv_read", {"path": "d.csv"})[0]["table"].rows == [
        {"v": "1"}]
    replacement = tmp_path / "new.csv"
    replacement.write_text("v\n2\n", encoding="utf-8")
    os.utime(replacement, ns=(SAME_TIME_NS, SAME_TIME_NS))
    os.replace(replacement, path)  # what an atomic save does: a new file under the old name
    out, cached = _run(runner, build_flow, tmp_path, "files.csv_read", {"path": "d.csv"})
    assert not cached and out["table"].rows == [{"v": "2"}]


def test_the_listing_fingerprint_follows_folder_and_options(tmp_path):
    from nodes.files.list_folder import ListFolder, ListFolderConfig, ListFolderInputs

    class Ctx:
        flow_dir = tmp_path

        def resolve_path(self, path: str) -> Path:
            return tmp_path / path

    for name in ("x", "y"):
        (tmp_path / name).mkdir()
    node, ctx = ListFolder(), Ctx()

    def fingerprint(**config: object) -> str | None:
        return node.fingerprint(ctx, ListFolderConfig(**config), ListFolderInputs())  # type: ignore[arg-type]

    empty_x, empty_y = fingerprint(folder="x"), fingerprint(folder="y")
    assert empty_x and empty_y and empty_x != empty_y  # two empty folders differ too
    assert fingerprint(folder="x", pattern="*.csv") != empty_x
    assert fingerprint(folder="x", include_hidden=True) != empty_x
    assert fingerprint(folder="x") == empty_x
