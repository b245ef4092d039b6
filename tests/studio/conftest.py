"""Studio tests run offscreen with pytest-qt; each gets a fresh main window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"


@pytest.fixture
def window(qtbot, home: Path) -> Iterator:
    from studio.app import create_window

    win = create_window(theme_name="light")
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    for editor in win.editors():
        editor.undo.setClean()  # no "save changes?" question at teardown
    win.close()
    win.deleteLater()
