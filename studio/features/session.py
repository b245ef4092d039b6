"""Feature module (to be built): installs itself into the main window."""

from __future__ import annotations

from typing import Any


def install(window: Any) -> None:
    """Hook this feature into `window` (a studio.main_window.MainWindow)."""
