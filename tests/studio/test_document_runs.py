"""The documents-and-spreadsheets example runs green in the studio (worker process, subflow per
PDF, OCR for the scan) and its table and the text-rules step's inspector show what the user needs."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import load_workbook

from studio.features.run import controller_of
from tests.runtime.test_invoice_register_example import copy_example
from tests.studio.test_run import _run

SHOTS = os.environ.get("LOOMWORK_SHOTS")
"""When set, a folder to save screenshots in (for a person to look at)."""


def test_the_invoice_register_example_runs_green_in_the_studio(home: Path, window, qtbot, tmp_path) -> None:
    folder = copy_example(tmp_path / "examples")
    editor = window.open_path(folder / "invoice_pdfs_to_register.loom")
    result = _run(window, qtbot, timeout=120_000)
    assert result["status"] == "COMPLETED", result
    states = {nid: node.run.state for nid, node in editor.scene.nodes.items()}
    assert states.pop("n_iout0003") == "SKIPPED"  # "Problems": no invoice failed
    assert set(states.values()) == {"COMPLETED"}
    ws = load_workbook(folder / "output" / "invoice_register.xlsx")["Register"]
    assert sorted(ws.cell(r, 1).value for r in range(2, 7)) == [
        "88213", "AC-2026-0412", "INV-7781", "SI/2026/1187", "UMB-55120"]
    controller = controller_of(window)
    editor.scene.select_nodes(["n_ieach001"])
    qtbot.waitUntil(lambda: controller.viewer.current_port in ("table", "results"), timeout=10_000)
    if SHOTS:
        window.grab().save(str(Path(SHOTS) / "invoice_register_run.png"))
    sub = window.open_path(folder / "read_invoice_pdf.loom")
    sub.scene.select_nodes(["n_rprule01"])
    qtbot.wait(200)
    if SHOTS:
        window.grab().save(str(Path(SHOTS) / "text_rules_inspector.png"))
