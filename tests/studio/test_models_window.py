"""View → Models…: pull a pack from the catalog with progress (against the local test hub),
cancel, and see it installed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction

from studio.features.models import models_window_of
from tests.models.hub_server import serve_hub

PACKS = Path(__file__).resolve().parents[1] / "fixtures" / "models"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    repos = {f"loomwork/{n}": PACKS / n for n in ("tiny-moe-vision", "tiny-moe-text")}
    with serve_hub(repos) as (url, state):
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        yield state


def test_pull_a_model_from_the_catalog_with_progress(hub, home, window, qtbot) -> None:
    action = next(a for a in window.menus["view"].actions() if a.text() == "&Models…")
    assert isinstance(action, QAction)
    action.trigger()
    models = models_window_of(window)
    assert models.isVisible()
    assert "No model installed" in models.installed.topLevelItem(0).text(0)
    models.select("tiny-moe-vision")
    assert models.pull_button.isEnabled()
    pulled: list[str] = []
    models.pulled.connect(pulled.append)
    assert models.pull_selected()
    assert models.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(pulled), timeout=60_000)
    assert pulled == ["tiny-moe-vision"]
    ids = [models.installed.topLevelItem(i).text(1) for i in range(models.installed.topLevelItemCount())]
    assert ids == ["tiny-moe-vision"]
    assert (home / "models" / "tiny-moe-vision" / "loomwork-pack.json").is_file()
    models.select("tiny-moe-vision")
    assert not models.pull_button.isEnabled()  # installed already
    models.grab().save("/tmp/loomwork_models_window.png")
    models.close()  # a top-level window: left open it would sit over the next tests' windows


def test_the_models_window_closes_with_the_main_window(home, window, qtbot) -> None:
    models = models_window_of(window)
    models.show()
    window.close()
    assert not models.isVisible()
