"""Write errors say what is really wrong (a file where a folder should be, a folder that takes no
files, permission, a read-only disk) and name the path; copy and move replace files safely."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from nodes.files._common import os_error
from runtime.api import NodeState, Table

TABLE = Table.from_records([{"a": 1}])


@pytest.mark.parametrize("create_folders", [True, False])
def test_writing_below_a_file_says_that_file_is_not_a_folder(run_node, tmp_path, create_folders):
    (tmp_path / "people.csv").write_text("x", encoding="utf-8")
    for type_id, inputs in (("files.csv_write", {"table": TABLE}), ("files.write_text", {"text": "t"})):
        run = run_node(type_id, {"path": "people.csv/x.csv", "create_folders": create_folders}, inputs)
        assert run.state is NodeState.FAILED
        assert f"{tmp_path / 'people.csv'} is a file, not a folder" in run.error, run.error
        assert "does not exist" not in run.error and "already exists" not in run.error


def test_writing_deeper_below_a_file_names_that_file(run_node, tmp_path):
    (tmp_path / "people.csv").write_text("x", encoding="utf-8")
    run = run_node("files.csv_write", {"path": "people.csv/sub/x.csv"}, {"table": TABLE})
    assert run.state is NodeState.FAILED and f"{tmp_path / 'people.csv'} is a file" in run.error


def test_a_missing_folder_is_named_and_the_option_mentioned(run_node, tmp_path):
    run = run_node("files.csv_write", {"path": "no/x.csv", "create_folders": False}, {"table": TABLE})
    assert run.state is NodeState.FAILED
    assert f"the folder {tmp_path / 'no'} does not exist" in run.error
    assert "Create missing folders" in run.error


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_takes_no_new_files_is_not_called_missing(run_node):
    run = run_node("files.csv_write", {"path": "/proc/x.csv"}, {"table": TABLE})
    assert run.state is NodeState.FAILED
    assert "/proc/x.csv" in run.error and "does not exist" not in run.error
    assert "new files cannot be created in /proc" in run.error


def test_reading_below_a_file_names_that_file(run_node, tmp_path):
    (tmp_path / "people.csv").write_text("x", encoding="utf-8")
    run = run_node("files.read_text", {"path": "people.csv/x.txt"})
    assert run.state is NodeState.FAILED and f"{tmp_path / 'people.csv'} is a file, not a folder" in run.error


@pytest.mark.parametrize(("exc", "exists", "expected"), [
    (PermissionError(errno.EACCES, "Permission denied"), False, "you may not create files in"),
    (PermissionError(errno.EACCES, "Permission denied"), True, "read-only or open in another program"),
    (OSError(errno.EROFS, "Read-only file system"), False, "is on a read-only file system"),
    (OSError(errno.ENOSPC, "No space left on device"), False, "the disk is full"),
])
def test_write_error_messages(tmp_path, exc, exists, expected):
    path = tmp_path / "out.csv"
    if exists:
        path.write_text("x", encoding="utf-8")
    message = str(os_error(exc, path, "write", writing=True))
    assert message.startswith(f"cannot write {path}: ") and expected in message


def test_copy_and_move_replace_files_through_an_fsynced_temporary_file(run_node, tmp_path, monkeypatch):
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    (tmp_path / "a.txt").write_text("new", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("old", encoding="utf-8")
    os.utime(tmp_path / "a.txt", ns=(1_600_000_000_000_000_000,) * 2)
    run_node("files.copy", {"source": "a.txt", "destination": "out", "overwrite": True}).ok()
    assert synced, "the copy was not flushed to disk before it replaced the old file"
    copied = tmp_path / "out" / "a.txt"
    assert copied.read_text(encoding="utf-8") == "new"
    assert copied.stat().st_mtime_ns == 1_600_000_000_000_000_000  # dates kept, as copy2 did
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt"]  # no temporary left


def test_cross_drive_move_copies_safely_then_removes_the_original(run_node, tmp_path, monkeypatch):
    real_replace = os.replace

    def no_cross_device_rename(src, dst):
        if Path(src).name == "a.txt":
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src), None, str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", no_cross_device_rename)
    (tmp_path / "a.txt").write_text("moved", encoding="utf-8")
    run_node("files.move", {"source": "a.txt", "destination": "elsewhere/"}).ok()
    assert not (tmp_path / "a.txt").exists()
    assert (tmp_path / "elsewhere" / "a.txt").read_text(encoding="utf-8") == "moved"
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["a.txt"]


def test_copy_of_an_unreadable_source_blames_the_source(tmp_path):
    from nodes.files._transfer import carry_out

    def unreadable(source, target, stop):
        raise PermissionError(errno.EACCES, "Permission denied", str(source))

    import asyncio

    from runtime.api import NodeError

    with pytest.raises(NodeError, match=r"cannot read .*a\.txt: permission denied"):
        asyncio.run(carry_out(unreadable, tmp_path / "a.txt", tmp_path / "b.txt", "copy"))
