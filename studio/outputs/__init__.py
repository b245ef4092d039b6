"""Output inspector widgets: show the value a run produced on a node port.

`ValueViewer` is the entry point; the pages (text, JSON tree, table, image, file card)
are usable on their own.
"""

from __future__ import annotations

from studio.outputs.viewer import ValueViewer, page_for

__all__ = ["ValueViewer", "page_for"]
