"""files.read_text and files.write_text."""

from __future__ import annotations

from runtime.api import NodeState


def test_read_utf8_and_windows_1252(run_node, tmp_path):
    (tmp_path / "u.txt").write_text("Grüße\n", encoding="utf-8")
    (tmp_path / "w.txt").write_bytes("Grüße – €\n".encode("cp1252"))
    assert run_node("files.read_text", {"path": "u.txt"}).ok() == {"text": "Grüße\n"}
    assert run_node("files.read_text", {"path": "w.txt"}).ok() == {"text": "Grüße – €\n"}
    assert run_node("files.read_text", {"path": "w.txt", "encoding": "latin-1"}).ok()["text"] != "Grüße – €\n"


def test_read_errors_name_the_file(run_node, tmp_path):
    missing = run_node("files.read_text", {"path": "gone.txt"})
    assert missing.state is NodeState.FAILED and "gone.txt" in missing.error
    (tmp_path / "dir").mkdir()
    folder = run_node("files.read_text", {"path": "dir"})
    assert folder.state is NodeState.FAILED and "is a folder" in folder.error


def test_write_creates_folders_and_replaces(run_node, tmp_path):
    out = run_node("files.write_text", {"path": "a/b/n.txt"}, {"text": "one"}).ok()
    assert out["file"].path == str(tmp_path.resolve() / "a" / "b" / "n.txt")
    run_node("files.write_text", {"path": "a/b/n.txt"}, {"text": "two"}).ok()
    assert (tmp_path / "a" / "b" / "n.txt").read_text(encoding="utf-8") == "two"


def test_write_appends_without_a_second_byte_order_mark(run_node, tmp_path):
    config = {"path": "log.txt", "append": True, "encoding": "utf-8-sig"}
    run_node("files.write_text", config, {"text": "first\n"}).ok()
    run_node("files.write_text", config, {"text": "second\n"}).ok()
    assert (tmp_path / "log.txt").read_bytes() == b"\xef\xbb\xbffirst\nsecond\n"


def test_write_takes_numbers_as_text(run_node, tmp_path):
    run_node("files.write_text", {"path": "n.txt"}, {"text": 42}).ok()
    assert (tmp_path / "n.txt").read_text(encoding="utf-8") == "42"


def test_write_refuses_to_replace_when_told(run_node, tmp_path):
    (tmp_path / "k.txt").write_text("keep", encoding="utf-8")
    run = run_node("files.write_text", {"path": "k.txt", "overwrite": False}, {"text": "new"})
    assert run.state is NodeState.FAILED and "already exists" in run.error
    assert (tmp_path / "k.txt").read_text(encoding="utf-8") == "keep"


def test_write_onto_a_folder_is_an_error(run_node, tmp_path):
    (tmp_path / "d").mkdir()
    run = run_node("files.write_text", {"path": "d"}, {"text": "x"})
    assert run.state is NodeState.FAILED and "is a folder" in run.error
