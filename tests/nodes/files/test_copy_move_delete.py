"""files.copy, files.move and files.delete."""

from __future__ import annotations

import pytest

from runtime.api import CompileError, NodeState


@pytest.fixture
def src(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("A", encoding="utf-8")
    (tmp_path / "in" / "sub").mkdir()
    (tmp_path / "in" / "sub" / "b.txt").write_text("B", encoding="utf-8")
    (tmp_path / "archive").mkdir()
    return tmp_path


def test_copy_to_a_new_name_and_into_a_folder(run_node, src):
    out = run_node("files.copy", {"source": "in/a.txt", "destination": "in/a-copy.txt"}).ok()
    assert out["file"].path == str(src.resolve() / "in" / "a-copy.txt")
    run_node("files.copy", {"source": "in/a.txt", "destination": "archive"}).ok()
    assert (src / "archive" / "a.txt").read_text(encoding="utf-8") == "A"
    assert (src / "in" / "a.txt").exists()
    assert sorted(p.name for p in (src / "archive").iterdir()) == ["a.txt"]


def test_copy_refuses_to_replace_unless_told(run_node, src):
    (src / "archive" / "a.txt").write_text("old", encoding="utf-8")
    run = run_node("files.copy", {"source": "in/a.txt", "destination": "archive/"})
    assert run.state is NodeState.FAILED and "already exists" in run.error
    assert (src / "archive" / "a.txt").read_text(encoding="utf-8") == "old"
    run_node("files.copy", {"source": "in/a.txt", "destination": "archive/", "overwrite": True}).ok()
    assert (src / "archive" / "a.txt").read_text(encoding="utf-8") == "A"


def test_copy_can_keep_an_existing_file_to_start_from_a_template_once(run_node, src):
    config = {"source": "in/a.txt", "destination": "archive/register.txt", "keep_existing": True}
    first = run_node("files.copy", config).ok()
    assert (src / "archive" / "register.txt").read_text(encoding="utf-8") == "A"
    (src / "archive" / "register.txt").write_text("edited since", encoding="utf-8")
    again = run_node("files.copy", config)
    assert again.ok()["file"] == first["file"]
    assert (src / "archive" / "register.txt").read_text(encoding="utf-8") == "edited since"
    assert any("kept the existing" in line for line in again.logs("info"))


def test_copy_keep_and_replace_exclude_each_other(run_node, src):
    with pytest.raises(CompileError) as info:
        run_node("files.copy", {"source": "in/a.txt", "destination": "archive/", "keep_existing": True,
                                "overwrite": True})
    assert "not both" in info.value.problems[0].message


def test_copy_a_folder_and_not_into_itself(run_node, src):
    run_node("files.copy", {"source": "in", "destination": "backup/"}).ok()
    assert (src / "backup" / "in" / "sub" / "b.txt").read_text(encoding="utf-8") == "B"
    run = run_node("files.copy", {"source": "in", "destination": "in/sub"})
    assert run.state is NodeState.FAILED and "into itself" in run.error


def test_copy_a_missing_source_names_it(run_node, src):
    run = run_node("files.copy", {"source": "in/zz.txt", "destination": "archive"})
    assert run.state is NodeState.FAILED and "zz.txt" in run.error and "does not exist" in run.error


def test_move_renames_and_moves_into_a_new_folder(run_node, src):
    run_node("files.move", {"source": "in/a.txt", "destination": "in/renamed.txt"}).ok()
    assert not (src / "in" / "a.txt").exists()
    moved = str(src / "in" / "renamed.txt")
    out = run_node("files.move", {"destination": "done/2024/"}, {"source": moved}).ok()
    assert (src / "done" / "2024" / "renamed.txt").read_text(encoding="utf-8") == "A"
    assert out["file"].name == "renamed.txt"


def test_move_onto_an_existing_file_needs_permission(run_node, src):
    (src / "archive" / "a.txt").write_text("old", encoding="utf-8")
    run = run_node("files.move", {"source": "in/a.txt", "destination": "archive"})
    assert run.state is NodeState.FAILED and (src / "in" / "a.txt").exists()
    run_node("files.move", {"source": "in/a.txt", "destination": "archive", "overwrite": True}).ok()
    assert (src / "archive" / "a.txt").read_text(encoding="utf-8") == "A"


def test_delete_a_file(run_node, src):
    out = run_node("files.delete", {"path": "in/a.txt"}).ok()
    assert out == {"path": str(src.resolve() / "in" / "a.txt"), "deleted": True}
    assert not (src / "in" / "a.txt").exists()


def test_delete_refuses_folders_unless_recursive(run_node, src):
    run = run_node("files.delete", {"path": "in/sub"})
    assert run.state is NodeState.FAILED and "is a folder" in run.error
    assert (src / "in" / "sub" / "b.txt").exists()
    run_node("files.delete", {"path": "in/sub", "recursive": True}).ok()
    assert not (src / "in" / "sub").exists()


def test_delete_never_removes_the_flow_folder(run_node, src):
    run = run_node("files.delete", {"path": ".", "recursive": True})
    assert run.state is NodeState.FAILED and "refusing" in run.error
    assert (src / "in" / "a.txt").exists()


def test_delete_something_missing(run_node, src):
    run = run_node("files.delete", {"path": "in/gone.txt"})
    assert run.state is NodeState.FAILED and "gone.txt" in run.error
    out = run_node("files.delete", {"path": "in/gone.txt", "missing_ok": True}).ok()
    assert out["deleted"] is False
