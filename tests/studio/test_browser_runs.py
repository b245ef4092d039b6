"""Browser flows run in the studio: the portal example runs green; a failed browser step
shows its screenshot, page HTML and address in the Outputs panel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.api import ImageRef
from studio.features.run import controller_of
from studio.run.outputs_feed import ERROR_TAB
from tests.studio.conftest import EXAMPLES, ROOT
from tests.studio.test_run import _run


@pytest.fixture
def portal_password(home: Path, keyring_backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo portal's password, stored as a user would (the CLI), in the keyring the
    worker process will use."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND",
                       f"{type(keyring_backend).__module__}.{type(keyring_backend).__name__}")
    if hasattr(keyring_backend, "file_path"):
        monkeypatch.setenv("XDG_DATA_HOME", str(Path(keyring_backend.file_path).parent))
    cli = [sys.executable, "-m", "runtime.cli.main", "credentials"]
    stored = subprocess.run([*cli, "set", "northwind_portal", "--stdin"], input="northwind-demo\n",
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert stored.returncode == 0, stored.stderr
    yield
    subprocess.run([*cli, "delete", "northwind_portal"], capture_output=True, cwd=ROOT, timeout=60)


def test_the_portal_example_runs_green_in_the_studio(portal_password, window, qtbot, tmp_path) -> None:
    shutil.copytree(ROOT / "assets" / "demo_portal", tmp_path / "demo_portal")
    (tmp_path / "examples").mkdir()
    flow = tmp_path / "examples" / "supplier_portal_invoices.loom"
    shutil.copy(EXAMPLES / flow.name, flow)
    editor = window.open_path(flow)
    result = _run(window, qtbot, timeout=90_000)
    assert result["status"] == "COMPLETED", result
    assert all(node.run.state == "COMPLETED" for node in editor.scene.nodes.values())
    written = (tmp_path / "examples" / "output" / "portal_invoices.csv").read_text().splitlines()
    assert len(written) == 10 and written[1].startswith("INV-2026-0101,Acme Office Supplies")


def test_a_failed_browser_step_shows_its_screenshot(window, qtbot, tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<h1>Invoices</h1><button>Previous</button>")
    flow = tmp_path / "broken.loom"
    flow.write_text(json.dumps({
        "format_version": 3, "name": "broken",
        "nodes": {"n_open0000": {"type": "browser.open", "config": {"url": "page.html"}},
                  "n_next0000": {"type": "browser.click", "config": {
                      "target": {"by": "role", "value": "button", "name": "Next"}, "timeout_s": 1}}},
        "edges": ["n_open0000.page -> n_next0000.page"]}))
    editor = window.open_path(flow)
    result = _run(window, qtbot, timeout=60_000)
    assert result["status"] == "FAILED"
    assert "button 'Next' not found after 1 s on file://" in result["error"]
    controller = controller_of(window)
    editor.scene.select_nodes(["n_next0000"])
    viewer = controller.viewer
    qtbot.waitUntil(lambda: "Screenshot" in viewer.ports, timeout=10_000)
    assert viewer.current_port == ERROR_TAB
    viewer.show_port("Screenshot")
    assert isinstance(viewer.current_value(), ImageRef) and viewer.current_page == "image"
    assert {"Page HTML", "Address"} <= set(viewer.ports)
    window.grab().save(str(tmp_path / "failed_browser_step.png"))
    shutil.copy(tmp_path / "failed_browser_step.png", "/tmp/loomwork_failed_browser_step.png")
