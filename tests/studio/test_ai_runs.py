"""The AI example runs in the studio (worker process, the resident model service, the tiny
multimodal test pack) and its record is shown in the Outputs panel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from models.store import ModelStore
from runtime.api import data_paths
from studio.features.run import controller_of
from tests.studio.conftest import EXAMPLES, ROOT
from tests.studio.test_run import _run


def test_the_ai_example_runs_green_in_the_studio(home: Path, window, qtbot, tmp_path) -> None:
    ModelStore(data_paths()).add_folder(ROOT / "tests" / "fixtures" / "models" / "tiny-moe-vision")
    (tmp_path / "examples" / "data").mkdir(parents=True)
    shutil.copy(EXAMPLES / "data" / "invoice_page.png", tmp_path / "examples" / "data")
    flow = tmp_path / "examples" / "invoice_picture_fields.loom"
    shutil.copy(EXAMPLES / flow.name, flow)
    editor = window.open_path(flow)
    result = _run(window, qtbot, timeout=90_000)
    assert result["status"] == "COMPLETED", result
    assert all(node.run.state == "COMPLETED" for node in editor.scene.nodes.values())
    written = json.loads((tmp_path / "examples" / "output" / "invoice_fields.json").read_text())
    assert set(written) == {"invoice_number", "invoice_date", "total"}
    controller = controller_of(window)
    editor.scene.select_nodes(["n_aext0001"])
    qtbot.waitUntil(lambda: controller.viewer.current_port == "record", timeout=10_000)
    assert controller.viewer.current_value() == written
