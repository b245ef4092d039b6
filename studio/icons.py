"""The studio's icon set (Lucide SVGs in assets/icons) rendered and tinted with QSvgRenderer.

`icon(name, color)` gives a QIcon, `pixmap(name, size, color)` a crisp QPixmap for painting
(for example in a node's header); both are cached per (name, size, colour). Which icon a
node type shows: `node_icon_name(type_id, category, spec_icon)`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

__all__ = [
    "CATEGORY_ICONS",
    "DEFAULT_ICON",
    "ICON_DIR",
    "TYPE_ICONS",
    "available_icons",
    "category_icon_name",
    "clear_cache",
    "has_icon",
    "icon",
    "node_icon_name",
    "pixmap",
    "spec_icon_name",
]

ICON_DIR = Path(__file__).resolve().parents[1] / "assets" / "icons"
DEFAULT_ICON = "box"
ICON_SIZES = (16, 20, 24, 32, 48, 64)

CATEGORY_ICONS: dict[str, str] = {
    "Flow": "workflow",
    "Data": "database",
    "Table": "table",
    "Text": "type",
    "Web": "globe",
    "Control": "route",
    "Files": "folder",
    "Network": "network",
    "Browser": "app-window",
    "Documents": "files",
    "Spreadsheets": "sheet",
    "AI": "sparkles",
    "General": "box",
}
"""Node category → icon, the fallback for types without an icon of their own."""

TYPE_ICONS: dict[str, str] = {
    "control.for_each": "repeat",
    "control.if": "git-branch",
    "control.join": "combine",
    "control.merge": "git-merge",
    "control.subflow": "layers",
    "control.switch": "split",
    "core.constant": "variable",
    "core.delay": "timer",
    "core.filter_rows": "funnel",
    "core.flow_input": "log-in",
    "core.flow_output": "log-out",
    "core.json_format": "file-braces",
    "core.json_parse": "braces",
    "core.log": "scroll-text",
    "core.set_fields": "pen-line",
    "core.sort_rows": "arrow-down-wide-narrow",
    "core.text_template": "letter-text",
    "files.copy": "copy",
    "files.csv_read": "file-spreadsheet",
    "files.csv_write": "file-down",
    "files.delete": "trash-2",
    "files.list_folder": "folder-search",
    "files.move": "folder-input",
    "files.read_text": "file-text",
    "files.write_text": "file-pen-line",
    "http.request": "globe",
}
"""Node type id → icon, chosen for the studio; wins over the type's own `icon` field."""


def has_icon(name: str) -> bool:
    """Whether `assets/icons/<name>.svg` exists."""
    return bool(name) and "/" not in name and (ICON_DIR / f"{name}.svg").is_file()


def available_icons() -> list[str]:
    return sorted(p.stem for p in ICON_DIR.glob("*.svg"))


def category_icon_name(category: str) -> str:
    name = CATEGORY_ICONS.get(category, DEFAULT_ICON)
    return name if has_icon(name) else DEFAULT_ICON


def node_icon_name(type_id: str, category: str = "", spec_icon: str = "") -> str:
    """The icon of a node type: the studio's choice, else the type's own `icon` (when that
    file exists), else its category's icon."""
    name = TYPE_ICONS.get(type_id, "")
    if has_icon(name):
        return name
    if spec_icon and has_icon(spec_icon.lower()):
        return spec_icon.lower()
    return category_icon_name(category)


def spec_icon_name(spec: dict[str, Any]) -> str:
    """`node_icon_name` for a registry spec (`registry.specs()` entry)."""
    return node_icon_name(spec.get("id", ""), spec.get("category", ""), spec.get("icon") or "")


def _color_key(color: QColor | str | None) -> tuple[str, int]:
    if color is None:
        app = QGuiApplication.instance()
        qcolor = (app.palette() if app else QPalette()).color(QPalette.ColorRole.Text)
    else:
        qcolor = QColor(color)
    return qcolor.name(QColor.NameFormat.HexRgb), qcolor.alpha()


@lru_cache(maxsize=128)
def _svg(name: str) -> bytes:
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file():
        path = ICON_DIR / f"{DEFAULT_ICON}.svg"
    return path.read_bytes() if path.is_file() else b""


@lru_cache(maxsize=2048)
def _render(name: str, pixels: int, rgb: str, alpha: int) -> QImage:
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    data = _svg(name).replace(b"currentColor", rgb.encode())
    renderer = QSvgRenderer(QByteArray(data))
    if renderer.isValid():
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setOpacity(alpha / 255)
        renderer.render(painter, QRectF(0, 0, pixels, pixels))
        painter.end()
    return image


def pixmap(name: str, size: int, color: QColor | str | None = None, dpr: float = 1.0) -> QPixmap:
    """`name` rendered at `size` × `size` logical pixels in `color` (default: the text colour)."""
    rgb, alpha = _color_key(color)
    result = QPixmap.fromImage(_render(name, max(1, round(size * dpr)), rgb, alpha))
    result.setDevicePixelRatio(dpr)
    return result


@lru_cache(maxsize=512)
def _icon(name: str, rgb: str, alpha: int) -> QIcon:
    result = QIcon()
    for size in ICON_SIZES:
        result.addPixmap(QPixmap.fromImage(_render(name, size, rgb, alpha)))
    return result


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """A QIcon of `name` tinted `color` (default: the application palette's text colour)."""
    return _icon(name, *_color_key(color))


def clear_cache() -> None:
    """Forget rendered icons (after a theme change, or before the application quits)."""
    _icon.cache_clear()
    _render.cache_clear()
    _svg.cache_clear()
