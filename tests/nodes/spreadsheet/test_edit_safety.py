"""Saving never damages a workbook: lock files, read-only files, wrong formats, lossy content,
cancellation and failed writes leave the file byte for byte as it was; backups; macros kept."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile

import pytest
from openpyxl import load_workbook
from sheet_helpers import CORPUS, run

from nodes._shared.offload import Stop, Stopped
from nodes.spreadsheet._edit import SaveOptions, edit
from nodes.spreadsheet.append_rows import AppendRows
from nodes.spreadsheet.write_range import WriteRange
from runtime.api import NodeError

ROW = {"rows": [{"Invoice": "INV-100", "Amount": 1}]}
CONFIG = {"sheet": "Invoices"}


@pytest.mark.parametrize(("lock", "program"), [("~$invoices.xlsx", "Excel"), ("~$voices.xlsx", "Excel"),
                                               (".~lock.invoices.xlsx#", "LibreOffice")])
def test_a_workbook_open_in_excel_or_libreoffice_is_not_touched(rich, lock, program):
    (rich.parent / lock).write_text("someone")
    before = rich.read_bytes()
    with pytest.raises(NodeError, match=rf"cannot save invoices.xlsx: it is open in {program}"):
        run(AppendRows(), rich.parent, {"path": rich.name, **CONFIG}, ROW)
    assert rich.read_bytes() == before


def test_a_read_only_workbook_is_not_touched(rich):
    before = rich.read_bytes()
    rich.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(NodeError, match=r"cannot save invoices\.xlsx: the file is read-only"):
            run(AppendRows(), rich.parent, {"path": rich.name, **CONFIG}, ROW)
    finally:
        rich.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert rich.read_bytes() == before


@pytest.mark.parametrize("name", ["old.xls", "binary.xlsb", "calc.ods", "data.csv"])
def test_editing_needs_xlsx_or_xlsm(tmp_path, name):
    (tmp_path / name).write_bytes(b"whatever")
    with pytest.raises(NodeError, match=rf"cannot edit {name}: editing needs an .xlsx or .xlsm workbook"):
        run(WriteRange(), tmp_path, {"path": name}, {"values": 1})


def test_empty_corrupt_and_missing_workbooks(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04garbage")
    for name, reason in (("empty.xlsx", "the file is empty"), ("broken.xlsx", "damaged or not an .xlsx"),
                         ("missing.xlsx", "does not exist")):
        with pytest.raises(NodeError) as caught:
            run(WriteRange(), tmp_path, {"path": name}, {"values": 1})
        assert name in str(caught.value) and reason in str(caught.value), str(caught.value)


@pytest.mark.skipif(not (CORPUS / "pass_protected.xlsx").exists(), reason="the shared corpus is not present")
def test_a_password_protected_workbook_cannot_be_edited(tmp_path):
    shutil.copy(CORPUS / "pass_protected.xlsx", tmp_path / "secret.xlsx")
    with pytest.raises(NodeError, match=r"secret\.xlsx.*password-protected"):
        run(WriteRange(), tmp_path, {"path": "secret.xlsx"}, {"values": 1})


def test_backup_copies(rich):
    before = rich.read_bytes()
    run(AppendRows(), rich.parent, {"path": rich.name, **CONFIG, "backup": True}, ROW)
    assert (rich.parent / "invoices.bak.xlsx").read_bytes() == before
    stamped_config = {"path": rich.name, **CONFIG, "backup": True, "backup_naming": "timestamp"}
    run(AppendRows(), rich.parent, stamped_config, ROW)
    stamped = [p for p in rich.parent.iterdir() if p.name.startswith("invoices.20")]
    assert len(stamped) == 1 and load_workbook(stamped[0])["Invoices"]["A7"].value == "INV-100"
    assert load_workbook(rich)["Invoices"]["A8"].value == "INV-100"


def test_cancelled_or_failed_saves_change_nothing(rich, monkeypatch):
    before = rich.read_bytes()
    stop = Stop()

    def change(edited):
        edited.book["Invoices"]["A4"] = "changed"
        stop.set()  # the node is cancelled while it works

    with pytest.raises(Stopped):
        edit(rich, SaveOptions(), change, stop)
    assert rich.read_bytes() == before

    def failing_write(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("nodes.spreadsheet._edit.atomic_write_bytes", failing_write)
    with pytest.raises(NodeError, match=r"cannot write .*invoices\.xlsx: the disk is full"):
        run(AppendRows(), rich.parent, {"path": rich.name, **CONFIG}, ROW)
    assert rich.read_bytes() == before
    assert sorted(p.name for p in rich.parent.iterdir()) == ["invoices.xlsx"]  # no temporary file left


def test_features_openpyxl_would_drop_are_refused_unless_allowed(rich):
    with zipfile.ZipFile(rich, "a") as zf:
        zf.writestr("xl/slicers/slicer1.xml", "<slicers/>")
    before = rich.read_bytes()
    refused = r"invoices\.xlsx was left untouched: saving it here would lose slicers"
    with pytest.raises(NodeError, match=refused):
        run(AppendRows(), rich.parent, {"path": rich.name, **CONFIG}, ROW)
    assert rich.read_bytes() == before
    _, ctx = run(AppendRows(), rich.parent, {"path": rich.name, **CONFIG, "allow_loss": True}, ROW)
    assert any("dropped" in line and "slicers" in line for _, line in ctx.lines)


@pytest.mark.skipif(not (CORPUS / "vba.xlsm").exists(), reason="the shared corpus is not present")
def test_macros_are_kept(tmp_path):
    path = tmp_path / "macro.xlsm"
    path.write_bytes((CORPUS / "vba.xlsm").read_bytes())
    with zipfile.ZipFile(path) as zf:
        vba = zf.read("xl/vbaProject.bin")
    run(WriteRange(), tmp_path, {"path": path.name, "cell": "B2"}, {"values": "hello"})
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        assert "macroEnabled" in zf.read("[Content_Types].xml").decode()
    assert load_workbook(path).active["B2"].value == "hello"


def test_new_workbook_is_created_when_asked(tmp_path):
    with pytest.raises(NodeError, match="does not exist"):
        run(AppendRows(), tmp_path, {"path": "new.xlsx"}, ROW)
    run(AppendRows(), tmp_path, {"path": "new.xlsx", "sheet": "Log", "create": True}, ROW)
    wb = load_workbook(tmp_path / "new.xlsx")
    assert wb.sheetnames == ["Log"] and [c.value for c in wb["Log"][2]] == ["INV-100", 1]
    assert os.stat(tmp_path / "new.xlsx").st_mode & 0o777 != 0o600  # usual permissions, not the temp file's
